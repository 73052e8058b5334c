/*
 * fuzz_yaml.c
 *      libFuzzer target for the YAML reader and writer.
 *
 * Each input is used twice:
 * 1. As a document: parse it; on success check the result's invariants,
 *    emit it, parse the emitted text and abort() unless it gives the same
 *    data, then emit again and abort() unless the text is byte-identical.
 *    On failure check that the error is filled in.
 * 2. As a string (when it is valid UTF-8 without NUL): put it in a one-flag
 *    document as flag key (its first 255 characters), name, description,
 *    environment, tenant id and user, emit, parse back, compare.  This
 *    drives the emitter's quoting with arbitrary text.
 *
 * Built and run by test/fuzz/run.sh.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_emit.h"
#include "yaml_compare.h"
#include "yaml_parse.h"

/* Stop with a message: the fuzzer records the input. */
static void
die(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_yaml: %s\n", what);
	if (text != NULL)
		fprintf(stderr, "--- emitted ---\n%s\n---------------\n", text);
	abort();
}



/* Characters in valid UTF-8 (the reader guarantees validity). */
static size_t
count_chars(const char *s)
{
	size_t		n = 0;

	for (; *s; s++)
		if (((unsigned char) *s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Check what a successful parse promises. */
static void
check_invariants(const FFYamlDocument *doc)
{
	for (size_t i = 0; i < doc->nflags; i++)
	{
		const FFYamlFlag *f = &doc->flags[i];
		size_t		nchars;

		if (f->key == NULL || f->name == NULL || f->description == NULL)
			die("flag with a NULL string", NULL);
		nchars = count_chars(f->key);
		if (nchars < 1 || nchars > FF_YAML_KEY_MAX_CHARS)
			die("flag key length out of bounds", NULL);
		if (f->rollout_percentage < 0 || f->rollout_percentage > 100)
			die("flag rollout out of range", NULL);
		if (!f->has_environments && f->environments.count != 0)
			die("environments without has_environments", NULL);
		if (f->line < 1 || f->column < 1)
			die("flag without a position", NULL);
	}
	for (size_t i = 0; i < doc->noverrides; i++)
	{
		const FFYamlOverride *o = &doc->overrides[i];

		if (o->tenant_id == NULL || o->flag_key == NULL)
			die("override with a NULL string", NULL);
		if (o->enabled < -1 || o->enabled > 1 ||
			(!o->has_enabled && o->enabled != -1))
			die("override enabled out of range", NULL);
		if (o->rollout_percentage < -1 || o->rollout_percentage > 100 ||
			(!o->has_rollout && o->rollout_percentage != -1))
			die("override rollout out of range", NULL);
		if ((!o->has_users && o->users.count != 0) ||
			(!o->has_groups && o->groups.count != 0))
			die("override list without its has_ flag", NULL);
	}
	for (size_t i = 0; i < doc->nwarnings; i++)
		if (doc->warnings[i].flag_key == NULL || doc->warnings[i].message == NULL ||
			doc->warnings[i].line < 1)
			die("incomplete warning", NULL);
}

/* Emit doc, parse it back, compare, emit again, compare the text. */
static void
check_roundtrip(const FFYamlDocument *doc)
{
	FFBuf		out = {0};
	FFBuf		again = {0};
	FFYamlDocument back;
	FFYamlError err;

	if (!ff_yaml_emit_document(&out, doc))
		die("emit failed", NULL);
	if (ff_yaml_parse(out.data, out.len, &back, &err) != FF_YAML_OK)
	{
		fprintf(stderr, "fuzz_yaml: re-parse error at %d:%d: %s\n",
				err.line, err.column, err.message);
		die("emitted text does not parse", out.data);
	}
	if (!ff_yaml_documents_equal(doc, &back))
		die("round trip changed the data", out.data);
	if (!ff_yaml_emit_document(&again, &back) || again.len != out.len ||
		memcmp(again.data, out.data, out.len) != 0)
		die("second emit differs", out.data);
	ff_yaml_document_free(&back);
	ff_buf_free(&out);
	ff_buf_free(&again);
}

/* Is s[0..len) valid UTF-8 without NUL, surrogates or overlongs? */
static bool
valid_utf8(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;)
	{
		unsigned char c = s[i];
		size_t		n;
		uint32_t	cp;
		uint32_t	min;

		if (c == 0)
			return false;
		if (c < 0x80)
		{
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			n = 2, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			n = 3, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			n = 4, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (i + n > len)
			return false;
		for (size_t k = 1; k < n; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n;
	}
	return true;
}

/* Use the input as a string everywhere a document holds one. */
static void
fuzz_string(const uint8_t *data, size_t size)
{
	char	   *text;
	char	   *key;
	size_t		keylen = 0;
	size_t		nchars = 0;
	char	   *items[2];
	FFYamlFlag	flag;
	FFYamlOverride ovr;
	FFYamlDocument doc;

	if (!valid_utf8(data, size))
		return;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	/* the key: the first 255 characters, or "k" when empty */
	while (keylen < size && nchars < FF_YAML_KEY_MAX_CHARS)
	{
		keylen++;
		while (keylen < size && (data[keylen] & 0xC0) == 0x80)
			keylen++;
		nchars++;
	}
	key = malloc(keylen + 2);
	if (keylen == 0)
		strcpy(key, "k");
	else
	{
		memcpy(key, data, keylen);
		key[keylen] = '\0';
	}

	items[0] = text;
	items[1] = key;
	memset(&flag, 0, sizeof(flag));
	memset(&ovr, 0, sizeof(ovr));
	memset(&doc, 0, sizeof(doc));
	flag.key = key;
	flag.name = text;
	flag.description = text;
	flag.has_environments = true;
	flag.environments.items = items;
	flag.environments.count = 2;
	flag.default_enabled = true;
	ovr.tenant_id = text;
	ovr.flag_key = key;
	ovr.has_enabled = true;
	ovr.enabled = -1;
	ovr.rollout_percentage = -1;
	ovr.has_users = true;
	ovr.users.items = items;
	ovr.users.count = 2;
	doc.flags = &flag;
	doc.nflags = 1;
	doc.overrides = &ovr;
	doc.noverrides = 1;
	check_roundtrip(&doc);
	free(key);
	free(text);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FFYamlDocument doc;
	FFYamlError err;
	FFYamlStatus st;

	st = ff_yaml_parse((const char *) data, size, &doc, &err);
	if (st == FF_YAML_OK)
	{
		check_invariants(&doc);
		check_roundtrip(&doc);
		ff_yaml_document_free(&doc);
	}
	else
	{
		if (err.status != st || err.message[0] == '\0' || doc.flags != NULL ||
			doc.overrides != NULL || doc.warnings != NULL ||
			memchr(err.message, '\0', sizeof(err.message)) == NULL ||
			memchr(err.flag_key, '\0', sizeof(err.flag_key)) == NULL ||
			memchr(err.tenant_id, '\0', sizeof(err.tenant_id)) == NULL ||
			memchr(err.field, '\0', sizeof(err.field)) == NULL)
			die("error not filled in properly", NULL);
		if (st != FF_YAML_NOMEM && (err.line < 1 || err.column < 1))
			die("error without a position", NULL);
	}
	fuzz_string(data, size);
	return 0;
}
