/*
 * yaml_parse.c
 *      Reader of the FlagForge flag file on libyaml's event API.
 *
 * The reader is a state machine driven by libyaml events: a small explicit
 * stack of frames (top mapping, flags, one flag, overrides, one tenant, one
 * override, a list of strings) says what the next event may be.  Nothing
 * recurses, and a collection where the format wants a scalar (or the other
 * way round) is refused at its first event, so 20,000 nested "[" cost one
 * event.  The first error stops the parse; libyaml's parser, its events and
 * every allocation are released on every path.
 *
 * The format is the FlagForge Python library's, as PyYAML safe_load reads
 * it, with these decisions where the reference is loose or silent:
 *
 * Document
 * - The document is a mapping whose only keys are flags and overrides; any
 *   other key is an error.  flags is required, as the reference model says
 *   ("flags: Field required"): an empty stream, a stream of only comments,
 *   an empty document ("---"), a null document ("~"), flags: null and a
 *   document with only overrides are FF_YAML_MISSING errors (an empty or
 *   truncated file is more likely a mistake than a wish for no flags).
 *   flags: {} is zero flags.  overrides absent, null or {} means none.
 * - More than one document in the stream is an error (PyYAML safe_load
 *   refuses it too).  A NUL byte anywhere in the input is an error.
 *
 * Scalars
 * - A plain (unquoted) scalar is typed exactly as PyYAML 6 SafeLoader types
 *   it (YAML 1.1 implicit resolvers, see ff_yaml_resolve_plain): booleans
 *   are only yes/no/true/false/on/off in lower, Capitalised and UPPER case
 *   (y, n, yES are strings); null is ~, null, Null, NULL or nothing; ints are
 *   decimal with sign and underscores, 0x hex (lower-case x), leading-0
 *   octal, 0b binary and sexagesimal (1:30 is 90).  As in PyYAML, 0o17,
 *   0X1F and 2e1 are strings and 1.0e+3, .5 and 1. are floats.
 * - Quoted ('..', "..") and block (|, >) scalars are always strings.
 * - Types are strict (stricter than pydantic's lax mode): a string field
 *   takes only a string, so name: 123 or name: yes is an error that says to
 *   quote the value; a boolean field takes only a plain boolean (not "true",
 *   not 1); rollout_percentage takes only a plain int (not "20", not 20.0,
 *   not yes) and it must be 0 to 100.  null is accepted only where the
 *   format gives it a meaning: environments (every environment) and an
 *   override's enabled and rollout_percentage (no opinion).  name: null is
 *   the "name is required" error; description: null is a type error.
 * - A string may not contain NUL (a "\0" escape): PostgreSQL text cannot.
 *
 * Keys
 * - A flag key is a string of 1 to 255 characters (code points, as the
 *   flagforge_flags.key column rule says), in flags and in overrides.  A
 *   tenant id is any string, even "" (the column has no rule).  A key that
 *   PyYAML would make a bool, int, null... (yes:, 123:) is an error that says
 *   to quote it, since the reference model refuses non-string keys.
 * - Every mapping refuses a duplicate key (PyYAML silently keeps the last)
 *   and an unknown field, with a "did you mean" when a field is close.
 *   Duplicate flag keys, tenants and per-tenant flag keys are found with
 *   hash sets, so the whole parse is linear in the input.
 * - An override's flag key is not checked against flags: the flag may
 *   already be in the table.  The caller checks.  An override may be {}
 *   (no field present); a tenant may be null or {} (no overrides).
 *
 * Refused YAML features (FF_YAML_UNSUPPORTED)
 * - Anchors and aliases (so alias bombs fail at the first anchor), every
 *   tag including !!str (quote instead), and merge keys (<<).
 *
 * Warnings (legal, kept, reported with position and flag key)
 * - rollout_percentage > 0 with default_enabled false: the reference only
 *   narrows a flag that is on, so such a flag is off for everyone.
 * - environments: []: the flag is off in every environment.
 */
#include "yaml_parse.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "strset.h"
#include "yaml_json.h"

FFYamlInterruptHook ff_yaml_interrupt_hook = NULL;

/* Ask the caller's hook whether to stop (reader and emitter). */
bool
ff_yaml_interrupted(void)
{
	return ff_yaml_interrupt_hook != NULL && ff_yaml_interrupt_hook();
}

/* printf-style checking of the message formatters */
#if defined(__GNUC__) || defined(__clang__)
#define FF_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define FF_PRINTF(fmt, first)
#endif

/* How many bytes of a user's text an error message quotes. */
#define QUOTE_MAX 60

/* ----------------------------------------------------------------
 * Allocation and text helpers
 * ----------------------------------------------------------------
 */

/* Number of characters (code points) in valid UTF-8. */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Longest prefix of s, at most max bytes, that does not split a character. */
static size_t
utf8_prefix(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char) s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* Copy s into a fixed buffer, cut at a character boundary if too long. */
static void
copy_to_buffer(char *dst, size_t dstsize, const char *s, size_t len)
{
	size_t		n = utf8_prefix(s, len, dstsize - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * Write s into out as a double-quoted string for a message: at most
 * QUOTE_MAX bytes of it (fewer if out is small), control characters, quotes
 * and backslashes escaped, "..." when cut.
 */
static void
quote_for_message(char *out, size_t outsize, const char *s, size_t len)
{
	size_t		max;
	size_t		n;
	size_t		o = 0;

	/* each byte takes at most 4 bytes; 2 quotes, "..." and NUL take 6 */
	if (outsize < 10)
	{
		if (outsize > 0)
			out[0] = '\0';
		return;
	}
	max = (outsize - 6) / 4;
	n = utf8_prefix(s, len, max < QUOTE_MAX ? max : QUOTE_MAX);
	out[o++] = '"';
	for (size_t i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '"' || c == '\\')
		{
			out[o++] = '\\';
			out[o++] = (char) c;
		}
		else if (c == '\n')
		{
			out[o++] = '\\';
			out[o++] = 'n';
		}
		else if (c < 0x20 || c == 0x7F)
			o += (size_t) snprintf(out + o, outsize - o, "\\x%02X", c);
		else
			out[o++] = (char) c;
	}
	if (n < len)
	{
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/* Room for a user's string quoted for a message (quote_for_message). */
typedef struct Quoted
{
	char		s[QUOTE_MAX * 4 + 16];
} Quoted;

/* Room for a node described for a message (describe). */
typedef struct Described
{
	char		s[512];
} Described;

/* Quote len bytes of s for a message into t (see quote_for_message); t->s. */
static const char *
quote(Quoted *t, const char *s, size_t len)
{
	quote_for_message(t->s, sizeof(t->s), s, len);
	return t->s;
}

/* Quote a NUL-terminated string for a message into t; t->s. */
static const char *
quote_str(Quoted *t, const char *s)
{
	return quote(t, s, strlen(s));
}

/* Short name of a status, such as "syntax" or "unknown field". */
const char *
ff_yaml_status_name(FFYamlStatus status)
{
	switch (status)
	{
		case FF_YAML_OK:
			return "ok";
		case FF_YAML_SYNTAX:
			return "syntax";
		case FF_YAML_STRUCTURE:
			return "structure";
		case FF_YAML_TYPE:
			return "type";
		case FF_YAML_RANGE:
			return "range";
		case FF_YAML_UNKNOWN_FIELD:
			return "unknown field";
		case FF_YAML_DUPLICATE:
			return "duplicate";
		case FF_YAML_MISSING:
			return "missing";
		case FF_YAML_LIMIT:
			return "limit";
		case FF_YAML_NOMEM:
			return "out of memory";
		case FF_YAML_UNSUPPORTED:
			return "unsupported";
		case FF_YAML_INTERRUPTED:
			return "interrupted";
	}
	return "unknown status";
}

/* ----------------------------------------------------------------
 * Reader state
 * ----------------------------------------------------------------
 */

/* What the collection being read is. */
typedef enum FrameKind
{
	FRAME_TOP,					/* the document: flags, overrides */
	FRAME_FLAGS,				/* flag key -> flag */
	FRAME_FLAG,					/* one flag's fields (ff_flag_fields) */
	FRAME_OVERRIDES,			/* tenant id -> tenant */
	FRAME_TENANT,				/* flag key -> override */
	FRAME_OVERRIDE,				/* one override's fields (ff_override_fields) */
	FRAME_LIST,					/* a list of strings */
	FRAME_JSON_MAP,				/* a mapping inside a JSON-shaped field */
	FRAME_JSON_SEQ				/* a sequence inside a JSON-shaped field */
} FrameKind;

/* The document's keys; index = bit in seen.  Only their names are used. */
enum
{
	TOP_FLAGS, TOP_OVERRIDES, TOP_SEGMENTS, TOP_NFIELDS
};
static const FFField top_field_list[TOP_NFIELDS] = {
	[TOP_FLAGS] = {.name = "flags"},
	[TOP_OVERRIDES] = {.name = "overrides"},
	[TOP_SEGMENTS] = {.name = "segments", .type = FF_FIELD_JSON, .item_keys = ff_segment_keys}
};
static const FFFieldSet top_fields = {top_field_list, TOP_NFIELDS, false};

/* One open collection. */
typedef struct Frame
{
	FrameKind	kind;
	bool		have_key;		/* mapping: a key was read, its value is due */
	int			field;			/* mapping: the field that key named; list: its field */
	unsigned	seen;			/* mapping of fields: bit per field read */
	FFYamlStringList *list;		/* list: where the items go */
	size_t		list_cap;		/* list: slots allocated in list->items */
	const char *what;			/* list, JSON: field name, for messages */
	yaml_mark_t mark;			/* where the collection began */
	char	  **json_out;		/* JSON: where the field's JSON text goes */
	const char *const *item_keys;	/* JSON: the keys of the field's items */
	int			level;			/* JSON: 0 the field's value, 1 its items... */
	size_t		count;			/* JSON: items or keys read */
	StrSet		keys;			/* JSON mapping: its keys, for duplicates */
} Frame;

/* Everything the event handlers share. */
typedef struct Reader
{
	const char *input;
	size_t		len;
	size_t		read_pos;		/* bytes of input handed to libyaml */
	FFYamlDocument *doc;
	FFYamlError *err;
	FFYamlStatus status;		/* first error, or FF_YAML_OK */
	bool		done;			/* stream end seen */
	bool		had_document;
	bool		had_root;		/* the document's root mapping was seen */
	Frame		stack[FF_YAML_MAX_DEPTH];
	int			depth;
	size_t		flags_cap;
	size_t		overrides_cap;
	size_t		warnings_cap;
	StrSet		flag_keys;		/* keys under flags */
	StrSet		tenants;		/* keys under overrides */
	StrSet		tenant_flags;	/* flag keys of the tenant being read */
	char	   *tenant;			/* tenant being read, owned */
	bool		in_flag;		/* doc->flags[nflags - 1] is being read */
	bool		in_override;	/* doc->overrides[noverrides - 1] is being read */
	const char *field;			/* field whose value is being read */
	FFBuf		json;			/* the JSON text of the JSON field being read */
	yaml_mark_t value_marks[FF_MAX_FIELDS]; /* where each field's value of the
											 * record being read was */
} Reader;

/* A libyaml mark as 1-based line or column, clamped to int. */
static int
mark_number(size_t zero_based)
{
	return zero_based >= (size_t) INT_MAX ? INT_MAX : (int) zero_based + 1;
}

/* ----------------------------------------------------------------
 * Errors and warnings
 * ----------------------------------------------------------------
 */

/*
 * Where an error is: a 1-based position, and the flag key it is about when
 * that key is not stored yet (NULL: the flag or override being read).
 */
typedef struct Place
{
	int			line;
	int			column;
	const char *key;
	size_t		keylen;
} Place;

/* The place of a libyaml mark. */
static Place
at(yaml_mark_t mark)
{
	Place		p = {mark_number(mark.line), mark_number(mark.column), NULL, 0};

	return p;
}

/* The place of a libyaml mark, about a flag key not stored yet. */
static Place
at_key(yaml_mark_t mark, const char *key, size_t keylen)
{
	Place		p = {mark_number(mark.line), mark_number(mark.column), key, keylen};

	return p;
}

/* An explicit position (0, 0 when there is none, as for out of memory). */
static Place
at_line(int line, int column)
{
	Place		p = {line, column, NULL, 0};

	return p;
}

static FFYamlStatus fail(Reader *r, FFYamlStatus status, Place where,
						 const char *fmt,...) FF_PRINTF(4, 5);
static FFYamlStatus add_warning(Reader *r, yaml_mark_t mark,
								const char *fmt,...) FF_PRINTF(3, 4);

/*
 * The one error reporter: record the first error (status, place, message)
 * with the flag, tenant and field being read.  Later errors are ignored.
 */
static FFYamlStatus
fail(Reader *r, FFYamlStatus status, Place where, const char *fmt,...)
{
	FFYamlError *err = r->err;
	const char *key = where.key;
	va_list		args;

	if (r->status != FF_YAML_OK)
		return r->status;
	r->status = status;
	if (err == NULL)
		return status;
	memset(err, 0, sizeof(*err));
	err->status = status;
	err->line = where.line;
	err->column = where.column;
	if (key == NULL && r->in_override)
		key = r->doc->overrides[r->doc->noverrides - 1].flag_key;
	else if (key == NULL && r->in_flag)
		key = r->doc->flags[r->doc->nflags - 1].key;
	if (key != NULL)
		copy_to_buffer(err->flag_key, sizeof(err->flag_key), key,
					   where.key != NULL ? where.keylen : strlen(key));
	if (r->tenant != NULL)
		copy_to_buffer(err->tenant_id, sizeof(err->tenant_id),
					   r->tenant, strlen(r->tenant));
	if (r->field != NULL)
		copy_to_buffer(err->field, sizeof(err->field),
					   r->field, strlen(r->field));
	va_start(args, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, args);
	va_end(args);
	return status;
}

/* Record running out of memory. */
static FFYamlStatus
nomem(Reader *r)
{
	return fail(r, FF_YAML_NOMEM, at_line(0, 0), "out of memory while reading YAML");
}

/* Ask the interrupt hook; when it says stop, record FF_YAML_INTERRUPTED. */
static bool
interrupted(Reader *r)
{
	if (!ff_yaml_interrupted())
		return false;
	fail(r, FF_YAML_INTERRUPTED, at_line(0, 0), "interrupted while reading YAML");
	return true;
}

/* 1-based line and column of a byte offset into the input. */
static Place
offset_place(const char *s, size_t len, size_t offset)
{
	size_t		l = 1;
	size_t		c = 1;

	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++)
	{
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n')))
		{
			l++;
			c = 1;
		}
		else if (((unsigned char) s[i] & 0xC0) != 0x80 && s[i] != '\r')
			c++;
	}
	return at_line(l >= (size_t) INT_MAX ? INT_MAX : (int) l,
				   c >= (size_t) INT_MAX ? INT_MAX : (int) c);
}

/* Turn libyaml's complaint into an error. */
static FFYamlStatus
syntax_error(Reader *r, const yaml_parser_t *parser)
{
	const char *problem = parser->problem ? parser->problem : "unknown error";
	Place		where;

	switch (parser->error)
	{
		case YAML_MEMORY_ERROR:
			return nomem(r);
		case YAML_READER_ERROR:
			where = offset_place(r->input, r->len, parser->problem_offset);
			if (parser->problem_value != -1)
				return fail(r, FF_YAML_SYNTAX, where, "invalid YAML: %s (#x%X)", problem,
							(unsigned) parser->problem_value);
			return fail(r, FF_YAML_SYNTAX, where, "invalid YAML: %s", problem);
		default:
			where = at(parser->problem_mark);
			if (parser->context != NULL)
				return fail(r, FF_YAML_SYNTAX, where,
							"invalid YAML: %s (%s that began at line %d, column %d)",
							problem, parser->context,
							mark_number(parser->context_mark.line),
							mark_number(parser->context_mark.column));
			return fail(r, FF_YAML_SYNTAX, where, "invalid YAML: %s", problem);
	}
}

/* Add a warning for the flag being read. */
static FFYamlStatus
add_warning(Reader *r, yaml_mark_t mark, const char *fmt,...)
{
	FFYamlDocument *doc = r->doc;
	FFYamlWarning *w;
	char		message[512];
	va_list		args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	if (!ff_grow((void **) &doc->warnings, &r->warnings_cap, doc->nwarnings + 1,
				 sizeof(FFYamlWarning)))
		return nomem(r);
	w = &doc->warnings[doc->nwarnings];
	w->message = ff_core_strndup(message, strlen(message));
	w->flag_key = ff_core_strndup(doc->flags[doc->nflags - 1].key,
								  strlen(doc->flags[doc->nflags - 1].key));
	if (w->message == NULL || w->flag_key == NULL)
	{
		free(w->message);
		free(w->flag_key);
		memset(w, 0, sizeof(*w));
		return nomem(r);
	}
	w->line = mark_number(mark.line);
	w->column = mark_number(mark.column);
	doc->nwarnings++;
	return FF_YAML_OK;
}

/* ----------------------------------------------------------------
 * Reading scalars
 * ----------------------------------------------------------------
 */

/* Is the event an untagged plain scalar? */
static bool
is_plain(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT &&
		ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* What a scalar resolves to: quoted and block scalars are strings. */
static FFYamlScalarKind
scalar_kind(const yaml_event_t *ev)
{
	if (!is_plain(ev))
		return FF_SCALAR_STR;
	return ff_yaml_resolve_plain((const char *) ev->data.scalar.value,
								 ev->data.scalar.length);
}

/* Is the event a plain null (an empty value, ~, null)? */
static bool
is_null(const yaml_event_t *ev)
{
	return is_plain(ev) && scalar_kind(ev) == FF_SCALAR_NULL;
}

/* A scalar event's text and length. */
#define EV_TEXT(ev) ((const char *) (ev)->data.scalar.value)
#define EV_LEN(ev) ((ev)->data.scalar.length)

/*
 * Describe a node for "got ..." in a message: null, a list, a mapping, or
 * the quoted text and what it resolved to.
 */
static const char *
describe(Described *t, const yaml_event_t *ev)
{
	static const char *const kinds[] = {
		[FF_SCALAR_STR] = "a string",
		[FF_SCALAR_NULL] = "null",
		[FF_SCALAR_BOOL] = "a boolean",
		[FF_SCALAR_INT] = "an integer",
		[FF_SCALAR_FLOAT] = "a float",
		[FF_SCALAR_TIMESTAMP] = "a timestamp",
		[FF_SCALAR_MERGE] = "reserved by YAML 1.1",
		[FF_SCALAR_VALUE] = "reserved by YAML 1.1"
	};
	Quoted		quoted;
	FFYamlScalarKind kind;
	const char *what;

	if (ev->type == YAML_SEQUENCE_START_EVENT)
		return "a list";
	if (ev->type == YAML_MAPPING_START_EVENT)
		return "a mapping";
	if (ev->type != YAML_SCALAR_EVENT)
		return "nothing";
	kind = scalar_kind(ev);
	if (kind == FF_SCALAR_NULL)
		return "null";
	if (is_plain(ev))
		what = kinds[kind];
	else if (ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
			 ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
		what = "a block string";
	else
		what = "a quoted string";
	snprintf(t->s, sizeof(t->s), "%s (%s)", quote(&quoted, EV_TEXT(ev), EV_LEN(ev)), what);
	return t->s;
}

/*
 * Read a string scalar into a new copy (*out), or fail: what names the
 * value and expect what it must be ("a string", "strings").
 */
static FFYamlStatus
read_string(Reader *r, const yaml_event_t *ev, const char *what,
			const char *expect, char **out)
{
	Described	desc;
	FFYamlScalarKind kind;

	*out = NULL;
	if (ev->type != YAML_SCALAR_EVENT)
		return fail(r, FF_YAML_TYPE, at(ev->start_mark), "%s must be %s, got %s",
					what, expect, describe(&desc, ev));
	kind = scalar_kind(ev);
	if (kind == FF_SCALAR_NULL)
		return fail(r, FF_YAML_TYPE, at(ev->start_mark), "%s must be %s, got null",
					what, expect);
	if (kind != FF_SCALAR_STR)
		return fail(r, FF_YAML_TYPE, at(ev->start_mark),
					"%s must be %s, got %s: quote it to keep it as text",
					what, expect, describe(&desc, ev));
	if (memchr(EV_TEXT(ev), '\0', EV_LEN(ev)) != NULL)
		return fail(r, FF_YAML_TYPE, at(ev->start_mark),
					"%s must not contain a NUL character", what);
	*out = ff_core_strndup(EV_TEXT(ev), EV_LEN(ev));
	if (*out == NULL)
		return nomem(r);
	return FF_YAML_OK;
}

/* Read a plain int in the field's range, or fail. */
static FFYamlStatus
read_int(Reader *r, const yaml_event_t *ev, const FFField *field, int *out)
{
	Described	desc;
	Quoted		quoted;
	char		expect[64];
	long long	value;

	if (!is_plain(ev) || scalar_kind(ev) != FF_SCALAR_INT ||
		!ff_yaml_plain_int(EV_TEXT(ev), EV_LEN(ev), &value))
		return fail(r, FF_YAML_TYPE, at(ev->start_mark), "%s must be %s, got %s",
					field->name, ff_field_expected(field, expect, sizeof(expect)),
					describe(&desc, ev));
	if (value < field->min || value > field->max)
		return fail(r, FF_YAML_RANGE, at(ev->start_mark), "%s must be %s, got %s",
					field->name, ff_field_expected(field, expect, sizeof(expect)),
					quote(&quoted, EV_TEXT(ev), EV_LEN(ev)));
	*out = (int) value;
	return FF_YAML_OK;
}

/* ----------------------------------------------------------------
 * Frames
 * ----------------------------------------------------------------
 */

/* Open a collection. */
static FFYamlStatus
push_frame(Reader *r, FrameKind kind, const yaml_event_t *ev)
{
	Frame	   *f;

	if (r->depth >= FF_YAML_MAX_DEPTH)
		return fail(r, FF_YAML_LIMIT, at(ev->start_mark),
					"collections nested more than %d deep are not supported",
					FF_YAML_MAX_DEPTH);
	f = &r->stack[r->depth++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->mark = ev->start_mark;
	return FF_YAML_OK;
}

/* Open a list of strings whose items go to list. */
static FFYamlStatus
push_list(Reader *r, const yaml_event_t *ev, FFYamlStringList *list,
		  int field, const char *what)
{
	if (push_frame(r, FRAME_LIST, ev) != FF_YAML_OK)
		return r->status;
	r->stack[r->depth - 1].list = list;
	r->stack[r->depth - 1].field = field;
	r->stack[r->depth - 1].what = what;
	return FF_YAML_OK;
}

/* The fields of a record frame (FRAME_FLAG, FRAME_OVERRIDE), else the document's. */
static const FFFieldSet *
frame_fields(FrameKind kind)
{
	return kind == FRAME_FLAG ? &ff_flag_fields :
		kind == FRAME_OVERRIDE ? &ff_override_fields : &top_fields;
}

/* The record a record frame fills: the last flag or override. */
static void *
frame_record(Reader *r, FrameKind kind)
{
	if (kind == FRAME_FLAG)
		return &r->doc->flags[r->doc->nflags - 1];
	return &r->doc->overrides[r->doc->noverrides - 1];
}

/* Levenshtein distance of two short strings, capped at 9. */
static int
edit_distance(const char *a, size_t alen, const char *b)
{
	int			row[64];
	size_t		blen = strlen(b);

	if (alen >= 40 || blen >= 63)
		return 9;
	for (size_t j = 0; j <= blen; j++)
		row[j] = (int) j;
	for (size_t i = 1; i <= alen; i++)
	{
		int			diag = row[0];

		row[0] = (int) i;
		for (size_t j = 1; j <= blen; j++)
		{
			int			up = row[j];
			int			best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[blen] > 9 ? 9 : row[blen];
}

/*
 * Read the key of a mapping with fixed fields, setting f->field, or fail
 * with an unknown field or a duplicate.  where is "in flag \"x\"" or alike.
 */
static FFYamlStatus
read_field_key(Reader *r, Frame *f, const yaml_event_t *ev,
			   const FFFieldSet *set, const char *where)
{
	const char *s = EV_TEXT(ev);
	size_t		len = EV_LEN(ev);
	Quoted		quoted;
	Described	expected;
	bool		is_string = scalar_kind(ev) == FF_SCALAR_STR;
	int			best = -1;
	int			best_distance = 3;

	for (int i = 0; i < set->count; i++)
	{
		if (is_string && ff_yaml_text_is(s, len, set->fields[i].name))
		{
			if (f->seen & (1u << i))
				return fail(r, FF_YAML_DUPLICATE, at(ev->start_mark),
							"duplicate field \"%s\" %s", set->fields[i].name, where);
			f->seen |= 1u << i;
			f->field = i;
			return FF_YAML_OK;
		}
	}

	/* unknown: suggest the closest field, else list them all */
	for (int i = 0; i < set->count; i++)
	{
		int			d = edit_distance(s, len, set->fields[i].name);

		if (d < best_distance)
		{
			best_distance = d;
			best = i;
		}
	}
	quote(&quoted, s, len);
	if (best >= 0)
		fail(r, FF_YAML_UNKNOWN_FIELD, at(ev->start_mark),
			 "unknown field %s %s (did you mean \"%s\"?)", quoted.s, where,
			 set->fields[best].name);
	else
		fail(r, FF_YAML_UNKNOWN_FIELD, at(ev->start_mark),
			 "unknown field %s %s: expected %s", quoted.s, where,
			 ff_field_names(set, "or", expected.s, sizeof(expected.s)));
	/* the unknown key itself is the field the error is about */
	if (r->err != NULL)
		copy_to_buffer(r->err->field, sizeof(r->err->field), s, len);
	return r->status;
}

/*
 * Check a flag key (under flags or under a tenant): a string of 1 to 255
 * characters without NUL.
 */
static FFYamlStatus
check_flag_key(Reader *r, const yaml_event_t *ev)
{
	const char *s = EV_TEXT(ev);
	size_t		len = EV_LEN(ev);
	FFYamlScalarKind kind = scalar_kind(ev);
	Described	desc;
	size_t		nchars;

	if (kind != FF_SCALAR_STR)
		return fail(r, FF_YAML_TYPE, at_key(ev->start_mark, s, len),
					"flag keys must be strings, got %s%s", describe(&desc, ev),
					kind == FF_SCALAR_NULL ? "" : ": quote it to keep it as text");
	if (memchr(s, '\0', len) != NULL)
		return fail(r, FF_YAML_TYPE, at_key(ev->start_mark, s, len),
					"flag keys must not contain a NUL character");
	nchars = utf8_chars(s, len);
	if (nchars == 0 || nchars > FF_YAML_KEY_MAX_CHARS)
		return fail(r, FF_YAML_RANGE, at_key(ev->start_mark, s, len),
					"flag keys must be 1 to %d characters, got %zu",
					FF_YAML_KEY_MAX_CHARS, nchars);
	return FF_YAML_OK;
}

/* Read a key under flags: a new flag. */
static FFYamlStatus
read_flag_key(Reader *r, const yaml_event_t *ev)
{
	FFYamlDocument *doc = r->doc;
	const char *s = EV_TEXT(ev);
	size_t		len = EV_LEN(ev);
	FFYamlFlag *flag;
	int			added;
	Quoted		quoted;

	if (check_flag_key(r, ev) != FF_YAML_OK)
		return r->status;
	added = ff_strset_add(&r->flag_keys, s, len);
	if (added < 0)
		return nomem(r);
	if (added == 0)
		return fail(r, FF_YAML_DUPLICATE, at_key(ev->start_mark, s, len),
					"duplicate flag key %s", quote(&quoted, s, len));
	if (!ff_grow((void **) &doc->flags, &r->flags_cap, doc->nflags + 1, sizeof(FFYamlFlag)))
		return nomem(r);
	flag = &doc->flags[doc->nflags];
	memset(flag, 0, sizeof(*flag));
	ff_fields_init(&ff_flag_fields, flag);
	flag->key = ff_core_strndup(s, len);
	if (flag->key == NULL)
		return nomem(r);
	flag->line = mark_number(ev->start_mark.line);
	flag->column = mark_number(ev->start_mark.column);
	doc->nflags++;
	r->in_flag = true;
	return FF_YAML_OK;
}

/* Read a key under overrides: a tenant id. */
static FFYamlStatus
read_tenant_key(Reader *r, const yaml_event_t *ev)
{
	const char *s = EV_TEXT(ev);
	size_t		len = EV_LEN(ev);
	FFYamlScalarKind kind = scalar_kind(ev);
	Described	desc;
	Quoted		quoted;
	int			added;

	if (kind != FF_SCALAR_STR)
		return fail(r, FF_YAML_TYPE, at(ev->start_mark),
					"tenant ids must be strings, got %s%s", describe(&desc, ev),
					kind == FF_SCALAR_NULL ? "" : ": quote it to keep it as text");
	if (memchr(s, '\0', len) != NULL)
		return fail(r, FF_YAML_TYPE, at(ev->start_mark),
					"tenant ids must not contain a NUL character");
	r->tenant = ff_core_strndup(s, len);
	if (r->tenant == NULL)
		return nomem(r);
	added = ff_strset_add(&r->tenants, s, len);
	if (added < 0)
		return nomem(r);
	if (added == 0)
		return fail(r, FF_YAML_DUPLICATE, at(ev->start_mark),
					"duplicate tenant %s in overrides", quote(&quoted, s, len));
	return FF_YAML_OK;
}

/* Read a key under a tenant: a new override. */
static FFYamlStatus
read_override_key(Reader *r, const yaml_event_t *ev)
{
	FFYamlDocument *doc = r->doc;
	const char *s = EV_TEXT(ev);
	size_t		len = EV_LEN(ev);
	FFYamlOverride *ovr;
	int			added;
	Quoted		quoted;
	Quoted		tenant;

	if (check_flag_key(r, ev) != FF_YAML_OK)
		return r->status;
	added = ff_strset_add(&r->tenant_flags, s, len);
	if (added < 0)
		return nomem(r);
	if (added == 0)
		return fail(r, FF_YAML_DUPLICATE, at_key(ev->start_mark, s, len),
					"duplicate flag key %s in the overrides of tenant %s",
					quote(&quoted, s, len), quote_str(&tenant, r->tenant));
	if (!ff_grow((void **) &doc->overrides, &r->overrides_cap, doc->noverrides + 1,
				 sizeof(FFYamlOverride)))
		return nomem(r);
	ovr = &doc->overrides[doc->noverrides];
	memset(ovr, 0, sizeof(*ovr));
	ovr->flag_key = ff_core_strndup(s, len);
	ovr->tenant_id = ff_core_strndup(r->tenant, strlen(r->tenant));
	if (ovr->flag_key == NULL || ovr->tenant_id == NULL)
	{
		free(ovr->flag_key);
		free(ovr->tenant_id);
		memset(ovr, 0, sizeof(*ovr));
		return nomem(r);
	}
	ff_fields_init(&ff_override_fields, ovr);
	ovr->line = mark_number(ev->start_mark.line);
	ovr->column = mark_number(ev->start_mark.column);
	doc->noverrides++;
	r->in_override = true;
	return FF_YAML_OK;
}

/* Where-phrase for messages about the flag or override being read. */
static const char *
where_phrase(Reader *r, char *buf, size_t bufsize)
{
	Quoted		key;
	Quoted		tenant;

	if (r->in_override)
		snprintf(buf, bufsize, "in the override of flag %s for tenant %s",
				 quote_str(&key, r->doc->overrides[r->doc->noverrides - 1].flag_key),
				 quote_str(&tenant, r->tenant));
	else if (r->in_flag)
		snprintf(buf, bufsize, "in flag %s",
				 quote_str(&key, r->doc->flags[r->doc->nflags - 1].key));
	else
		snprintf(buf, bufsize, "at the top level");
	return buf;
}

/* A key event in a mapping frame: a key, or the mapping's end. */
static FFYamlStatus handle_mapping_end(Reader *r, Frame *f, const yaml_event_t *ev);
static FFYamlStatus begin_json(Reader *r, const yaml_event_t *ev, const FFField *field,
							   char **out, bool mapping);
static FFYamlStatus handle_json_event(Reader *r, Frame *f, const yaml_event_t *ev);

static FFYamlStatus
handle_key(Reader *r, Frame *f, const yaml_event_t *ev)
{
	char		where[768];
	Described	desc;
	FFYamlStatus status;

	if (ev->type == YAML_MAPPING_END_EVENT)
		return handle_mapping_end(r, f, ev);
	if (ev->type != YAML_SCALAR_EVENT)
		return fail(r, FF_YAML_STRUCTURE, at(ev->start_mark),
					"mapping keys must be strings, got %s %s",
					describe(&desc, ev), where_phrase(r, where, sizeof(where)));
	if (is_plain(ev) && scalar_kind(ev) == FF_SCALAR_MERGE)
		return fail(r, FF_YAML_UNSUPPORTED, at(ev->start_mark),
					"merge keys (<<) are not supported");

	switch (f->kind)
	{
		case FRAME_TOP:
		case FRAME_FLAG:
		case FRAME_OVERRIDE:
			status = read_field_key(r, f, ev, frame_fields(f->kind),
									where_phrase(r, where, sizeof(where)));
			break;
		case FRAME_FLAGS:
			status = read_flag_key(r, ev);
			break;
		case FRAME_OVERRIDES:
			status = read_tenant_key(r, ev);
			break;
		case FRAME_TENANT:
			status = read_override_key(r, ev);
			break;
		default:
			status = fail(r, FF_YAML_STRUCTURE, at(ev->start_mark),
						  "unexpected mapping key");
			break;
	}
	if (status == FF_YAML_OK)
		f->have_key = true;
	return status;
}

/*
 * The end of a flag's or override's mapping: refuse it without a required
 * field, make absent strings empty.
 */
static FFYamlStatus
finish_record(Reader *r, const Frame *f, const FFFieldSet *set, void *record,
			  int line, int column)
{
	for (int i = 0; i < set->count; i++)
	{
		const FFField *field = &set->fields[i];

		if (f->seen & (1u << i))
			continue;
		if (field->required)
			return fail(r, FF_YAML_MISSING, at_line(line, column),
						"%s is required", field->name);
		if (field->type == FF_FIELD_STRING &&
			(*(char **) ff_field_value(field, record) = ff_core_strndup("", 0)) == NULL)
			return nomem(r);
		if (field->type == FF_FIELD_JSON && field->omit != NULL && !field->computed &&
			(*(char **) ff_field_value(field, record) =
			 ff_core_strndup(field->omit, strlen(field->omit))) == NULL)
			return nomem(r);
	}
	return FF_YAML_OK;
}

/* The end of a mapping: check what must be there, fill defaults, warn. */
static FFYamlStatus
handle_mapping_end(Reader *r, Frame *f, const yaml_event_t *ev)
{
	FFYamlDocument *doc = r->doc;

	(void) ev;
	if (f->kind == FRAME_TOP && !(f->seen & (1u << TOP_FLAGS)))
		return fail(r, FF_YAML_MISSING, at(f->mark), "flags is required");
	if (f->kind == FRAME_FLAG)
	{
		FFYamlFlag *flag = &doc->flags[doc->nflags - 1];

		if (finish_record(r, f, &ff_flag_fields, flag, flag->line, flag->column) != FF_YAML_OK)
			return r->status;
		if (flag->rollout_percentage > 0 && !flag->default_enabled &&
			add_warning(r, r->value_marks[FF_FLAG_ROLLOUT],
						"rollout_percentage is %d but default_enabled is false, "
						"so the flag is off for everyone: a rollout only "
						"narrows a flag that is on",
						flag->rollout_percentage) != FF_YAML_OK)
			return r->status;
		r->in_flag = false;
	}
	else if (f->kind == FRAME_OVERRIDE)
	{
		FFYamlOverride *ovr = &doc->overrides[doc->noverrides - 1];

		if (finish_record(r, f, &ff_override_fields, ovr, ovr->line, ovr->column) != FF_YAML_OK)
			return r->status;
		r->in_override = false;
	}
	else if (f->kind == FRAME_TENANT)
	{
		ff_strset_free(&r->tenant_flags);
		free(r->tenant);
		r->tenant = NULL;
	}
	r->depth--;
	return FF_YAML_OK;
}

/*
 * A value in a flag's or override's mapping, typed by its field: null as
 * the field says, then a string, a plain boolean, a plain int in range, or
 * a list of strings (a new frame).
 */
static FFYamlStatus
read_field_value(Reader *r, const Frame *f, const yaml_event_t *ev,
				 const FFFieldSet *set, void *record)
{
	const FFField *field = &set->fields[f->field];
	void	   *value = ff_field_value(field, record);
	char		expect[64];
	Described	desc;

	r->value_marks[f->field] = ev->start_mark;
	if (is_null(ev) && field->null != FF_NULL_REFUSED)
	{
		if (field->null == FF_NULL_REQUIRED)
			return fail(r, FF_YAML_MISSING, at(ev->start_mark),
						"%s is required, got null", field->name);
		if (field->null == FF_NULL_VALUE)
			ff_field_set_present(field, record);
		ff_field_set_null(field, record);
		return FF_YAML_OK;
	}
	switch (field->type)
	{
		case FF_FIELD_STRING:
			return read_string(r, ev, field->name,
							   ff_field_expected(field, expect, sizeof(expect)), value);
		case FF_FIELD_BOOL:
			if (!is_plain(ev) || scalar_kind(ev) != FF_SCALAR_BOOL)
				return fail(r, FF_YAML_TYPE, at(ev->start_mark), "%s must be %s, got %s",
							field->name, ff_field_expected(field, expect, sizeof(expect)),
							describe(&desc, ev));
			if (field->null == FF_NULL_VALUE)
				*(int *) value = ff_yaml_plain_bool(EV_TEXT(ev), EV_LEN(ev)) ? 1 : 0;
			else
				*(bool *) value = ff_yaml_plain_bool(EV_TEXT(ev), EV_LEN(ev));
			ff_field_set_present(field, record);
			return FF_YAML_OK;
		case FF_FIELD_INT:
			ff_field_set_present(field, record);
			return read_int(r, ev, field, value);
		case FF_FIELD_STRING_LIST:
			if (ev->type != YAML_SEQUENCE_START_EVENT)
				return fail(r, FF_YAML_TYPE, at(ev->start_mark), "%s must be %s, got %s",
							field->name, ff_field_expected(field, expect, sizeof(expect)),
							describe(&desc, ev));
			ff_field_set_present(field, record);
			return push_list(r, ev, value, f->field, field->name);
		case FF_FIELD_JSON:
			ff_field_set_present(field, record);
			return begin_json(r, ev, field, value, false);
	}
	return fail(r, FF_YAML_STRUCTURE, at(ev->start_mark), "unexpected field");
}

/* A value event in a mapping frame whose key was just read. */
static FFYamlStatus
handle_value(Reader *r, Frame *f, const yaml_event_t *ev)
{
	Described	desc;
	Quoted		key;
	Quoted		tenant;
	FFYamlStatus status;

	f->have_key = false;
	switch (f->kind)
	{
		case FRAME_TOP:
			if (is_null(ev) && f->field == TOP_FLAGS)
				return fail(r, FF_YAML_MISSING, at(ev->start_mark),
							"flags is required, got null");
			if (is_null(ev))
				return FF_YAML_OK;
			if (f->field == TOP_SEGMENTS)
				return begin_json(r, ev, &top_field_list[TOP_SEGMENTS], &r->doc->segments, true);
			if (ev->type == YAML_MAPPING_START_EVENT)
				return push_frame(r, f->field == TOP_FLAGS ? FRAME_FLAGS : FRAME_OVERRIDES, ev);
			if (f->field == TOP_FLAGS)
				return fail(r, FF_YAML_TYPE, at(ev->start_mark),
							"flags must be a mapping of flag keys to flag fields, got %s",
							describe(&desc, ev));
			return fail(r, FF_YAML_TYPE, at(ev->start_mark),
						"overrides must be a mapping of tenant ids to flag overrides, got %s",
						describe(&desc, ev));
		case FRAME_FLAGS:
			if (ev->type == YAML_MAPPING_START_EVENT)
				return push_frame(r, FRAME_FLAG, ev);
			return fail(r, FF_YAML_TYPE, at(ev->start_mark),
						"flag %s must be a mapping of fields, got %s",
						quote_str(&key, r->doc->flags[r->doc->nflags - 1].key),
						describe(&desc, ev));
		case FRAME_FLAG:
		case FRAME_OVERRIDE:
			r->field = frame_fields(f->kind)->fields[f->field].name;
			status = read_field_value(r, f, ev, frame_fields(f->kind),
									  frame_record(r, f->kind));
			r->field = NULL;
			return status;
		case FRAME_OVERRIDES:
			if (is_null(ev))
			{
				free(r->tenant);
				r->tenant = NULL;
				return FF_YAML_OK;
			}
			if (ev->type == YAML_MAPPING_START_EVENT)
				return push_frame(r, FRAME_TENANT, ev);
			return fail(r, FF_YAML_TYPE, at(ev->start_mark),
						"tenant %s must be a mapping of flag keys to overrides, got %s",
						quote_str(&key, r->tenant), describe(&desc, ev));
		case FRAME_TENANT:
			if (ev->type == YAML_MAPPING_START_EVENT)
				return push_frame(r, FRAME_OVERRIDE, ev);
			return fail(r, FF_YAML_TYPE, at(ev->start_mark),
						"the override of flag %s for tenant %s must be a mapping of fields, got %s",
						quote_str(&key, r->doc->overrides[r->doc->noverrides - 1].flag_key),
						quote_str(&tenant, r->tenant), describe(&desc, ev));
		case FRAME_LIST:
		case FRAME_JSON_MAP:
		case FRAME_JSON_SEQ:
			break;
	}
	return fail(r, FF_YAML_STRUCTURE, at(ev->start_mark), "unexpected value");
}

/* An event inside a list of strings. */
static FFYamlStatus
handle_list_item(Reader *r, Frame *f, const yaml_event_t *ev)
{
	FFYamlStringList *list = f->list;
	char		what[96];
	char	   *item;
	FFYamlStatus status;

	if (ev->type == YAML_SEQUENCE_END_EVENT)
	{
		r->depth--;
		if (f->field == FF_FLAG_ENVIRONMENTS && f->list->count == 0 &&
			r->stack[r->depth - 1].kind == FRAME_FLAG)
			return add_warning(r, f->mark,
							   "environments is an empty list, so the flag is "
							   "off in every environment: use null or leave it "
							   "out to allow every environment");
		return FF_YAML_OK;
	}
	snprintf(what, sizeof(what), "%s items", f->what);
	r->field = f->what;
	status = read_string(r, ev, what, "strings", &item);
	r->field = NULL;
	if (status != FF_YAML_OK)
		return status;

	if (!ff_grow((void **) &list->items, &f->list_cap, list->count + 1, sizeof(char *)))
	{
		free(item);
		return nomem(r);
	}
	list->items[list->count++] = item;
	return FF_YAML_OK;
}

/* ----------------------------------------------------------------
 * JSON-shaped fields (1.1): variants, rules, prerequisites, segments
 * ----------------------------------------------------------------
 */

/*
 * Open a JSON field's value: a list (a mapping for the document's
 * segments) whose items are mappings of the field's item_keys; the JSON
 * text is built in r->json and stored in *out when the value closes.
 */
static FFYamlStatus
begin_json(Reader *r, const yaml_event_t *ev, const FFField *field, char **out, bool mapping)
{
	yaml_event_type_t want = mapping ? YAML_MAPPING_START_EVENT : YAML_SEQUENCE_START_EVENT;
	Described	desc;

	if (ev->type != want)
		return fail(r, FF_YAML_TYPE, at(ev->start_mark), "%s must be %s, got %s", field->name,
					mapping ? "a mapping of segment ids to segments" : "a list of mappings",
					describe(&desc, ev));
	ff_buf_free(&r->json);
	ff_buf_init(&r->json);
	if (push_frame(r, mapping ? FRAME_JSON_MAP : FRAME_JSON_SEQ, ev) != FF_YAML_OK)
		return r->status;
	r->stack[r->depth - 1].what = field->name;
	r->stack[r->depth - 1].json_out = out;
	r->stack[r->depth - 1].item_keys = field->item_keys;
	if (!ff_buf_append_char(&r->json, mapping ? '{' : '['))
		return nomem(r);
	return FF_YAML_OK;
}

/* Close a JSON collection; the field's value is stored when it closes. */
static FFYamlStatus
end_json(Reader *r, Frame *f)
{
	if (!ff_buf_append_char(&r->json, f->kind == FRAME_JSON_MAP ? '}' : ']'))
		return nomem(r);
	ff_strset_free(&f->keys);
	r->depth--;
	if (f->level > 0)
		return FF_YAML_OK;
	free(*f->json_out);
	*f->json_out = ff_core_strndup(r->json.data, r->json.len);
	ff_buf_free(&r->json);
	ff_buf_init(&r->json);
	return *f->json_out == NULL ? nomem(r) : FF_YAML_OK;
}

/*
 * A key in a JSON mapping: a string (or a plain int, as its decimal
 * text), once; in an item of the field, one of its item_keys.
 */
static FFYamlStatus
read_json_key(Reader *r, Frame *f, const yaml_event_t *ev)
{
	Described	desc;
	Quoted		quoted;
	FFYamlScalarKind kind;
	const char *problem = NULL;
	bool		known = f->level != 1 || f->item_keys == NULL;
	int			added;

	if (ev->type != YAML_SCALAR_EVENT)
		return fail(r, FF_YAML_STRUCTURE, at(ev->start_mark),
					"mapping keys in %s must be strings, got %s", f->what, describe(&desc, ev));
	kind = scalar_kind(ev);
	if (kind != FF_SCALAR_STR && kind != FF_SCALAR_INT)
		return fail(r, FF_YAML_TYPE, at(ev->start_mark),
					"mapping keys in %s must be strings, got %s: quote it", f->what,
					describe(&desc, ev));
	for (int i = 0; !known && f->item_keys[i] != NULL; i++)
		known = ff_yaml_text_is(EV_TEXT(ev), EV_LEN(ev), f->item_keys[i]);
	if (!known)
		return fail(r, FF_YAML_UNKNOWN_FIELD, at(ev->start_mark),
					"unknown field %s in an item of %s", quote(&quoted, EV_TEXT(ev), EV_LEN(ev)),
					f->what);
	added = ff_strset_add(&f->keys, EV_TEXT(ev), EV_LEN(ev));
	if (added < 0)
		return nomem(r);
	if (added == 0)
		return fail(r, FF_YAML_DUPLICATE, at(ev->start_mark), "duplicate key %s in %s",
					quote(&quoted, EV_TEXT(ev), EV_LEN(ev)), f->what);
	if (f->count++ > 0 && !ff_buf_append_char(&r->json, ','))
		return nomem(r);
	if (kind == FF_SCALAR_INT)
	{
		if (!ff_buf_append_char(&r->json, '"') ||
			!ff_json_append_scalar(&r->json, EV_TEXT(ev), EV_LEN(ev), true, &problem) ||
			!ff_buf_append_char(&r->json, '"'))
			return problem ? fail(r, FF_YAML_TYPE, at(ev->start_mark), "key %s in %s %s",
								  quote(&quoted, EV_TEXT(ev), EV_LEN(ev)), f->what, problem)
				: nomem(r);
	}
	else if (!ff_json_append_string(&r->json, EV_TEXT(ev), EV_LEN(ev)))
		return nomem(r);
	f->have_key = true;
	return ff_buf_append_char(&r->json, ':') ? FF_YAML_OK : nomem(r);
}

/*
 * A value in a JSON collection: a scalar as the reader types it, or a
 * nested collection (the field's items must be mappings).
 */
static FFYamlStatus
read_json_value(Reader *r, Frame *f, const yaml_event_t *ev)
{
	Described	desc;
	Quoted		quoted;
	const char *problem = NULL;
	Frame	   *child;

	if (f->kind == FRAME_JSON_SEQ && f->count++ > 0 && !ff_buf_append_char(&r->json, ','))
		return nomem(r);
	f->have_key = false;
	if (f->level == 0 && f->item_keys != NULL && ev->type != YAML_MAPPING_START_EVENT)
		return fail(r, FF_YAML_TYPE, at(ev->start_mark), "the items of %s must be mappings, got %s",
					f->what, describe(&desc, ev));
	if (ev->type == YAML_SCALAR_EVENT)
	{
		if (memchr(EV_TEXT(ev), '\0', EV_LEN(ev)) != NULL)
			return fail(r, FF_YAML_TYPE, at(ev->start_mark),
						"%s must not contain a NUL character", f->what);
		if (ff_json_append_scalar(&r->json, EV_TEXT(ev), EV_LEN(ev), is_plain(ev), &problem))
			return FF_YAML_OK;
		return problem ? fail(r, FF_YAML_TYPE, at(ev->start_mark), "%s in %s %s",
							  quote(&quoted, EV_TEXT(ev), EV_LEN(ev)), f->what, problem)
			: nomem(r);
	}
	if (ev->type != YAML_MAPPING_START_EVENT && ev->type != YAML_SEQUENCE_START_EVENT)
		return fail(r, FF_YAML_STRUCTURE, at(ev->start_mark), "unexpected %s in %s",
					describe(&desc, ev), f->what);
	if (push_frame(r, ev->type == YAML_MAPPING_START_EVENT ? FRAME_JSON_MAP : FRAME_JSON_SEQ,
				   ev) != FF_YAML_OK)
		return r->status;
	child = &r->stack[r->depth - 1];
	child->what = f->what;
	child->item_keys = f->item_keys;
	child->json_out = f->json_out;
	child->level = f->level + 1;
	return ff_buf_append_char(&r->json, child->kind == FRAME_JSON_MAP ? '{' : '[')
		? FF_YAML_OK : nomem(r);
}

/* An event inside a JSON-shaped field. */
static FFYamlStatus
handle_json_event(Reader *r, Frame *f, const yaml_event_t *ev)
{
	if (ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT)
		return end_json(r, f);
	if (f->kind == FRAME_JSON_MAP && !f->have_key)
	{
		if (is_plain(ev) && scalar_kind(ev) == FF_SCALAR_MERGE)
			return fail(r, FF_YAML_UNSUPPORTED, at(ev->start_mark),
						"merge keys (<<) are not supported");
		return read_json_key(r, f, ev);
	}
	return read_json_value(r, f, ev);
}

/* An event outside any collection: stream and document events, the root. */
static FFYamlStatus
handle_document_level(Reader *r, const yaml_event_t *ev)
{
	Described	desc;

	switch (ev->type)
	{
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
		case YAML_NO_EVENT:
			return FF_YAML_OK;
		case YAML_STREAM_END_EVENT:
			r->done = true;
			if (!r->had_root)
				return fail(r, FF_YAML_MISSING, at_line(1, 1),
							"the document is empty: flags is required");
			return FF_YAML_OK;
		case YAML_DOCUMENT_START_EVENT:
			if (r->had_document)
				return fail(r, FF_YAML_UNSUPPORTED, at(ev->start_mark),
							"more than one YAML document is not supported: "
							"put every flag in one document");
			r->had_document = true;
			return FF_YAML_OK;
		case YAML_MAPPING_START_EVENT:
			r->had_root = true;
			return push_frame(r, FRAME_TOP, ev);
		default:
			if (is_null(ev))
				return fail(r, FF_YAML_MISSING, at(ev->start_mark),
							"the document is empty: flags is required");
			return fail(r, FF_YAML_STRUCTURE, at(ev->start_mark),
						"the document must be a mapping with a flags key, got %s",
						describe(&desc, ev));
	}
}

/* Refuse an anchor, alias or tag (what is "alias", "anchor" or the tag). */
static FFYamlStatus
refuse_feature(Reader *r, const yaml_event_t *ev, const char *what,
			   const unsigned char *text)
{
	Quoted		quoted;

	quote_str(&quoted, (const char *) text);
	if (what == NULL)
		return fail(r, FF_YAML_UNSUPPORTED, at(ev->start_mark),
					"tags are not supported (found %s): quote a value to make it a string",
					quoted.s);
	return fail(r, FF_YAML_UNSUPPORTED, at(ev->start_mark),
				"anchors and aliases are not supported (found %s %s)", what, quoted.s);
}

/* Feed one event to the reader. */
static FFYamlStatus
handle_event(Reader *r, const yaml_event_t *ev)
{
	const unsigned char *anchor = NULL;
	const unsigned char *tag = NULL;
	Frame	   *f;

	switch (ev->type)
	{
		case YAML_ALIAS_EVENT:
			return refuse_feature(r, ev, "alias", ev->data.alias.anchor);
		case YAML_SCALAR_EVENT:
			anchor = ev->data.scalar.anchor;
			tag = ev->data.scalar.tag;
			break;
		case YAML_SEQUENCE_START_EVENT:
			anchor = ev->data.sequence_start.anchor;
			tag = ev->data.sequence_start.tag;
			break;
		case YAML_MAPPING_START_EVENT:
			anchor = ev->data.mapping_start.anchor;
			tag = ev->data.mapping_start.tag;
			break;
		default:
			break;
	}
	if (anchor != NULL)
		return refuse_feature(r, ev, "anchor", anchor);
	if (tag != NULL)
		return refuse_feature(r, ev, NULL, tag);

	if (r->depth == 0)
		return handle_document_level(r, ev);
	f = &r->stack[r->depth - 1];
	if (f->kind == FRAME_LIST)
		return handle_list_item(r, f, ev);
	if (f->kind == FRAME_JSON_MAP || f->kind == FRAME_JSON_SEQ)
	{
		FFYamlStatus status;

		r->field = f->what;
		status = handle_json_event(r, f, ev);
		r->field = NULL;
		return status;
	}
	if (!f->have_key)
		return handle_key(r, f, ev);
	return handle_value(r, f, ev);
}

/* ----------------------------------------------------------------
 * Entry points
 * ----------------------------------------------------------------
 */

/* Call fn with the address of every string field and list item of a record. */
static void
record_strings(const FFFieldSet *set, void *record, FFYamlStringFn fn, void *arg)
{
	for (int i = 0; i < set->count; i++)
	{
		const FFField *field = &set->fields[i];
		void	   *value = ff_field_value(field, record);

		if ((field->type == FF_FIELD_STRING || field->type == FF_FIELD_JSON) &&
			*(char **) value != NULL)
			fn(value, arg);
		else if (field->type == FF_FIELD_STRING_LIST)
		{
			FFYamlStringList *list = value;

			for (size_t j = 0; j < list->count; j++)
				fn(&list->items[j], arg);
		}
	}
}

/* Free the item arrays of a record's lists (not the items). */
static void
record_free_lists(const FFFieldSet *set, void *record)
{
	for (int i = 0; i < set->count; i++)
		if (set->fields[i].type == FF_FIELD_STRING_LIST)
			free(((FFYamlStringList *) ff_field_value(&set->fields[i], record))->items);
}

/* Call fn with the address of every string a document holds. */
void
ff_yaml_document_strings(FFYamlDocument *doc, FFYamlStringFn fn, void *arg)
{
	for (size_t i = 0; i < doc->nflags; i++)
	{
		fn(&doc->flags[i].key, arg);
		record_strings(&ff_flag_fields, &doc->flags[i], fn, arg);
	}
	for (size_t i = 0; i < doc->noverrides; i++)
	{
		fn(&doc->overrides[i].tenant_id, arg);
		fn(&doc->overrides[i].flag_key, arg);
		record_strings(&ff_override_fields, &doc->overrides[i], fn, arg);
	}
	if (doc->segments != NULL)
		fn(&doc->segments, arg);
	for (size_t i = 0; i < doc->nwarnings; i++)
	{
		fn(&doc->warnings[i].flag_key, arg);
		fn(&doc->warnings[i].message, arg);
	}
}

/* ff_yaml_document_strings callback: free one string. */
static void
free_string(char **s, void *arg)
{
	(void) arg;
	free(*s);
	*s = NULL;
}

/* Release everything a document holds and leave it empty; NULL is fine. */
void
ff_yaml_document_free(FFYamlDocument *doc)
{
	if (doc == NULL)
		return;
	ff_yaml_document_strings(doc, free_string, NULL);
	for (size_t i = 0; i < doc->nflags; i++)
		record_free_lists(&ff_flag_fields, &doc->flags[i]);
	free(doc->flags);
	for (size_t i = 0; i < doc->noverrides; i++)
		record_free_lists(&ff_override_fields, &doc->overrides[i]);
	free(doc->overrides);
	free(doc->warnings);
	memset(doc, 0, sizeof(*doc));
}

/*
 * libyaml's read handler: hand over the next piece of the input, unless the
 * interrupt hook says to stop (libyaml then fails with a reader error, which
 * ff_yaml_parse reports as FF_YAML_INTERRUPTED).  libyaml asks for at most
 * its raw buffer (16 kB) at a time, so this runs inside long scalars too.
 */
static int
read_input(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
	Reader	   *r = data;
	size_t		n = r->len - r->read_pos;

	if (interrupted(r))
		return 0;
	if (n > size)
		n = size;
	memcpy(buffer, r->input + r->read_pos, n);
	r->read_pos += n;
	*size_read = n;
	return 1;
}

/* Parse len bytes of UTF-8 YAML into *doc; see yaml_parse.h. */
FFYamlStatus
ff_yaml_parse(const char *input, size_t len, FFYamlDocument *doc,
			  FFYamlError *err)
{
	Reader	   *r;
	yaml_parser_t parser;
	const char *nul;
	FFYamlStatus status;

	memset(doc, 0, sizeof(*doc));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (input == NULL)
	{
		input = "";
		len = 0;
	}

	/* the reader is large (its frame stack): keep it off the caller's stack */
	r = ff_core_malloc(sizeof(Reader));
	if (r == NULL)
	{
		if (err != NULL)
		{
			err->status = FF_YAML_NOMEM;
			snprintf(err->message, sizeof(err->message),
					 "out of memory while reading YAML");
		}
		return FF_YAML_NOMEM;
	}
	memset(r, 0, sizeof(*r));
	r->input = input;
	r->len = len;
	r->doc = doc;
	r->err = err;

	nul = memchr(input, '\0', len);
	if (nul != NULL)
	{
		fail(r, FF_YAML_SYNTAX, offset_place(input, len, (size_t) (nul - input)),
			 "invalid YAML: the document contains a NUL byte");
	}
	else if (!yaml_parser_initialize(&parser))
		nomem(r);
	else
	{
		yaml_parser_set_input(&parser, read_input, r);
		yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
		while (!r->done && r->status == FF_YAML_OK && !interrupted(r))
		{
			yaml_event_t ev;

			if (!yaml_parser_parse(&parser, &ev))
			{
				if (r->status == FF_YAML_OK)
					syntax_error(r, &parser);
				break;
			}
			ff_work_counts.events++;
			handle_event(r, &ev);
			yaml_event_delete(&ev);
		}
		yaml_parser_delete(&parser);
	}

	for (int i = 0; i < r->depth; i++)
		ff_strset_free(&r->stack[i].keys);
	ff_buf_free(&r->json);
	ff_strset_free(&r->flag_keys);
	ff_strset_free(&r->tenants);
	ff_strset_free(&r->tenant_flags);
	free(r->tenant);
	status = r->status;
	free(r);
	if (status != FF_YAML_OK)
		ff_yaml_document_free(doc);
	return status;
}
