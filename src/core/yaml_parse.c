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
	FRAME_FLAG,					/* one flag's fields */
	FRAME_OVERRIDES,			/* tenant id -> tenant */
	FRAME_TENANT,				/* flag key -> override */
	FRAME_OVERRIDE,				/* one override's fields */
	FRAME_LIST					/* a list of strings */
} FrameKind;

/* Fields of the three mappings with fixed keys; index = bit in seen. */
static const char *const top_fields[] = {"flags", "overrides", NULL};
enum
{
	TOP_FLAGS, TOP_OVERRIDES
};

static const char *const flag_fields[] = {
	"name", "description", "default_enabled", "is_public",
	"rollout_percentage", "deprecated", "environments", NULL
};
enum
{
	FLAG_NAME, FLAG_DESCRIPTION, FLAG_DEFAULT_ENABLED, FLAG_IS_PUBLIC,
	FLAG_ROLLOUT, FLAG_DEPRECATED, FLAG_ENVIRONMENTS
};

static const char *const override_fields[] = {
	"enabled", "rollout_percentage", "enabled_for_users", "enabled_for_groups",
	NULL
};
enum
{
	OVR_ENABLED, OVR_ROLLOUT, OVR_USERS, OVR_GROUPS
};

/* One open collection. */
typedef struct Frame
{
	FrameKind	kind;
	bool		have_key;		/* mapping: a key was read, its value is due */
	int			field;			/* mapping: the field that key named; list: its field */
	unsigned	seen;			/* mapping of fields: bit per field read */
	FFYamlStringList *list;		/* list: where the items go */
	size_t		list_cap;		/* list: slots allocated in list->items */
	const char *what;			/* list: field name, for messages */
	yaml_mark_t mark;			/* where the collection began */
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
	yaml_mark_t rollout_mark;	/* where this flag's rollout_percentage was */
} Reader;

/* A libyaml mark as 1-based line or column, clamped to int. */
static int
mark_number(size_t zero_based)
{
	return zero_based >= (size_t) INT_MAX ? INT_MAX : (int) zero_based + 1;
}

static FFYamlStatus vfail(Reader *r, FFYamlStatus status, int line, int column,
							const char *key, size_t keylen, const char *fmt,
							va_list args) FF_PRINTF(7, 0);
static FFYamlStatus fail(Reader *r, FFYamlStatus status, yaml_mark_t mark,
						 const char *fmt,...) FF_PRINTF(4, 5);
static FFYamlStatus fail_key(Reader *r, FFYamlStatus status, yaml_mark_t mark,
							 const char *key, size_t keylen,
							 const char *fmt,...) FF_PRINTF(6, 7);
static FFYamlStatus fail_at(Reader *r, FFYamlStatus status, int line,
							int column, const char *fmt,...) FF_PRINTF(5, 6);
static FFYamlStatus add_warning(Reader *r, yaml_mark_t mark,
								const char *fmt,...) FF_PRINTF(3, 4);

/*
 * Record the first error: status, position, message, and the flag, tenant
 * and field being read (key, when not NULL, overrides the flag key).
 */
static FFYamlStatus
vfail(Reader *r, FFYamlStatus status, int line, int column,
	  const char *key, size_t keylen, const char *fmt, va_list args)
{
	FFYamlError *err = r->err;

	if (r->status != FF_YAML_OK)
		return r->status;
	r->status = status;
	if (err == NULL)
		return status;
	memset(err, 0, sizeof(*err));
	err->status = status;
	err->line = line;
	err->column = column;
	if (key != NULL)
		copy_to_buffer(err->flag_key, sizeof(err->flag_key), key, keylen);
	else if (r->in_override)
	{
		const char *k = r->doc->overrides[r->doc->noverrides - 1].flag_key;

		copy_to_buffer(err->flag_key, sizeof(err->flag_key), k, strlen(k));
	}
	else if (r->in_flag)
	{
		const char *k = r->doc->flags[r->doc->nflags - 1].key;

		copy_to_buffer(err->flag_key, sizeof(err->flag_key), k, strlen(k));
	}
	if (r->tenant != NULL)
		copy_to_buffer(err->tenant_id, sizeof(err->tenant_id),
					   r->tenant, strlen(r->tenant));
	if (r->field != NULL)
		copy_to_buffer(err->field, sizeof(err->field),
					   r->field, strlen(r->field));
	vsnprintf(err->message, sizeof(err->message), fmt, args);
	return status;
}

/* Record an error at a libyaml mark. */
static FFYamlStatus
fail(Reader *r, FFYamlStatus status, yaml_mark_t mark, const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	vfail(r, status, mark_number(mark.line), mark_number(mark.column),
		  NULL, 0, fmt, args);
	va_end(args);
	return status;
}

/* Record an error about a key that is not stored yet. */
static FFYamlStatus
fail_key(Reader *r, FFYamlStatus status, yaml_mark_t mark,
		 const char *key, size_t keylen, const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	vfail(r, status, mark_number(mark.line), mark_number(mark.column),
		  key, keylen, fmt, args);
	va_end(args);
	return status;
}

/* Record an error at an explicit position. */
static FFYamlStatus
fail_at(Reader *r, FFYamlStatus status, int line, int column,
		const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	vfail(r, status, line, column, NULL, 0, fmt, args);
	va_end(args);
	return status;
}

/* Record running out of memory. */
static FFYamlStatus
nomem(Reader *r)
{
	return fail_at(r, FF_YAML_NOMEM, 0, 0, "out of memory while reading YAML");
}

/* Ask the interrupt hook; when it says stop, record FF_YAML_INTERRUPTED. */
static bool
interrupted(Reader *r)
{
	if (!ff_yaml_interrupted())
		return false;
	fail_at(r, FF_YAML_INTERRUPTED, 0, 0, "interrupted while reading YAML");
	return true;
}

/* 1-based line and column of a byte offset into the input. */
static void
offset_position(const char *s, size_t len, size_t offset, int *line, int *column)
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
	*line = l >= (size_t) INT_MAX ? INT_MAX : (int) l;
	*column = c >= (size_t) INT_MAX ? INT_MAX : (int) c;
}

/* Turn libyaml's complaint into an error. */
static FFYamlStatus
syntax_error(Reader *r, const yaml_parser_t *parser)
{
	int			line;
	int			column;
	const char *problem = parser->problem ? parser->problem : "unknown error";

	switch (parser->error)
	{
		case YAML_MEMORY_ERROR:
			return nomem(r);
		case YAML_READER_ERROR:
			offset_position(r->input, r->len, parser->problem_offset,
							&line, &column);
			if (parser->problem_value != -1)
				return fail_at(r, FF_YAML_SYNTAX, line, column,
							   "invalid YAML: %s (#x%X)", problem,
							   (unsigned) parser->problem_value);
			return fail_at(r, FF_YAML_SYNTAX, line, column,
						   "invalid YAML: %s", problem);
		default:
			line = mark_number(parser->problem_mark.line);
			column = mark_number(parser->problem_mark.column);
			if (parser->context != NULL)
				return fail_at(r, FF_YAML_SYNTAX, line, column,
							   "invalid YAML: %s (%s that began at line %d, column %d)",
							   problem, parser->context,
							   mark_number(parser->context_mark.line),
							   mark_number(parser->context_mark.column));
			return fail_at(r, FF_YAML_SYNTAX, line, column,
						   "invalid YAML: %s", problem);
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

/*
 * Describe a node for "got ..." in a message: null, a list, a mapping, or
 * the quoted text and what it resolved to.
 */
static const char *
describe(const yaml_event_t *ev, char *buf, size_t bufsize)
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
	char		quoted[QUOTE_MAX * 4 + 16];
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
	quote_for_message(quoted, sizeof(quoted),
					  (const char *) ev->data.scalar.value,
					  ev->data.scalar.length);
	if (is_plain(ev))
		what = kinds[kind];
	else if (ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
			 ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
		what = "a block string";
	else
		what = "a quoted string";
	snprintf(buf, bufsize, "%s (%s)", quoted, what);
	return buf;
}

/*
 * Read a string scalar into a new copy (*out), or fail: what names the
 * value and expect what it must be ("a string", "strings").
 */
static FFYamlStatus
read_string(Reader *r, const yaml_event_t *ev, const char *what,
			const char *expect, char **out)
{
	char		desc[512];
	FFYamlScalarKind kind;
	const char *s;
	size_t		len;

	*out = NULL;
	if (ev->type != YAML_SCALAR_EVENT)
		return fail(r, FF_YAML_TYPE, ev->start_mark, "%s must be %s, got %s",
					what, expect, describe(ev, desc, sizeof(desc)));
	kind = scalar_kind(ev);
	if (kind == FF_SCALAR_NULL)
		return fail(r, FF_YAML_TYPE, ev->start_mark, "%s must be %s, got null",
					what, expect);
	if (kind != FF_SCALAR_STR)
		return fail(r, FF_YAML_TYPE, ev->start_mark,
					"%s must be %s, got %s: quote it to keep it as text",
					what, expect, describe(ev, desc, sizeof(desc)));
	s = (const char *) ev->data.scalar.value;
	len = ev->data.scalar.length;
	if (memchr(s, '\0', len) != NULL)
		return fail(r, FF_YAML_TYPE, ev->start_mark,
					"%s must not contain a NUL character", what);
	*out = ff_core_strndup(s, len);
	if (*out == NULL)
		return nomem(r);
	return FF_YAML_OK;
}

/* Read a plain boolean, or fail. */
static FFYamlStatus
read_bool(Reader *r, const yaml_event_t *ev, const char *what, bool *out)
{
	char		desc[512];

	if (!is_plain(ev) || scalar_kind(ev) != FF_SCALAR_BOOL)
		return fail(r, FF_YAML_TYPE, ev->start_mark,
					"%s must be true or false, got %s",
					what, describe(ev, desc, sizeof(desc)));
	*out = ff_yaml_plain_bool((const char *) ev->data.scalar.value,
							ev->data.scalar.length);
	return FF_YAML_OK;
}

/* Read a rollout percentage, a plain int 0..100, or fail. */
static FFYamlStatus
read_percentage(Reader *r, const yaml_event_t *ev, const char *what,
				const char *or_null, int *out)
{
	char		desc[512];
	long long	value;

	if (!is_plain(ev) || scalar_kind(ev) != FF_SCALAR_INT ||
		!ff_yaml_plain_int((const char *) ev->data.scalar.value,
						   ev->data.scalar.length, &value))
		return fail(r, FF_YAML_TYPE, ev->start_mark,
					"%s must be an integer from 0 to 100%s, got %s",
					what, or_null, describe(ev, desc, sizeof(desc)));
	if (value < 0 || value > 100)
	{
		quote_for_message(desc, sizeof(desc),
						  (const char *) ev->data.scalar.value,
						  ev->data.scalar.length);
		return fail(r, FF_YAML_RANGE, ev->start_mark,
					"%s must be an integer from 0 to 100%s, got %s",
					what, or_null, desc);
	}
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
		return fail(r, FF_YAML_LIMIT, ev->start_mark,
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
			   const char *const *fields, const char *where)
{
	const char *s = (const char *) ev->data.scalar.value;
	size_t		len = ev->data.scalar.length;
	char		quoted[QUOTE_MAX * 4 + 16];
	char		expected[256];
	char		message[512];
	FFYamlScalarKind kind = scalar_kind(ev);
	int			best = -1;
	int			best_distance = 3;
	size_t		o = 0;

	for (int i = 0; fields[i] != NULL; i++)
	{
		if (kind == FF_SCALAR_STR && ff_yaml_text_is(s, len, fields[i]))
		{
			if (f->seen & (1u << i))
				return fail(r, FF_YAML_DUPLICATE, ev->start_mark,
							"duplicate field \"%s\" %s", fields[i], where);
			f->seen |= 1u << i;
			f->field = i;
			return FF_YAML_OK;
		}
	}

	/* unknown: suggest the closest field, else list them all */
	for (int i = 0; fields[i] != NULL; i++)
	{
		int			d = edit_distance(s, len, fields[i]);

		if (d < best_distance)
		{
			best_distance = d;
			best = i;
		}
	}
	quote_for_message(quoted, sizeof(quoted), s, len);
	if (best >= 0)
		snprintf(message, sizeof(message), "unknown field %s %s (did you mean \"%s\"?)",
				 quoted, where, fields[best]);
	else
	{
		expected[0] = '\0';
		for (int i = 0; fields[i] != NULL; i++)
			o += (size_t) snprintf(expected + o, sizeof(expected) - o, "%s%s",
								   i == 0 ? "" : fields[i + 1] == NULL ? " or " : ", ",
								   fields[i]);
		snprintf(message, sizeof(message), "unknown field %s %s: expected %s",
				 quoted, where, expected);
	}
	fail(r, FF_YAML_UNKNOWN_FIELD, ev->start_mark, "%s", message);
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
	const char *s = (const char *) ev->data.scalar.value;
	size_t		len = ev->data.scalar.length;
	FFYamlScalarKind kind = scalar_kind(ev);
	char		desc[512];
	size_t		nchars;

	if (kind != FF_SCALAR_STR)
		return fail_key(r, FF_YAML_TYPE, ev->start_mark, s, len,
						"flag keys must be strings, got %s%s",
						describe(ev, desc, sizeof(desc)),
						kind == FF_SCALAR_NULL ? "" : ": quote it to keep it as text");
	if (memchr(s, '\0', len) != NULL)
		return fail_key(r, FF_YAML_TYPE, ev->start_mark, s, len,
						"flag keys must not contain a NUL character");
	nchars = utf8_chars(s, len);
	if (nchars == 0 || nchars > FF_YAML_KEY_MAX_CHARS)
		return fail_key(r, FF_YAML_RANGE, ev->start_mark, s, len,
						"flag keys must be 1 to %d characters, got %zu",
						FF_YAML_KEY_MAX_CHARS, nchars);
	return FF_YAML_OK;
}

/* Read a key under flags: a new flag. */
static FFYamlStatus
read_flag_key(Reader *r, const yaml_event_t *ev)
{
	FFYamlDocument *doc = r->doc;
	const char *s = (const char *) ev->data.scalar.value;
	size_t		len = ev->data.scalar.length;
	FFYamlFlag *flag;
	int			added;
	char		quoted[QUOTE_MAX * 4 + 16];

	if (check_flag_key(r, ev) != FF_YAML_OK)
		return r->status;
	added = ff_strset_add(&r->flag_keys, s, len);
	if (added < 0)
		return nomem(r);
	if (added == 0)
	{
		quote_for_message(quoted, sizeof(quoted), s, len);
		return fail_key(r, FF_YAML_DUPLICATE, ev->start_mark, s, len,
						"duplicate flag key %s", quoted);
	}
	if (!ff_grow((void **) &doc->flags, &r->flags_cap, doc->nflags + 1, sizeof(FFYamlFlag)))
		return nomem(r);
	flag = &doc->flags[doc->nflags];
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
	const char *s = (const char *) ev->data.scalar.value;
	size_t		len = ev->data.scalar.length;
	FFYamlScalarKind kind = scalar_kind(ev);
	char		desc[512];
	int			added;

	if (kind != FF_SCALAR_STR)
		return fail(r, FF_YAML_TYPE, ev->start_mark,
					"tenant ids must be strings, got %s%s",
					describe(ev, desc, sizeof(desc)),
					kind == FF_SCALAR_NULL ? "" : ": quote it to keep it as text");
	if (memchr(s, '\0', len) != NULL)
		return fail(r, FF_YAML_TYPE, ev->start_mark,
					"tenant ids must not contain a NUL character");
	r->tenant = ff_core_strndup(s, len);
	if (r->tenant == NULL)
		return nomem(r);
	added = ff_strset_add(&r->tenants, s, len);
	if (added < 0)
		return nomem(r);
	if (added == 0)
	{
		quote_for_message(desc, sizeof(desc), s, len);
		return fail(r, FF_YAML_DUPLICATE, ev->start_mark,
					"duplicate tenant %s in overrides", desc);
	}
	return FF_YAML_OK;
}

/* Read a key under a tenant: a new override. */
static FFYamlStatus
read_override_key(Reader *r, const yaml_event_t *ev)
{
	FFYamlDocument *doc = r->doc;
	const char *s = (const char *) ev->data.scalar.value;
	size_t		len = ev->data.scalar.length;
	FFYamlOverride *ovr;
	int			added;
	char		quoted[QUOTE_MAX * 4 + 16];
	char		tenant[QUOTE_MAX * 4 + 16];

	if (check_flag_key(r, ev) != FF_YAML_OK)
		return r->status;
	added = ff_strset_add(&r->tenant_flags, s, len);
	if (added < 0)
		return nomem(r);
	if (added == 0)
	{
		quote_for_message(quoted, sizeof(quoted), s, len);
		quote_for_message(tenant, sizeof(tenant), r->tenant, strlen(r->tenant));
		return fail_key(r, FF_YAML_DUPLICATE, ev->start_mark, s, len,
						"duplicate flag key %s in the overrides of tenant %s",
						quoted, tenant);
	}
	if (!ff_grow((void **) &doc->overrides, &r->overrides_cap, doc->noverrides + 1,
				 sizeof(FFYamlOverride)))
		return nomem(r);
	ovr = &doc->overrides[doc->noverrides];
	ovr->flag_key = ff_core_strndup(s, len);
	ovr->tenant_id = ff_core_strndup(r->tenant, strlen(r->tenant));
	if (ovr->flag_key == NULL || ovr->tenant_id == NULL)
	{
		free(ovr->flag_key);
		free(ovr->tenant_id);
		memset(ovr, 0, sizeof(*ovr));
		return nomem(r);
	}
	ovr->enabled = -1;
	ovr->rollout_percentage = -1;
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
	char		key[QUOTE_MAX * 4 + 16];
	char		tenant[QUOTE_MAX * 4 + 16];

	if (r->in_override)
	{
		const char *k = r->doc->overrides[r->doc->noverrides - 1].flag_key;

		quote_for_message(key, sizeof(key), k, strlen(k));
		quote_for_message(tenant, sizeof(tenant), r->tenant, strlen(r->tenant));
		snprintf(buf, bufsize, "in the override of flag %s for tenant %s",
				 key, tenant);
	}
	else if (r->in_flag)
	{
		const char *k = r->doc->flags[r->doc->nflags - 1].key;

		quote_for_message(key, sizeof(key), k, strlen(k));
		snprintf(buf, bufsize, "in flag %s", key);
	}
	else
		snprintf(buf, bufsize, "at the top level");
	return buf;
}

/* A key event in a mapping frame: a key, or the mapping's end. */
static FFYamlStatus handle_mapping_end(Reader *r, Frame *f, const yaml_event_t *ev);

static FFYamlStatus
handle_key(Reader *r, Frame *f, const yaml_event_t *ev)
{
	char		where[768];
	char		desc[512];
	FFYamlStatus status;

	if (ev->type == YAML_MAPPING_END_EVENT)
		return handle_mapping_end(r, f, ev);
	if (ev->type != YAML_SCALAR_EVENT)
		return fail(r, FF_YAML_STRUCTURE, ev->start_mark,
					"mapping keys must be strings, got %s %s",
					describe(ev, desc, sizeof(desc)),
					where_phrase(r, where, sizeof(where)));
	if (is_plain(ev) && scalar_kind(ev) == FF_SCALAR_MERGE)
		return fail(r, FF_YAML_UNSUPPORTED, ev->start_mark,
					"merge keys (<<) are not supported");

	switch (f->kind)
	{
		case FRAME_TOP:
			status = read_field_key(r, f, ev, top_fields, "at the top level");
			break;
		case FRAME_FLAG:
		case FRAME_OVERRIDE:
			status = read_field_key(r, f, ev,
									f->kind == FRAME_FLAG ? flag_fields : override_fields,
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
			status = fail(r, FF_YAML_STRUCTURE, ev->start_mark,
						  "unexpected mapping key");
			break;
	}
	if (status == FF_YAML_OK)
		f->have_key = true;
	return status;
}

/* The end of a mapping: check what must be there, fill defaults, warn. */
static FFYamlStatus
handle_mapping_end(Reader *r, Frame *f, const yaml_event_t *ev)
{
	FFYamlDocument *doc = r->doc;

	(void) ev;
	if (f->kind == FRAME_TOP && !(f->seen & (1u << TOP_FLAGS)))
		return fail(r, FF_YAML_MISSING, f->mark, "flags is required");
	if (f->kind == FRAME_FLAG)
	{
		FFYamlFlag *flag = &doc->flags[doc->nflags - 1];

		if (flag->name == NULL)
			return fail_at(r, FF_YAML_MISSING, flag->line, flag->column,
						   "name is required");
		if (flag->description == NULL)
		{
			flag->description = ff_core_strndup("", 0);
			if (flag->description == NULL)
				return nomem(r);
		}
		if (flag->rollout_percentage > 0 && !flag->default_enabled &&
			add_warning(r, r->rollout_mark,
						"rollout_percentage is %d but default_enabled is false, "
						"so the flag is off for everyone: a rollout only "
						"narrows a flag that is on",
						flag->rollout_percentage) != FF_YAML_OK)
			return r->status;
		r->in_flag = false;
	}
	else if (f->kind == FRAME_OVERRIDE)
		r->in_override = false;
	else if (f->kind == FRAME_TENANT)
	{
		ff_strset_free(&r->tenant_flags);
		free(r->tenant);
		r->tenant = NULL;
	}
	r->depth--;
	return FF_YAML_OK;
}

/* A value in a flag's mapping. */
static FFYamlStatus
read_flag_value(Reader *r, Frame *f, const yaml_event_t *ev)
{
	FFYamlFlag *flag = &r->doc->flags[r->doc->nflags - 1];
	char		desc[512];

	switch (f->field)
	{
		case FLAG_NAME:
			if (is_null(ev))
				return fail(r, FF_YAML_MISSING, ev->start_mark,
							"name is required, got null");
			return read_string(r, ev, "name", "a string", &flag->name);
		case FLAG_DESCRIPTION:
			return read_string(r, ev, "description", "a string",
							   &flag->description);
		case FLAG_DEFAULT_ENABLED:
			return read_bool(r, ev, "default_enabled", &flag->default_enabled);
		case FLAG_IS_PUBLIC:
			return read_bool(r, ev, "is_public", &flag->is_public);
		case FLAG_DEPRECATED:
			return read_bool(r, ev, "deprecated", &flag->deprecated);
		case FLAG_ROLLOUT:
			r->rollout_mark = ev->start_mark;
			return read_percentage(r, ev, "rollout_percentage", "",
								   &flag->rollout_percentage);
		case FLAG_ENVIRONMENTS:
			if (is_null(ev))
				return FF_YAML_OK;
			if (ev->type != YAML_SEQUENCE_START_EVENT)
				return fail(r, FF_YAML_TYPE, ev->start_mark,
							"environments must be a list of strings or null, got %s",
							describe(ev, desc, sizeof(desc)));
			flag->has_environments = true;
			return push_list(r, ev, &flag->environments, FLAG_ENVIRONMENTS,
							 "environments");
	}
	return fail(r, FF_YAML_STRUCTURE, ev->start_mark, "unexpected flag field");
}

/* A value in an override's mapping. */
static FFYamlStatus
read_override_value(Reader *r, Frame *f, const yaml_event_t *ev)
{
	FFYamlOverride *ovr = &r->doc->overrides[r->doc->noverrides - 1];
	char		desc[512];
	bool		b;
	const char *what = override_fields[f->field];

	switch (f->field)
	{
		case OVR_ENABLED:
			ovr->has_enabled = true;
			if (is_null(ev))
				return FF_YAML_OK;
			if (!is_plain(ev) || scalar_kind(ev) != FF_SCALAR_BOOL)
				return fail(r, FF_YAML_TYPE, ev->start_mark,
							"enabled must be true, false or null, got %s",
							describe(ev, desc, sizeof(desc)));
			(void) read_bool(r, ev, what, &b);
			ovr->enabled = b ? 1 : 0;
			return FF_YAML_OK;
		case OVR_ROLLOUT:
			ovr->has_rollout = true;
			if (is_null(ev))
				return FF_YAML_OK;
			return read_percentage(r, ev, what, " or null",
								   &ovr->rollout_percentage);
		case OVR_USERS:
		case OVR_GROUPS:
			if (ev->type != YAML_SEQUENCE_START_EVENT)
				return fail(r, FF_YAML_TYPE, ev->start_mark,
							"%s must be a list of strings, got %s",
							what, describe(ev, desc, sizeof(desc)));
			if (f->field == OVR_USERS)
			{
				ovr->has_users = true;
				return push_list(r, ev, &ovr->users, OVR_USERS, what);
			}
			ovr->has_groups = true;
			return push_list(r, ev, &ovr->groups, OVR_GROUPS, what);
	}
	return fail(r, FF_YAML_STRUCTURE, ev->start_mark, "unexpected override field");
}

/* A value event in a mapping frame whose key was just read. */
static FFYamlStatus
handle_value(Reader *r, Frame *f, const yaml_event_t *ev)
{
	char		desc[512];
	char		key[QUOTE_MAX * 4 + 16];
	FFYamlStatus status;
	FrameKind	kind = f->kind;

	f->have_key = false;
	switch (kind)
	{
		case FRAME_TOP:
			if (is_null(ev) && f->field == TOP_FLAGS)
				return fail(r, FF_YAML_MISSING, ev->start_mark,
							"flags is required, got null");
			if (is_null(ev))
				return FF_YAML_OK;
			if (ev->type == YAML_MAPPING_START_EVENT)
				return push_frame(r, f->field == TOP_FLAGS ? FRAME_FLAGS : FRAME_OVERRIDES, ev);
			if (f->field == TOP_FLAGS)
				return fail(r, FF_YAML_TYPE, ev->start_mark,
							"flags must be a mapping of flag keys to flag fields, got %s",
							describe(ev, desc, sizeof(desc)));
			return fail(r, FF_YAML_TYPE, ev->start_mark,
						"overrides must be a mapping of tenant ids to flag overrides, got %s",
						describe(ev, desc, sizeof(desc)));
		case FRAME_FLAGS:
			if (ev->type == YAML_MAPPING_START_EVENT)
				return push_frame(r, FRAME_FLAG, ev);
			quote_for_message(key, sizeof(key), r->doc->flags[r->doc->nflags - 1].key,
							  strlen(r->doc->flags[r->doc->nflags - 1].key));
			return fail(r, FF_YAML_TYPE, ev->start_mark,
						"flag %s must be a mapping of fields, got %s",
						key, describe(ev, desc, sizeof(desc)));
		case FRAME_FLAG:
			r->field = flag_fields[f->field];
			status = read_flag_value(r, f, ev);
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
			quote_for_message(key, sizeof(key), r->tenant, strlen(r->tenant));
			return fail(r, FF_YAML_TYPE, ev->start_mark,
						"tenant %s must be a mapping of flag keys to overrides, got %s",
						key, describe(ev, desc, sizeof(desc)));
		case FRAME_TENANT:
			if (ev->type == YAML_MAPPING_START_EVENT)
				return push_frame(r, FRAME_OVERRIDE, ev);
			{
				const char *k = r->doc->overrides[r->doc->noverrides - 1].flag_key;
				char		tenant[QUOTE_MAX * 4 + 16];

				quote_for_message(key, sizeof(key), k, strlen(k));
				quote_for_message(tenant, sizeof(tenant), r->tenant, strlen(r->tenant));
				return fail(r, FF_YAML_TYPE, ev->start_mark,
							"the override of flag %s for tenant %s must be a mapping of fields, got %s",
							key, tenant, describe(ev, desc, sizeof(desc)));
			}
		case FRAME_OVERRIDE:
			r->field = override_fields[f->field];
			status = read_override_value(r, f, ev);
			r->field = NULL;
			return status;
		case FRAME_LIST:
			break;
	}
	return fail(r, FF_YAML_STRUCTURE, ev->start_mark, "unexpected value");
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
		if (f->field == FLAG_ENVIRONMENTS && f->list->count == 0 &&
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

/* An event outside any collection: stream and document events, the root. */
static FFYamlStatus
handle_document_level(Reader *r, const yaml_event_t *ev)
{
	char		desc[512];

	switch (ev->type)
	{
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
		case YAML_NO_EVENT:
			return FF_YAML_OK;
		case YAML_STREAM_END_EVENT:
			r->done = true;
			if (!r->had_root)
				return fail_at(r, FF_YAML_MISSING, 1, 1,
							   "the document is empty: flags is required");
			return FF_YAML_OK;
		case YAML_DOCUMENT_START_EVENT:
			if (r->had_document)
				return fail(r, FF_YAML_UNSUPPORTED, ev->start_mark,
							"more than one YAML document is not supported: "
							"put every flag in one document");
			r->had_document = true;
			return FF_YAML_OK;
		case YAML_MAPPING_START_EVENT:
			r->had_root = true;
			return push_frame(r, FRAME_TOP, ev);
		default:
			if (is_null(ev))
				return fail(r, FF_YAML_MISSING, ev->start_mark,
							"the document is empty: flags is required");
			return fail(r, FF_YAML_STRUCTURE, ev->start_mark,
						"the document must be a mapping with a flags key, got %s",
						describe(ev, desc, sizeof(desc)));
	}
}

/* Feed one event to the reader. */
static FFYamlStatus
handle_event(Reader *r, const yaml_event_t *ev)
{
	const unsigned char *anchor = NULL;
	const unsigned char *tag = NULL;
	char		quoted[QUOTE_MAX * 4 + 16];
	Frame	   *f;

	switch (ev->type)
	{
		case YAML_ALIAS_EVENT:
			anchor = ev->data.alias.anchor;
			quote_for_message(quoted, sizeof(quoted), (const char *) anchor,
							  strlen((const char *) anchor));
			return fail(r, FF_YAML_UNSUPPORTED, ev->start_mark,
						"anchors and aliases are not supported (found alias %s)",
						quoted);
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
	{
		quote_for_message(quoted, sizeof(quoted), (const char *) anchor,
						  strlen((const char *) anchor));
		return fail(r, FF_YAML_UNSUPPORTED, ev->start_mark,
					"anchors and aliases are not supported (found anchor %s)",
					quoted);
	}
	if (tag != NULL)
	{
		quote_for_message(quoted, sizeof(quoted), (const char *) tag,
						  strlen((const char *) tag));
		return fail(r, FF_YAML_UNSUPPORTED, ev->start_mark,
					"tags are not supported (found %s): quote a value to make it a string",
					quoted);
	}

	if (r->depth == 0)
		return handle_document_level(r, ev);
	f = &r->stack[r->depth - 1];
	if (f->kind == FRAME_LIST)
		return handle_list_item(r, f, ev);
	if (!f->have_key)
		return handle_key(r, f, ev);
	return handle_value(r, f, ev);
}

/* ----------------------------------------------------------------
 * Entry points
 * ----------------------------------------------------------------
 */

/* Call fn on every item of a list of strings. */
static void
list_strings(FFYamlStringList *list, FFYamlStringFn fn, void *arg)
{
	for (size_t i = 0; i < list->count; i++)
		fn(&list->items[i], arg);
}

/* Call fn with the address of every string a document holds. */
void
ff_yaml_document_strings(FFYamlDocument *doc, FFYamlStringFn fn, void *arg)
{
	for (size_t i = 0; i < doc->nflags; i++)
	{
		FFYamlFlag *flag = &doc->flags[i];

		fn(&flag->key, arg);
		fn(&flag->name, arg);
		fn(&flag->description, arg);
		list_strings(&flag->environments, fn, arg);
	}
	for (size_t i = 0; i < doc->noverrides; i++)
	{
		FFYamlOverride *ovr = &doc->overrides[i];

		fn(&ovr->tenant_id, arg);
		fn(&ovr->flag_key, arg);
		list_strings(&ovr->users, fn, arg);
		list_strings(&ovr->groups, fn, arg);
	}
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
		free(doc->flags[i].environments.items);
	free(doc->flags);
	for (size_t i = 0; i < doc->noverrides; i++)
	{
		free(doc->overrides[i].users.items);
		free(doc->overrides[i].groups.items);
	}
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
		int			line;
		int			column;

		offset_position(input, len, (size_t) (nul - input), &line, &column);
		fail_at(r, FF_YAML_SYNTAX, line, column,
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
			handle_event(r, &ev);
			yaml_event_delete(&ev);
		}
		yaml_parser_delete(&parser);
	}

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
