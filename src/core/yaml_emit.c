/*
 * yaml_emit.c
 *      Writer of the FlagForge flag file, the inverse of yaml_parse.c.
 *
 * Written by hand rather than with libyaml's emitter so that the layout is
 * fixed (block style, two-space indent, fields in the field table's order,
 * flag_fields.c) and quoting is decided by the same resolver the reader
 * uses: a string is written plain only when the reader would give back
 * exactly that string, typed str.  Everything else is double-quoted on a
 * single line, with every line break, control character and otherwise
 * doubtful character escaped, so no folding or indentation rule can change
 * it on the way back.
 *
 * Why not libyaml's emitter (issue 12 asked to try it; measured, not
 * guessed).  test/bench/emit_libyaml.c writes the same documents with
 * yaml_emitter_t (unicode on, width -1, indent 2, the hand writer's choice
 * of plain or double-quoted style per scalar):
 *
 *   cc -O2 -std=c11 -Isrc/core test/bench/emit_libyaml.c src/core/\*.c -lyaml -o /tmp/emit_libyaml
 *   python3 test/bench/flag_file.py 10000 > /tmp/ffy-10000.yaml
 *   /tmp/emit_libyaml /tmp/ffy-10000.yaml 20
 *
 * - Slower: 10,000 flags (bench 7's document, 2.2 MB) take 21.8-22.4 ms
 *   with libyaml against 7.0-7.7 ms by hand, best of 20, three runs, on
 *   this project's 2-core machine: 3x.
 * - Different output where tests pin it (expected/yaml_export.out,
 *   test_emit_layout): libyaml writes a list under a mapping key without
 *   indenting it ("environments:\n    - prod", no option to change it);
 *   it escapes every character outside the BMP, so "🚀 launch" becomes
 *   "\U0001F680 launch" (users read emoji flag names in their exports);
 *   it writes keys longer than 128 characters as explicit "? key" (flag
 *   keys may have 255); and it refuses a scalar that is not valid UTF-8,
 *   which the hand writer writes as \xNN (test_emit_scalars).
 *
 * A mapping key longer than SIMPLE_KEY_MAX bytes as written is emitted as
 * an explicit "? key" followed by ":" on the next line: YAML readers refuse
 * implicit keys of 1024 characters or more.
 */
#include "yaml_emit.h"
#include "yaml_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Longest implicit key written; libyaml and PyYAML allow under 1024 chars. */
#define SIMPLE_KEY_MAX 1000

/* Bytes of a quoted scalar written between two questions to the interrupt hook. */
#define INTERRUPT_STRIDE 65536

/* Append n spaces. */
static bool
append_indent(FFBuf *buf, int n)
{
	static const char spaces[] = "                ";

	while (n > 0)
	{
		int			chunk = n < (int) sizeof(spaces) - 1 ? n : (int) sizeof(spaces) - 1;

		if (!ff_buf_append(buf, spaces, (size_t) chunk))
			return false;
		n -= chunk;
	}
	return true;
}

/* ----------------------------------------------------------------
 * Scalars
 * ----------------------------------------------------------------
 */

/*
 * Decode one UTF-8 character at s[0..len); return its length and set *cp,
 * or return 0 for an invalid sequence (overlong, surrogate, past U+10FFFF,
 * truncated).
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t	c = s[0];
	size_t		n;
	uint32_t	min;

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0)
	{
		n = 2;
		c &= 0x1F;
		min = 0x80;
	}
	else if ((c & 0xF0) == 0xE0)
	{
		n = 3;
		c &= 0x0F;
		min = 0x800;
	}
	else if ((c & 0xF8) == 0xF0)
	{
		n = 4;
		c &= 0x07;
		min = 0x10000;
	}
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/*
 * Can a non-ASCII character appear raw in our output?  The YAML 1.1
 * printable set, minus NEL, LS and PS (line breaks) and U+FEFF (a BOM),
 * which are always escaped.
 */
static bool
printable_non_ascii(uint32_t cp)
{
	if (cp == 0x85 || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF)
		return false;
	return (cp >= 0xA0 && cp <= 0xD7FF) ||
		(cp >= 0xE000 && cp <= 0xFFFD) ||
		(cp >= 0x10000 && cp <= 0x10FFFF);
}

/* Would s, written plain, fail to read back as exactly this string? */
bool
ff_yaml_scalar_needs_quotes(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *) s;

	if (len == 0)
		return true;
	if (ff_yaml_resolve_plain(s, len) != FF_SCALAR_STR)
		return true;
	if (s[0] == '-' || s[0] == '?' || s[0] == ' ' || s[len - 1] == ' ')
		return true;
	for (size_t i = 0; i < len;)
	{
		uint32_t	cp;
		size_t		n;

		if (u[i] < 0x80)
		{
			if (u[i] < 0x20 || u[i] == 0x7F ||
				strchr(":#{}[],&*!|>'\"%@`\\", u[i]) != NULL)
				return true;
			i++;
			continue;
		}
		n = utf8_decode(u + i, len - i, &cp);
		if (n == 0 || !printable_non_ascii(cp))
			return true;
		i += n;
	}
	return false;
}

/* Append s double-quoted, with every doubtful character escaped. */
static bool
emit_double_quoted(FFBuf *buf, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *) s;
	char		esc[16];
	size_t		next_check = INTERRUPT_STRIDE;

	if (!ff_buf_append_char(buf, '"'))
		return false;
	for (size_t i = 0; i < len;)
	{
		uint32_t	cp;
		size_t		n = utf8_decode(u + i, len - i, &cp);
		const char *e = NULL;

		if (i >= next_check)
		{
			if (ff_yaml_interrupted())
				return false;
			next_check = i + INTERRUPT_STRIDE;
		}
		if (n == 0)
		{
			/* invalid UTF-8: keep the byte visible, as \xNN */
			snprintf(esc, sizeof(esc), "\\x%02X", u[i]);
			if (!ff_buf_append_str(buf, esc))
				return false;
			i++;
			continue;
		}
		switch (cp)
		{
			case '"':
				e = "\\\"";
				break;
			case '\\':
				e = "\\\\";
				break;
			case 0x00:
				e = "\\0";
				break;
			case 0x07:
				e = "\\a";
				break;
			case 0x08:
				e = "\\b";
				break;
			case 0x09:
				e = "\\t";
				break;
			case 0x0A:
				e = "\\n";
				break;
			case 0x0B:
				e = "\\v";
				break;
			case 0x0C:
				e = "\\f";
				break;
			case 0x0D:
				e = "\\r";
				break;
			case 0x1B:
				e = "\\e";
				break;
			case 0x85:
				e = "\\N";
				break;
			case 0x2028:
				e = "\\L";
				break;
			case 0x2029:
				e = "\\P";
				break;
			default:
				if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
				{
					snprintf(esc, sizeof(esc), "\\x%02X", (unsigned) cp);
					e = esc;
				}
				else if (cp >= 0x80 && !printable_non_ascii(cp))
				{
					snprintf(esc, sizeof(esc), "\\u%04X", (unsigned) cp);
					e = esc;
				}
				break;
		}
		if (e != NULL ? !ff_buf_append_str(buf, e) : !ff_buf_append(buf, s + i, n))
			return false;
		i += n;
	}
	return ff_buf_append_char(buf, '"');
}

/* Append s as a plain scalar when safe, else double-quoted. */
bool
ff_yaml_emit_scalar(FFBuf *buf, const char *s, size_t len)
{
	if (s == NULL)
		len = 0;
	if (!ff_yaml_scalar_needs_quotes(s, len))
		return ff_buf_append(buf, s, len);
	return emit_double_quoted(buf, s == NULL ? "" : s, len);
}

/* Append a NUL-terminated string (NULL = "") as a scalar. */
static bool
emit_text(FFBuf *buf, const char *s)
{
	return ff_yaml_emit_scalar(buf, s, s == NULL ? 0 : strlen(s));
}

/*
 * Append an indented mapping key and its ':' ("key:"), explicit ("? key",
 * newline, ":") when the written key is too long to be an implicit key.
 * The caller adds " value\n" or "\n" and the nested block.
 */
static bool
emit_key(FFBuf *buf, int indent, const char *s)
{
	size_t		start;
	size_t		written;

	if (!append_indent(buf, indent))
		return false;
	start = buf->len;
	if (!emit_text(buf, s))
		return false;
	written = buf->len - start;
	if (written <= SIMPLE_KEY_MAX)
		return ff_buf_append_char(buf, ':');
	if (!ff_buf_reserve(buf, 2))
		return false;
	memmove(buf->data + start + 2, buf->data + start, written + 1);
	memcpy(buf->data + start, "? ", 2);
	buf->len += 2;
	return ff_buf_append_char(buf, '\n') && append_indent(buf, indent) &&
		ff_buf_append_char(buf, ':');
}

/*
 * Append a list of strings after its "name": " []" when empty, else one
 * "- item" a line, two spaces deeper than indent.
 */
static bool
emit_list(FFBuf *buf, int indent, const FFYamlStringList *list)
{
	if (list->count == 0)
		return ff_buf_append_str(buf, " []\n");
	if (!ff_buf_append_char(buf, '\n'))
		return false;
	for (size_t i = 0; i < list->count; i++)
	{
		if (ff_yaml_interrupted())
			return false;
		if (!append_indent(buf, indent + 2) || !ff_buf_append_str(buf, "- ") ||
			!emit_text(buf, list->items[i]) || !ff_buf_append_char(buf, '\n'))
			return false;
	}
	return true;
}

/*
 * Append one field as "<indent>name: value" (the name is one of ours,
 * always plain), its value typed by the field table; null is "null".
 */
static bool
emit_field(FFBuf *buf, int indent, const FFField *field, const void *record)
{
	const void *value = ff_field_value(field, record);
	char		num[16];

	if (!append_indent(buf, indent) || !ff_buf_append_str(buf, field->name))
		return false;
	if (ff_field_is_null(field, record))
		return ff_buf_append_str(buf, ": null\n");
	switch (field->type)
	{
		case FF_FIELD_STRING:
			return ff_buf_append_str(buf, ": ") && emit_text(buf, *(char *const *) value) &&
				ff_buf_append_char(buf, '\n');
		case FF_FIELD_BOOL:
			if (field->null == FF_NULL_VALUE)
				return ff_buf_append_str(buf, *(const int *) value ? ": true\n" : ": false\n");
			return ff_buf_append_str(buf, *(const bool *) value ? ": true\n" : ": false\n");
		case FF_FIELD_INT:
			snprintf(num, sizeof(num), ": %d\n", *(const int *) value);
			return ff_buf_append_str(buf, num);
		case FF_FIELD_STRING_LIST:
			return ff_buf_append_char(buf, ':') && emit_list(buf, indent, value);
		case FF_FIELD_JSON:
			return ff_buf_append_char(buf, ':') &&
				ff_json_emit_yaml(buf, *(char *const *) value, indent);
	}
	return false;
}

/*
 * Append a record's fields at indent, in the table's order: every field of
 * a full set (an absent one as null), only the given ones of a partial set.
 */
static bool
emit_fields(FFBuf *buf, int indent, const FFFieldSet *set, const void *record)
{
	for (int i = 0; i < set->count; i++)
	{
		if (set->partial && !ff_field_present(&set->fields[i], record))
			continue;
		if (!set->partial && ff_field_omitted(&set->fields[i], record))
			continue;
		if (!emit_field(buf, indent, &set->fields[i], record))
			return false;
	}
	return true;
}

/* Append one flag under flags:. */
static bool
emit_flag(FFBuf *buf, const FFYamlFlag *flag)
{
	if (ff_yaml_interrupted())
		return false;
	return emit_key(buf, 2, flag->key) && ff_buf_append_char(buf, '\n') &&
		emit_fields(buf, 4, &ff_flag_fields, flag);
}

/* Append one override under its tenant ("flag: {}" when it gives no field). */
static bool
emit_override(FFBuf *buf, const FFYamlOverride *ovr)
{
	if (ff_yaml_interrupted())
		return false;
	if (!emit_key(buf, 4, ovr->flag_key))
		return false;
	if (ff_fields_present_mask(&ff_override_fields, ovr) == 0)
		return ff_buf_append_str(buf, " {}\n");
	return ff_buf_append_char(buf, '\n') && emit_fields(buf, 6, &ff_override_fields, ovr);
}

/* An override's place when gathering overrides by tenant. */
typedef struct OverrideOrder
{
	const char *tenant;
	size_t		index;			/* in doc->overrides */
	size_t		group;			/* index of the tenant's first override */
} OverrideOrder;

/* Order by tenant, then by position. */
static int
compare_by_tenant(const void *a, const void *b)
{
	const OverrideOrder *x = a;
	const OverrideOrder *y = b;
	int			c = strcmp(x->tenant, y->tenant);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Order by the tenant's first appearance, then by position. */
static int
compare_by_group(const void *a, const void *b)
{
	const OverrideOrder *x = a;
	const OverrideOrder *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Append the overrides: section, one block per tenant. */
static bool
emit_overrides(FFBuf *buf, const FFYamlDocument *doc)
{
	size_t		n = doc->noverrides;
	OverrideOrder *order;
	bool		ok = true;

	if (n > SIZE_MAX / sizeof(OverrideOrder))
		return false;
	order = ff_core_malloc(n * sizeof(OverrideOrder));
	if (order == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		order[i].tenant = doc->overrides[i].tenant_id ? doc->overrides[i].tenant_id : "";
		order[i].index = i;
	}
	/* gather each tenant's overrides under its first appearance, stably */
	qsort(order, n, sizeof(OverrideOrder), compare_by_tenant);
	for (size_t i = 0; i < n; i++)
		order[i].group = (i > 0 && strcmp(order[i].tenant, order[i - 1].tenant) == 0)
			? order[i - 1].group : order[i].index;
	qsort(order, n, sizeof(OverrideOrder), compare_by_group);

	ok = ff_buf_append_str(buf, "overrides:\n");
	for (size_t i = 0; ok && i < n; i++)
	{
		if (i == 0 || order[i].group != order[i - 1].group)
			ok = emit_key(buf, 2, order[i].tenant) && ff_buf_append_char(buf, '\n');
		ok = ok && emit_override(buf, &doc->overrides[order[i].index]);
	}
	free(order);
	return ok;
}

/* Append the whole document; see yaml_emit.h. */
bool
ff_yaml_emit_document(FFBuf *buf, const FFYamlDocument *doc)
{
	if (doc->nflags == 0)
	{
		if (!ff_buf_append_str(buf, "flags: {}\n"))
			return false;
	}
	else
	{
		if (!ff_buf_append_str(buf, "flags:\n"))
			return false;
		for (size_t i = 0; i < doc->nflags; i++)
			if (!emit_flag(buf, &doc->flags[i]))
				return false;
	}
	if (doc->segments != NULL && strcmp(doc->segments, "{}") != 0 &&
		(!ff_buf_append_str(buf, "segments:") || !ff_json_emit_yaml(buf, doc->segments, 0)))
		return false;
	if (doc->noverrides > 0 && !emit_overrides(buf, doc))
		return false;
	return true;
}
