/*
 * emit_libyaml.c
 *      The flag file written with libyaml's emitter (yaml_emitter_t, scalar
 *      styles as the hand writer chooses them, unicode on, no line width,
 *      indent 2), beside the hand writer (src/core/yaml_emit.c): reads a
 *      flag file, writes it both ways (best of N runs), prints both times
 *      and whether the outputs are identical, and leaves them in
 *      /tmp/ffy-hand.yaml and /tmp/ffy-libyaml.yaml for diff.  The
 *      measurement behind the decision in yaml_emit.c's header:
 *
 *   cc -O2 -std=c11 -Isrc/core test/bench/emit_libyaml.c src/core/\*.c -lyaml -o /tmp/emit_libyaml
 *   python3 test/bench/flag_file.py 10000 > /tmp/ffy-10000.yaml
 *   /tmp/emit_libyaml /tmp/ffy-10000.yaml 20
 *
 * A prototype: it writes fields by name and overrides already grouped by
 * tenant, which is all the comparison needs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>
#include "yaml_emit.h"

static int write_buf(void *data, unsigned char *buffer, size_t size)
{
	return ff_buf_append(data, (const char *) buffer, size) ? 1 : 0;
}

static int scalar(yaml_emitter_t *e, const char *s, int plain_ok)
{
	yaml_event_t ev;
	size_t len = s ? strlen(s) : 0;
	yaml_scalar_style_t style = (plain_ok && !ff_yaml_scalar_needs_quotes(s, len)) ?
		YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE;

	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *) (s ? s : ""), (int) len, 1, 1, style))
		return 0;
	return yaml_emitter_emit(e, &ev);
}
static int word(yaml_emitter_t *e, const char *w)
{
	yaml_event_t ev;
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *) w, (int) strlen(w), 1, 1, YAML_PLAIN_SCALAR_STYLE);
	return yaml_emitter_emit(e, &ev);
}
static int map_start(yaml_emitter_t *e)
{
	yaml_event_t ev;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	return yaml_emitter_emit(e, &ev);
}
static int map_end(yaml_emitter_t *e)
{
	yaml_event_t ev;
	yaml_mapping_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev);
}
static int list(yaml_emitter_t *e, const FFYamlStringList *l)
{
	yaml_event_t ev;
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	if (!yaml_emitter_emit(e, &ev)) return 0;
	for (size_t i = 0; i < l->count; i++)
		if (!scalar(e, l->items[i], 1)) return 0;
	yaml_sequence_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev);
}

static int emit_libyaml(FFBuf *buf, const FFYamlDocument *doc)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	char num[16];
	int ok = 1;

	yaml_emitter_initialize(&e);
	yaml_emitter_set_output(&e, write_buf, buf);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING); ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1); ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && map_start(&e) && word(&e, "flags") && map_start(&e);
	for (size_t i = 0; ok && i < doc->nflags; i++)
	{
		const FFYamlFlag *f = &doc->flags[i];
		snprintf(num, sizeof(num), "%d", f->rollout_percentage);
		ok = scalar(&e, f->key, 1) && map_start(&e) &&
			word(&e, "name") && scalar(&e, f->name, 1) &&
			word(&e, "description") && scalar(&e, f->description, 1) &&
			word(&e, "default_enabled") && word(&e, f->default_enabled ? "true" : "false") &&
			word(&e, "is_public") && word(&e, f->is_public ? "true" : "false") &&
			word(&e, "rollout_percentage") && word(&e, num) &&
			word(&e, "deprecated") && word(&e, f->deprecated ? "true" : "false") &&
			word(&e, "environments") &&
			(f->has_environments ? list(&e, &f->environments) : word(&e, "null")) &&
			map_end(&e);
	}
	ok = ok && map_end(&e);
	if (ok && doc->noverrides > 0)
	{
		/* (no tenant grouping in the prototype: overrides are given grouped) */
		ok = word(&e, "overrides") && map_start(&e);
		for (size_t i = 0; ok && i < doc->noverrides; i++)
		{
			const FFYamlOverride *o = &doc->overrides[i];
			if (i == 0 || strcmp(o->tenant_id, doc->overrides[i - 1].tenant_id) != 0)
				ok = (i == 0 || map_end(&e)) && scalar(&e, o->tenant_id, 1) && map_start(&e);
			ok = ok && scalar(&e, o->flag_key, 1) && map_start(&e);
			if (ok && o->has_enabled)
				ok = word(&e, "enabled") && word(&e, o->enabled < 0 ? "null" : o->enabled ? "true" : "false");
			if (ok && o->has_rollout)
			{
				snprintf(num, sizeof(num), "%d", o->rollout_percentage);
				ok = word(&e, "rollout_percentage") && word(&e, o->rollout_percentage < 0 ? "null" : num);
			}
			if (ok && o->has_users) ok = word(&e, "enabled_for_users") && list(&e, &o->users);
			if (ok && o->has_groups) ok = word(&e, "enabled_for_groups") && list(&e, &o->groups);
			ok = ok && map_end(&e);
		}
		ok = ok && map_end(&e) && map_end(&e);
	}
	ok = ok && map_end(&e);
	yaml_document_end_event_initialize(&ev, 1); ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev); ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_emitter_delete(&e);
	return ok;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb"); char *s; long n;
	fseek(f, 0, SEEK_END); n = ftell(f); fseek(f, 0, SEEK_SET);
	s = malloc(n + 1); *len = fread(s, 1, n, f); s[*len] = 0; fclose(f); return s;
}

int main(int argc, char **argv)
{
	size_t len; char *in = read_all(argv[1], &len);
	FFYamlDocument doc; FFYamlError err;
	FFBuf hand = {0}, lib = {0};
	int reps = argc > 2 ? atoi(argv[2]) : 1;
	double t0, th = 1e9, tl = 1e9;

	if (ff_yaml_parse(in, len, &doc, &err) != FF_YAML_OK) { printf("parse: %s\n", err.message); return 1; }
	for (int r = 0; r < reps; r++)
	{
		hand.len = 0; t0 = now_ms(); ff_yaml_emit_document(&hand, &doc); if (now_ms() - t0 < th) th = now_ms() - t0;
		lib.len = 0; t0 = now_ms(); if (!emit_libyaml(&lib, &doc)) printf("libyaml failed\n"); if (now_ms() - t0 < tl) tl = now_ms() - t0;
	}
	fprintf(stderr, "hand writer: %.2f ms, libyaml emitter: %.2f ms (best of %d), %zu vs %zu bytes, %s\n",
			th, tl, reps, hand.len, lib.len, hand.len == lib.len && memcmp(hand.data, lib.data, hand.len) == 0 ? "identical" : "DIFFERENT");
	FILE *f = fopen("/tmp/ffy-hand.yaml", "w"); fwrite(hand.data, 1, hand.len, f); fclose(f);
	f = fopen("/tmp/ffy-libyaml.yaml", "w"); fwrite(lib.data, 1, lib.len, f); fclose(f);
	return 0;
}
