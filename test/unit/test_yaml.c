/*
 * test_yaml.c
 *      Unit tests of the YAML reader and writer (src/yaml_parse.c,
 *      src/yaml_emit.c), printed TAP-style ("ok N - ...").
 *
 * Build with -DFF_YAML_FAULT_INJECTION to run the out-of-memory tests; run
 * under ASan so that a leak on any path fails.  test/fuzz/run.sh builds and
 * runs it.  Exits non-zero when any test fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_emit.h"
#include "yaml_compare.h"
#include "yaml_parse.h"

static int	ntests = 0;
static int	nfailed = 0;

/* Print one TAP line for a check. */
static bool
check(bool ok, int line, const char *fmt,...)
{
	va_list		args;

	ntests++;
	printf("%sok %d - ", ok ? "" : "not ", ntests);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	if (!ok)
	{
		printf("  # failed at test_yaml.c:%d", line);
		nfailed++;
	}
	printf("\n");
	return ok;
}

#define CHECK(cond, ...) check((cond), __LINE__, __VA_ARGS__)

/* The libyaml events the reader has handled since the last call. */
static unsigned long long
events_since(unsigned long long *mark)
{
	unsigned long long n = ff_work_counts.events - *mark;

	*mark = ff_work_counts.events;
	return n;
}

/* Parse a NUL-terminated document; print the error when it fails. */
static FFYamlStatus
parse(const char *yaml, FFYamlDocument *doc, FFYamlError *err)
{
	FFYamlStatus st = ff_yaml_parse(yaml, strlen(yaml), doc, err);

	if (st != FF_YAML_OK)
		printf("# %s at %d:%d: %s\n", ff_yaml_status_name(st), err->line,
			   err->column, err->message);
	return st;
}

/* Parse a document that must be valid. */
static bool
parse_ok(const char *name, const char *yaml, FFYamlDocument *doc)
{
	FFYamlError err;

	return CHECK(parse(yaml, doc, &err) == FF_YAML_OK, "%s parses", name);
}

/*
 * Parse a document that must fail with status at line:column, with a
 * message containing substring (when not NULL) and the given flag key
 * (when not NULL).
 */
static void
expect_error(const char *name, const char *yaml, size_t len,
			 FFYamlStatus status, int line, int column,
			 const char *substring, const char *flag_key)
{
	FFYamlDocument doc;
	FFYamlError err;
	FFYamlStatus st;

	st = ff_yaml_parse(yaml, len == 0 ? strlen(yaml) : len, &doc, &err);
	CHECK(st == status && err.status == status,
		  "%s: status %s (got %s: %s)", name, ff_yaml_status_name(status),
		  ff_yaml_status_name(st), err.message);
	CHECK(err.line == line && err.column == column,
		  "%s: at %d:%d (got %d:%d)", name, line, column, err.line, err.column);
	if (substring != NULL)
		CHECK(strstr(err.message, substring) != NULL,
			  "%s: message has '%s' (got '%s')", name, substring, err.message);
	if (flag_key != NULL)
		CHECK(strcmp(err.flag_key, flag_key) == 0,
			  "%s: flag key '%s' (got '%s')", name, flag_key, err.flag_key);
	CHECK(doc.nflags == 0 && doc.flags == NULL && doc.noverrides == 0 &&
		  doc.nwarnings == 0, "%s: document left empty", name);
	CHECK(err.message[0] != '\0' && err.message[strlen(err.message) - 1] != '.' &&
		  !(err.message[0] >= 'A' && err.message[0] <= 'Z'),
		  "%s: message is lower case without a trailing period", name);
}

#define EXPECT_ERROR(name, yaml, status, line, column, substring, key) \
	expect_error(name, yaml, 0, status, line, column, substring, key)



/*
 * Emit doc, parse it back, and check the data is the same and that a
 * second emit is byte-identical.
 */
static bool
roundtrip(const char *name, const FFYamlDocument *doc)
{
	FFBuf		out = {0};
	FFBuf		again = {0};
	FFYamlDocument back;
	FFYamlError err;
	bool		ok;

	if (!CHECK(ff_yaml_emit_document(&out, doc), "%s: emits", name))
		return false;
	ok = CHECK(ff_yaml_parse(out.data, out.len, &back, &err) == FF_YAML_OK,
			   "%s: emitted text parses (%s at %d:%d)", name, err.message,
			   err.line, err.column);
	if (ok)
	{
		ok = CHECK(ff_yaml_documents_equal(doc, &back), "%s: round trip gives the same data", name);
		ok = CHECK(ff_yaml_emit_document(&again, &back) && again.len == out.len &&
				   memcmp(again.data, out.data, out.len) == 0,
				   "%s: second emit is identical", name) && ok;
		ff_yaml_document_free(&back);
	}
	if (!ok)
		printf("# emitted:\n%s\n", out.data);
	ff_buf_free(&out);
	ff_buf_free(&again);
	return ok;
}

/* Parse a document and round-trip it. */
static void
parse_and_roundtrip(const char *name, const char *yaml)
{
	FFYamlDocument doc;

	if (parse_ok(name, yaml, &doc))
	{
		roundtrip(name, &doc);
		ff_yaml_document_free(&doc);
	}
}

static const char readme_yaml[] =
"flags:\n"
"  new_dashboard:\n"
"    name: New Dashboard\n"
"    description: Redesigned dashboard UI\n"
"    default_enabled: false\n"
"    is_public: true\n"
"    rollout_percentage: 0\n"
"    environments:\n"
"      - staging\n"
"      - production\n"
"  beta_checkout:\n"
"    name: Beta Checkout Flow\n"
"    description: New one-page checkout\n"
"    default_enabled: false\n"
"    is_public: false\n"
"    rollout_percentage: 20 # 20% gradual rollout\n"
"  dark_mode:\n"
"    name: Dark Mode\n"
"    description: Dark theme for all users\n"
"    default_enabled: true\n"
"    is_public: true\n";

/* The seed README's example: three flags, every field. */
static void
test_readme(void)
{
	FFYamlDocument doc;
	FFYamlFlag *f;

	if (!parse_ok("readme example", readme_yaml, &doc))
		return;
	CHECK(doc.nflags == 3 && doc.noverrides == 0, "readme: 3 flags, no overrides");
	f = &doc.flags[0];
	CHECK(strcmp(f->key, "new_dashboard") == 0 && strcmp(f->name, "New Dashboard") == 0 &&
		  strcmp(f->description, "Redesigned dashboard UI") == 0 &&
		  !f->default_enabled && f->is_public && f->rollout_percentage == 0 &&
		  !f->deprecated, "readme: new_dashboard fields");
	CHECK(f->has_environments && f->environments.count == 2 &&
		  strcmp(f->environments.items[0], "staging") == 0 &&
		  strcmp(f->environments.items[1], "production") == 0,
		  "readme: new_dashboard environments [staging, production]");
	CHECK(f->line == 2 && f->column == 3, "readme: new_dashboard at 2:3 (got %d:%d)",
		  f->line, f->column);
	f = &doc.flags[1];
	CHECK(strcmp(f->key, "beta_checkout") == 0 && f->rollout_percentage == 20 &&
		  !f->default_enabled && !f->is_public && !f->has_environments &&
		  f->environments.count == 0, "readme: beta_checkout fields, no environments");
	CHECK(f->line == 11 && f->column == 3, "readme: beta_checkout at 11:3");
	f = &doc.flags[2];
	CHECK(strcmp(f->key, "dark_mode") == 0 && f->default_enabled && f->is_public &&
		  f->rollout_percentage == 0 && !f->deprecated && !f->has_environments,
		  "readme: dark_mode fields and defaults");
	CHECK(doc.nwarnings == 1, "readme: one warning (got %zu)", doc.nwarnings);
	if (doc.nwarnings == 1)
	{
		FFYamlWarning *w = &doc.warnings[0];

		CHECK(strcmp(w->flag_key, "beta_checkout") == 0 && w->line == 16 &&
			  w->column == 25, "readme: warning on beta_checkout at 16:25 (got %s %d:%d)",
			  w->flag_key, w->line, w->column);
		CHECK(strstr(w->message, "off for everyone: a rollout only narrows a flag that is on") != NULL,
			  "readme: rollout warning text (%s)", w->message);
	}
	roundtrip("readme", &doc);
	ff_yaml_document_free(&doc);

	/* a NULL err is accepted */
	CHECK(ff_yaml_parse(readme_yaml, strlen(readme_yaml), &doc, NULL) == FF_YAML_OK,
		  "parse with err = NULL");
	ff_yaml_document_free(&doc);
	CHECK(ff_yaml_parse("flags: {", 8, &doc, NULL) == FF_YAML_SYNTAX,
		  "failing parse with err = NULL");
}

/* Parse "flags: {f: {name: n, <field>: <value>}}" and return the status. */
static FFYamlStatus
parse_field(const char *field, const char *value, FFYamlDocument *doc,
			FFYamlError *err)
{
	char		yaml[512];

	snprintf(yaml, sizeof(yaml), "flags:\n  f:\n    name: n\n    %s: %s\n",
			 field, value);
	return ff_yaml_parse(yaml, strlen(yaml), doc, err);
}

/* Every boolean spelling PyYAML knows, and some it does not. */
static void
test_booleans(void)
{
	static const char *const trues[] = {
		"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"
	};
	static const char *const falses[] = {
		"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"
	};
	static const char *const not_bools[] = {
		"y", "n", "Y", "N", "yES", "tRUE", "oN", "1", "0", "'yes'", "\"true\"", "~", "[]"
	};
	FFYamlDocument doc;
	FFYamlError err;

	for (size_t i = 0; i < sizeof(trues) / sizeof(trues[0]); i++)
	{
		bool		ok = parse_field("default_enabled", trues[i], &doc, &err) == FF_YAML_OK;

		CHECK(ok && doc.flags[0].default_enabled, "boolean %s is true", trues[i]);
		ff_yaml_document_free(&doc);
	}
	for (size_t i = 0; i < sizeof(falses) / sizeof(falses[0]); i++)
	{
		bool		ok = parse_field("is_public", falses[i], &doc, &err) == FF_YAML_OK;

		CHECK(ok && !doc.flags[0].is_public, "boolean %s is false", falses[i]);
		ff_yaml_document_free(&doc);
	}
	for (size_t i = 0; i < sizeof(not_bools) / sizeof(not_bools[0]); i++)
	{
		FFYamlStatus st = parse_field("deprecated", not_bools[i], &doc, &err);

		CHECK(st == FF_YAML_TYPE && err.line == 4 && err.column == 17 &&
			  strcmp(err.field, "deprecated") == 0 && strcmp(err.flag_key, "f") == 0 &&
			  strstr(err.message, "deprecated must be true or false, got") != NULL,
			  "%s is not a boolean: %s", not_bools[i], err.message);
	}

	/* booleans where a string is due, and strings that look like booleans */
	CHECK(parse_field("description", "'yes'", &doc, &err) == FF_YAML_OK &&
		  strcmp(doc.flags[0].description, "yes") == 0,
		  "quoted 'yes' stays the string yes");
	ff_yaml_document_free(&doc);
	CHECK(parse_field("description", "\"off\"", &doc, &err) == FF_YAML_OK &&
		  strcmp(doc.flags[0].description, "off") == 0,
		  "double-quoted \"off\" stays the string off");
	ff_yaml_document_free(&doc);
	CHECK(parse_field("description", "y", &doc, &err) == FF_YAML_OK &&
		  strcmp(doc.flags[0].description, "y") == 0,
		  "plain y is a string (PyYAML)");
	ff_yaml_document_free(&doc);
	CHECK(parse_field("description", "yes", &doc, &err) == FF_YAML_TYPE &&
		  strstr(err.message, "description must be a string, got \"yes\" (a boolean): quote it") != NULL,
		  "plain yes for a string field is refused: %s", err.message);
}

/* Integers as PyYAML reads them, for rollout_percentage. */
static void
test_integers(void)
{
	static const struct
	{
		const char *text;
		int			value;
	}			ints[] = {
		{"0", 0}, {"20", 20}, {"+20", 20}, {"100", 100}, {"1_0", 10}, {"0x14", 20},
		{"0x1_4", 20}, {"024", 20}, {"0_24", 20}, {"0b10100", 20}, {"-0", 0}, {"1:00", 60},
		{"00", 0}
	};
	static const struct
	{
		const char *text;
		FFYamlStatus status;
	}			bad[] = {
		{"150", FF_YAML_RANGE}, {"-1", FF_YAML_RANGE}, {"101", FF_YAML_RANGE},
		{"0x65", FF_YAML_RANGE}, {"99999999999999999999999999", FF_YAML_RANGE},
		{"20.0", FF_YAML_TYPE}, {"2e1", FF_YAML_TYPE}, {"'20'", FF_YAML_TYPE},
		{"\"20\"", FF_YAML_TYPE}, {"0o24", FF_YAML_TYPE}, {"0X14", FF_YAML_TYPE},
		{"yes", FF_YAML_TYPE}, {"~", FF_YAML_TYPE}, {"null", FF_YAML_TYPE},
		{"twenty", FF_YAML_TYPE}, {"[20]", FF_YAML_TYPE}, {"0b_", FF_YAML_TYPE},
		{"09", FF_YAML_TYPE}, {".inf", FF_YAML_TYPE}, {"2024-01-01", FF_YAML_TYPE}
	};
	FFYamlDocument doc;
	FFYamlError err;

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
	{
		FFYamlStatus st = parse_field("rollout_percentage", ints[i].text, &doc, &err);

		CHECK(st == FF_YAML_OK && doc.flags[0].rollout_percentage == ints[i].value,
			  "rollout_percentage %s is %d", ints[i].text, ints[i].value);
		ff_yaml_document_free(&doc);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		FFYamlStatus st = parse_field("rollout_percentage", bad[i].text, &doc, &err);

		CHECK(st == bad[i].status && err.line == 4 && err.column == 25 &&
			  strcmp(err.field, "rollout_percentage") == 0,
			  "rollout_percentage %s refused as %s: %s", bad[i].text,
			  ff_yaml_status_name(bad[i].status), err.message);
	}
	parse_field("rollout_percentage", "150", &doc, &err);
	CHECK(strcmp(err.message, "rollout_percentage must be an integer from 0 to 100, got \"150\"") == 0,
		  "rollout 150 message: %s", err.message);
	parse_field("rollout_percentage", "20.0", &doc, &err);
	CHECK(strcmp(err.message, "rollout_percentage must be an integer from 0 to 100, got \"20.0\" (a float)") == 0,
		  "rollout 20.0 message: %s", err.message);
}

/* The scalar resolver against cases checked with PyYAML. */
static void
test_resolver(void)
{
	static const struct
	{
		const char *text;
		FFYamlScalarKind kind;
	}			cases[] = {
		{"", FF_SCALAR_NULL}, {"~", FF_SCALAR_NULL}, {"null", FF_SCALAR_NULL},
		{"Null", FF_SCALAR_NULL}, {"NULL", FF_SCALAR_NULL}, {"nULL", FF_SCALAR_STR},
		{"yes", FF_SCALAR_BOOL}, {"y", FF_SCALAR_STR}, {"Off", FF_SCALAR_BOOL},
		{"12", FF_SCALAR_INT}, {"-1_000", FF_SCALAR_INT}, {"0x1f", FF_SCALAR_INT},
		{"0X1F", FF_SCALAR_STR}, {"017", FF_SCALAR_INT}, {"0o17", FF_SCALAR_STR},
		{"09", FF_SCALAR_STR}, {"0b101", FF_SCALAR_INT}, {"1:30", FF_SCALAR_INT},
		{"1:60", FF_SCALAR_STR}, {"0:30", FF_SCALAR_STR}, {"1.5", FF_SCALAR_FLOAT},
		{"1.", FF_SCALAR_FLOAT}, {".5", FF_SCALAR_FLOAT}, {"2e1", FF_SCALAR_STR},
		{"1.0e5", FF_SCALAR_STR}, {"1.0e+5", FF_SCALAR_FLOAT}, {".inf", FF_SCALAR_FLOAT},
		{"-.Inf", FF_SCALAR_FLOAT}, {".NaN", FF_SCALAR_FLOAT}, {"-.nan", FF_SCALAR_STR},
		{"1:30.5", FF_SCALAR_FLOAT}, {"2024-01-31", FF_SCALAR_TIMESTAMP},
		{"2024-1-31", FF_SCALAR_STR}, {"2024-1-31 9:05:00", FF_SCALAR_TIMESTAMP},
		{"2024-01-31T10:00:00.5Z", FF_SCALAR_TIMESTAMP},
		{"2024-01-31 10:00:00 +01:00", FF_SCALAR_TIMESTAMP},
		{"<<", FF_SCALAR_MERGE}, {"=", FF_SCALAR_VALUE}, {"==", FF_SCALAR_STR},
		{"-", FF_SCALAR_STR}, {".", FF_SCALAR_STR}, {"+", FF_SCALAR_STR},
		{"new_dashboard", FF_SCALAR_STR}
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(ff_yaml_resolve_plain(cases[i].text, strlen(cases[i].text)) == cases[i].kind,
			  "resolve '%s'", cases[i].text);
}

/* Block scalars, flow collections, comments, line endings, BOM. */
static void
test_yaml_forms(void)
{
	FFYamlDocument doc;

	if (parse_ok("block scalars",
				 "flags:\n"
				 "  f:\n"
				 "    name: |\n"
				 "      two\n"
				 "      lines\n"
				 "    description: >-\n"
				 "      folded\n"
				 "      text\n", &doc))
	{
		CHECK(strcmp(doc.flags[0].name, "two\nlines\n") == 0, "literal block keeps newlines");
		CHECK(strcmp(doc.flags[0].description, "folded text") == 0, "folded block folds");
		roundtrip("block scalars", &doc);
		ff_yaml_document_free(&doc);
	}
	if (parse_ok("block scalar that looks like a number", "flags:\n  f:\n    name: |-\n      123\n", &doc))
	{
		CHECK(strcmp(doc.flags[0].name, "123") == 0, "block scalar 123 is a string");
		ff_yaml_document_free(&doc);
	}
	if (parse_ok("flow style",
				 "{flags: {a: {name: A, environments: [prod, 'stag ing'], default_enabled: on},"
				 " b: {name: B, environments: []}}}", &doc))
	{
		CHECK(doc.nflags == 2 && doc.flags[0].environments.count == 2 &&
			  strcmp(doc.flags[0].environments.items[1], "stag ing") == 0 &&
			  doc.flags[0].default_enabled, "flow mapping and list read");
		CHECK(doc.flags[1].has_environments && doc.flags[1].environments.count == 0,
			  "flow [] is an empty list, not null");
		roundtrip("flow style", &doc);
		ff_yaml_document_free(&doc);
	}
	if (parse_ok("comments",
				 "# header\n"
				 "flags: # the flags\n"
				 "  # a comment line\n"
				 "  a: # flag a\n"
				 "    name: A # trailing\n"
				 "    description: 'has # inside'\n"
				 "    environments: # none\n"
				 "# end\n", &doc))
	{
		CHECK(strcmp(doc.flags[0].name, "A") == 0 &&
			  strcmp(doc.flags[0].description, "has # inside") == 0 &&
			  !doc.flags[0].has_environments, "comments are ignored, # in quotes kept");
		ff_yaml_document_free(&doc);
	}
	if (parse_ok("CRLF line endings", "flags:\r\n  a:\r\n    name: A\r\n", &doc))
	{
		CHECK(strcmp(doc.flags[0].name, "A") == 0, "CRLF: name read");
		ff_yaml_document_free(&doc);
	}
	if (parse_ok("UTF-8 BOM", "\xEF\xBB\xBF" "flags:\n  a:\n    name: A\n", &doc))
	{
		CHECK(doc.nflags == 1, "BOM: flag read");
		ff_yaml_document_free(&doc);
	}
	if (parse_ok("document markers", "%YAML 1.1\n---\nflags:\n  a: {name: A}\n...\n", &doc))
	{
		CHECK(doc.nflags == 1, "explicit --- and ... markers");
		ff_yaml_document_free(&doc);
	}
	if (parse_ok("quoted keys", "\"flags\":\n  'a b': {\"name\": x}\n", &doc))
	{
		CHECK(doc.nflags == 1 && strcmp(doc.flags[0].key, "a b") == 0,
			  "quoted keys and field names");
		ff_yaml_document_free(&doc);
	}
	if (parse_ok("escapes", "flags:\n  a:\n    name: \"tab\\there\\u00e9\\x41\\N\"\n", &doc))
	{
		CHECK(strcmp(doc.flags[0].name, "tab\there\xC3\xA9" "A\xC2\x85") == 0,
			  "double-quoted escapes decoded");
		roundtrip("escapes", &doc);
		ff_yaml_document_free(&doc);
	}
}

/* flags: {} holds zero flags; a document without a flags mapping is refused. */
static void
test_empty(void)
{
	static const char *const zero_flags[] = {
		"flags: {}\n", "flags: {}\noverrides: {}\n", "flags: {}\noverrides:\n",
		"# comment\nflags: {} # none yet\n", "--- {flags: {}}\n",
		"flags: {}\noverrides: {acme: ~, beta: {}}\n"
	};
	static const struct
	{
		const char *yaml;
		int			line;
		int			column;
		const char *message;
	}			refused[] = {
		{"", 1, 1, "the document is empty: flags is required"},
		{"\n\n", 1, 1, "the document is empty: flags is required"},
		{"# just a comment\n# and another\n", 1, 1, "the document is empty: flags is required"},
		{"---\n", 2, 1, "the document is empty: flags is required"},
		{"--- ~\n", 1, 5, "the document is empty: flags is required"},
		{"~", 1, 1, "the document is empty: flags is required"},
		{"null\n", 1, 1, "the document is empty: flags is required"},
		{"flags:\n", 1, 7, "flags is required, got null"},
		{"flags: ~\n", 1, 8, "flags is required, got null"},
		{"# header\nflags: null\noverrides: {}\n", 2, 8, "flags is required, got null"},
		{"overrides:\n", 1, 1, "flags is required"},
		{"overrides: {acme: ~, beta: {}}\n", 1, 1, "flags is required"},
		{"\n{overrides: {}}\n", 2, 1, "flags is required"},
	};

	for (size_t i = 0; i < sizeof(zero_flags) / sizeof(zero_flags[0]); i++)
	{
		FFYamlDocument doc;
		FFYamlError err;
		FFYamlStatus st = ff_yaml_parse(zero_flags[i], strlen(zero_flags[i]), &doc, &err);

		CHECK(st == FF_YAML_OK && doc.nflags == 0 && doc.noverrides == 0 &&
			  doc.nwarnings == 0, "zero flags from flags: {} document %zu", i);
		if (st == FF_YAML_OK)
			roundtrip("flags: {}", &doc);
		ff_yaml_document_free(&doc);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
	{
		char		name[64];

		snprintf(name, sizeof(name), "document without flags %zu", i);
		EXPECT_ERROR(name, refused[i].yaml, FF_YAML_MISSING, refused[i].line,
					 refused[i].column, refused[i].message, "");
	}
	{
		FFYamlDocument doc;
		FFYamlError err;

		CHECK(ff_yaml_parse(NULL, 0, &doc, &err) == FF_YAML_MISSING &&
			  strcmp(err.message, "the document is empty: flags is required") == 0,
			  "NULL input is refused as an empty document");
	}
}

/* Unicode keys and values. */
static void
test_unicode(void)
{
	FFYamlDocument doc;
	char		yaml[4096];
	char		key[1100];
	size_t		k = 0;

	if (parse_ok("unicode",
				 "flags:\n"
				 "  \xF0\x9F\x9A\x80_launch:\n"	/* rocket */
				 "    name: \xE5\x90\x89 \xE6\x98\x9F \xE9\xAB\x98 \xE7\x85\xA7\n"
				 "    description: caf\xC3\xA9 \xF0\x9F\xA6\x8E\n"
				 "    environments: [\xE7\x94\x9F\xE4\xBA\xA7]\n"
				 "  \"\xE6\x97\xA5\xE6\x9C\xAC\": {name: \xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82}\n",
				 &doc))
	{
		CHECK(strcmp(doc.flags[0].key, "\xF0\x9F\x9A\x80_launch") == 0, "emoji key");
		CHECK(strcmp(doc.flags[0].name, "\xE5\x90\x89 \xE6\x98\x9F \xE9\xAB\x98 \xE7\x85\xA7") == 0,
			  "CJK name");
		CHECK(strcmp(doc.flags[1].key, "\xE6\x97\xA5\xE6\x9C\xAC") == 0, "quoted CJK key");
		roundtrip("unicode", &doc);
		ff_yaml_document_free(&doc);
	}

	/* 255 characters of 3 bytes each is a valid key; 256 is not */
	for (int i = 0; i < 255; i++)
	{
		memcpy(key + k, "\xE5\x90\x89", 3);
		k += 3;
	}
	key[k] = '\0';
	snprintf(yaml, sizeof(yaml), "flags:\n  %s: {name: x}\n", key);
	if (parse_ok("255-character CJK key (765 bytes)", yaml, &doc))
	{
		CHECK(strlen(doc.flags[0].key) == 765, "255-character key kept whole");
		roundtrip("255-character key", &doc);
		ff_yaml_document_free(&doc);
	}
	snprintf(yaml, sizeof(yaml), "flags:\n  %s\xE5\x90\x89: {name: x}\n", key);
	EXPECT_ERROR("256-character key", yaml, FF_YAML_RANGE, 2, 3,
				 "flag keys must be 1 to 255 characters, got 256", NULL);
}

/* Every class of error, with its position. */
static void
test_errors(void)
{
	EXPECT_ERROR("syntax error", "flags:\n  a:\n    name: x\n    description: y: z\n",
				 FF_YAML_SYNTAX, 4, 19, "invalid YAML: mapping values are not allowed in this context",
				 NULL);
	EXPECT_ERROR("unterminated quote", "flags:\n  a:\n    name: \"x\n", FF_YAML_SYNTAX, 4, 1,
				 "invalid YAML: found unexpected end of stream (while scanning a quoted scalar that began at line 3, column 11)",
				 NULL);
	EXPECT_ERROR("bad indentation", "flags:\n  a:\n    name: x\n   bad: 1\n", FF_YAML_SYNTAX, 4, 4,
				 "invalid YAML: ", NULL);
	EXPECT_ERROR("invalid UTF-8", "flags:\n  a:\n    name: \xFF\xFE\n", FF_YAML_SYNTAX, 3, 11,
				 "invalid YAML: invalid leading UTF-8 octet", NULL);
	expect_error("NUL byte", "flags:\n  a:\n    na\0me: x\n", 24, FF_YAML_SYNTAX, 3, 7,
				 "NUL byte", NULL);
	EXPECT_ERROR("control character", "flags:\n  a:\n    name: a\x01" "b\n", FF_YAML_SYNTAX, 3, 12,
				 "control characters are not allowed", NULL);
	EXPECT_ERROR("top level list", "- flags\n", FF_YAML_STRUCTURE, 1, 1,
				 "the document must be a mapping with a flags key, got a list", NULL);
	EXPECT_ERROR("top level string", "hello\n", FF_YAML_STRUCTURE, 1, 1,
				 "got \"hello\" (a string)", NULL);
	EXPECT_ERROR("unknown top-level key", "flags: {}\nflag: {}\n", FF_YAML_UNKNOWN_FIELD, 2, 1,
				 "unknown field \"flag\" at the top level (did you mean \"flags\"?)", NULL);
	EXPECT_ERROR("duplicate top-level key", "flags: {}\nflags: {}\n", FF_YAML_DUPLICATE, 2, 1,
				 "duplicate field \"flags\" at the top level", NULL);
	EXPECT_ERROR("flags is a list", "flags:\n  - a\n", FF_YAML_TYPE, 2, 3,
				 "flags must be a mapping of flag keys to flag fields, got a list", NULL);
	EXPECT_ERROR("flag is a string", "flags:\n  a: on\n", FF_YAML_TYPE, 2, 6,
				 "flag \"a\" must be a mapping of fields, got \"on\" (a boolean)", "a");
	EXPECT_ERROR("flag is null", "flags:\n  a:\n  b: {name: x}\n", FF_YAML_TYPE, 2, 5,
				 "flag \"a\" must be a mapping of fields, got null", "a");
	EXPECT_ERROR("unknown field default_enable",
				 "flags:\n  a:\n    name: A\n    default_enable: true\n",
				 FF_YAML_UNKNOWN_FIELD, 4, 5,
				 "unknown field \"default_enable\" in flag \"a\" (did you mean \"default_enabled\"?)",
				 "a");
	{
		FFYamlDocument doc;
		FFYamlError err;

		ff_yaml_parse("flags: {a: {name: A, default_enable: true}}", 43, &doc, &err);
		CHECK(strcmp(err.field, "default_enable") == 0, "unknown field named in err.field");
	}
	EXPECT_ERROR("unknown field, no suggestion", "flags:\n  a:\n    colour: red\n",
				 FF_YAML_UNKNOWN_FIELD, 3, 5,
				 "expected name, description, default_enabled, is_public, rollout_percentage, deprecated, environments, kill_switch, variants, rules or prerequisites",
				 "a");
	EXPECT_ERROR("duplicate flag key",
				 "flags:\n  a: {name: A}\n  b: {name: B}\n  a: {name: C}\n",
				 FF_YAML_DUPLICATE, 4, 3, "duplicate flag key \"a\"", "a");
	EXPECT_ERROR("duplicate field", "flags:\n  a:\n    name: A\n    name: B\n",
				 FF_YAML_DUPLICATE, 4, 5, "duplicate field \"name\" in flag \"a\"", "a");
	EXPECT_ERROR("rollout 150", "flags:\n  a:\n    name: A\n    rollout_percentage: 150\n",
				 FF_YAML_RANGE, 4, 25,
				 "rollout_percentage must be an integer from 0 to 100, got \"150\"", "a");
	EXPECT_ERROR("rollout -1", "flags:\n  a:\n    name: A\n    rollout_percentage: -1\n",
				 FF_YAML_RANGE, 4, 25,
				 "rollout_percentage must be an integer from 0 to 100, got \"-1\"", "a");
	EXPECT_ERROR("missing name", "flags:\n  a:\n    description: no name\n",
				 FF_YAML_MISSING, 2, 3, "name is required", "a");
	EXPECT_ERROR("empty flag mapping", "flags:\n  a: {}\n", FF_YAML_MISSING, 2, 3,
				 "name is required", "a");
	EXPECT_ERROR("null name", "flags:\n  a:\n    name:\n", FF_YAML_MISSING, 3, 10,
				 "name is required, got null", "a");
	EXPECT_ERROR("integer name", "flags:\n  a:\n    name: 123\n", FF_YAML_TYPE, 3, 11,
				 "name must be a string, got \"123\" (an integer): quote it to keep it as text", "a");
	EXPECT_ERROR("list name", "flags:\n  a:\n    name: [x]\n", FF_YAML_TYPE, 3, 11,
				 "name must be a string, got a list", "a");
	EXPECT_ERROR("null description", "flags:\n  a:\n    name: A\n    description: ~\n",
				 FF_YAML_TYPE, 4, 18, "description must be a string, got null", "a");
	EXPECT_ERROR("NUL escape in a name", "flags:\n  a:\n    name: \"x\\0y\"\n", FF_YAML_TYPE,
				 3, 11, "name must not contain a NUL character", "a");
	EXPECT_ERROR("environments a string", "flags:\n  a:\n    name: A\n    environments: prod\n",
				 FF_YAML_TYPE, 4, 19,
				 "environments must be a list of strings or null, got \"prod\" (a string)", "a");
	EXPECT_ERROR("environments item an integer",
				 "flags:\n  a:\n    name: A\n    environments: [prod, 1]\n",
				 FF_YAML_TYPE, 4, 26, "environments items must be strings, got \"1\" (an integer)", "a");
	EXPECT_ERROR("environments item a list",
				 "flags:\n  a:\n    name: A\n    environments:\n      - [prod]\n",
				 FF_YAML_TYPE, 5, 9, "environments items must be strings, got a list", "a");
	EXPECT_ERROR("mapping as a key", "flags:\n  ? {a: b}\n  : {name: x}\n", FF_YAML_STRUCTURE,
				 2, 5, "mapping keys must be strings, got a mapping", NULL);
	EXPECT_ERROR("empty flag key", "flags:\n  '': {name: x}\n", FF_YAML_RANGE, 2, 3,
				 "flag keys must be 1 to 255 characters, got 0", NULL);
	EXPECT_ERROR("integer flag key", "flags:\n  123: {name: x}\n", FF_YAML_TYPE, 2, 3,
				 "flag keys must be strings, got \"123\" (an integer): quote it to keep it as text",
				 "123");
	EXPECT_ERROR("boolean flag key", "flags:\n  on: {name: x}\n", FF_YAML_TYPE, 2, 3,
				 "flag keys must be strings, got \"on\" (a boolean)", NULL);
	EXPECT_ERROR("null flag key", "flags:\n  ~: {name: x}\n", FF_YAML_TYPE, 2, 3,
				 "flag keys must be strings, got null", NULL);
	EXPECT_ERROR("tag", "flags:\n  a:\n    name: !!str yes\n", FF_YAML_UNSUPPORTED, 3, 11,
				 "tags are not supported (found \"tag:yaml.org,2002:str\")", "a");
	EXPECT_ERROR("custom tag", "!flags\nflags: {}\n", FF_YAML_UNSUPPORTED, 1, 1,
				 "tags are not supported", NULL);
	EXPECT_ERROR("anchor", "flags:\n  a: &base {name: A}\n  b: *base\n", FF_YAML_UNSUPPORTED,
				 2, 6, "anchors and aliases are not supported (found anchor \"base\")", "a");
	EXPECT_ERROR("merge key", "flags:\n  a:\n    <<: {name: A}\n", FF_YAML_UNSUPPORTED, 3, 5,
				 "merge keys (<<) are not supported", "a");
	EXPECT_ERROR("two documents", "flags: {}\n---\nflags: {}\n", FF_YAML_UNSUPPORTED, 2, 1,
				 "more than one YAML document is not supported", NULL);
	EXPECT_ERROR("two documents after an end marker",
				 "flags: {}\n...\n--- {}\n", FF_YAML_UNSUPPORTED, 3, 1,
				 "more than one YAML document", NULL);
}

/* Anchors, aliases and nesting bombs fail at once. */
static void
test_bombs(void)
{
	static const char laughs[] =
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	static const char aliased_flags[] =
		"flags:\n"
		"  a:\n"
		"    name: A\n"
		"    environments: &envs [x]\n";
	const int	depth = 20000;
	char	   *deep = malloc((size_t) depth * 2 + 64);
	unsigned long long t0 = 0;
	unsigned long long e;
	size_t		n;

	/* the top-level keys a..i are unknown: the first is refused before any alias */
	EXPECT_ERROR("billion laughs", laughs, FF_YAML_UNKNOWN_FIELD, 1, 1,
				 "unknown field \"a\" at the top level", NULL);
	EXPECT_ERROR("alias inside flags", aliased_flags, FF_YAML_UNSUPPORTED, 4, 19,
				 "aliases are not supported", "a");
	EXPECT_ERROR("alias as a value", "flags:\n  a: {name: *x}\n", FF_YAML_UNSUPPORTED, 2, 13,
				 "anchors and aliases are not supported (found alias \"x\")", "a");

	/* 20,000 "[" at the top, inside flags, inside environments */
	memset(deep, '[', (size_t) depth);
	deep[depth] = '\0';
	events_since(&t0);
	EXPECT_ERROR("20,000 [ at the top", deep, FF_YAML_STRUCTURE, 1, 1,
				 "the document must be a mapping with a flags key, got a list", NULL);
	e = events_since(&t0);
	CHECK(e <= 8, "20,000 [ refused at once (%llu events)", e);

	n = (size_t) sprintf(deep, "flags:\n  a:\n    name: x\n    environments: ");
	memset(deep + n, '[', (size_t) depth);
	deep[n + (size_t) depth] = '\0';
	events_since(&t0);
	EXPECT_ERROR("20,000 [ in environments", deep, FF_YAML_TYPE, 4, 20,
				 "environments items must be strings, got a list", "a");
	e = events_since(&t0);
	CHECK(e <= 16, "20,000 [ in environments refused at once (%llu events)",
		  e);

	n = (size_t) sprintf(deep, "flags: ");
	memset(deep + n, '{', (size_t) depth);
	deep[n + (size_t) depth] = '\0';
	events_since(&t0);
	EXPECT_ERROR("20,000 { in flags", deep, FF_YAML_STRUCTURE, 1, 9,
				 "mapping keys must be strings, got a mapping", NULL);
	e = events_since(&t0);
	CHECK(e <= 8, "20,000 { refused at once (%llu events)", e);

	free(deep);

	/* 1,000 levels of block mappings (half a megabyte of indentation) */
	deep = malloc(1000 * 1004 / 2 + 5000);
	n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t) sprintf(deep + n, "%*sk:\n", i, "");
	events_since(&t0);
	EXPECT_ERROR("1,000 nested block mappings", deep, FF_YAML_UNKNOWN_FIELD, 1, 1,
				 "unknown field \"k\" at the top level", NULL);
	e = events_since(&t0);
	CHECK(e <= 8, "nested block mappings refused at once (%llu events)", e);
	free(deep);
}

/* Warnings: rollout quirk and environments: []. */
static void
test_warnings(void)
{
	FFYamlDocument doc;

	if (parse_ok("warnings",
				 "flags:\n"
				 "  blocked:\n"
				 "    name: B\n"
				 "    environments: []\n"
				 "  narrowed:\n"
				 "    name: N\n"
				 "    rollout_percentage: 30\n"
				 "  fine:\n"
				 "    name: F\n"
				 "    default_enabled: true\n"
				 "    rollout_percentage: 30\n"
				 "    environments: [prod]\n"
				 "  zero:\n"
				 "    name: Z\n"
				 "    rollout_percentage: 0\n", &doc))
	{
		CHECK(doc.nwarnings == 2, "two warnings (got %zu)", doc.nwarnings);
		if (doc.nwarnings == 2)
		{
			FFYamlWarning *w = &doc.warnings[0];

			CHECK(strcmp(w->flag_key, "blocked") == 0 && w->line == 4 && w->column == 19 &&
				  strstr(w->message, "off in every environment") != NULL,
				  "environments: [] warns at 4:19 (%s %d:%d %s)", w->flag_key, w->line,
				  w->column, w->message);
			w = &doc.warnings[1];
			CHECK(strcmp(w->flag_key, "narrowed") == 0 && w->line == 7 && w->column == 25 &&
				  strcmp(w->message, "rollout_percentage is 30 but default_enabled is false, "
						 "so the flag is off for everyone: a rollout only narrows a flag that is on") == 0,
				  "rollout quirk warns at 7:25 (%s)", w->message);
		}
		CHECK(doc.flags[0].has_environments && doc.flags[0].environments.count == 0,
			  "environments: [] is kept (not turned into null)");
		roundtrip("warnings", &doc);
		ff_yaml_document_free(&doc);
	}
}

static const char overrides_yaml[] =
"flags:\n"
"  a: {name: A}\n"
"overrides:\n"
"  acme:\n"
"    a:\n"
"      enabled: true\n"
"      rollout_percentage: 25\n"
"      enabled_for_users: [u1, \"u 2\"]\n"
"      enabled_for_groups:\n"
"        - beta\n"
"    b:\n"
"      enabled: null\n"
"      rollout_percentage: ~\n"
"  \"42\":\n"
"    a: {}\n"
"  empty_tenant: {}\n"
"  null_tenant:\n"
"  '':\n"
"    a: {enabled: off, enabled_for_users: []}\n";

/* The overrides section. */
static void
test_overrides(void)
{
	FFYamlDocument doc;
	FFYamlOverride *o;

	if (!parse_ok("overrides", overrides_yaml, &doc))
		return;
	CHECK(doc.noverrides == 4, "four overrides (got %zu)", doc.noverrides);
	if (doc.noverrides == 4)
	{
		o = &doc.overrides[0];
		CHECK(strcmp(o->tenant_id, "acme") == 0 && strcmp(o->flag_key, "a") == 0 &&
			  o->has_enabled && o->enabled == 1 && o->has_rollout &&
			  o->rollout_percentage == 25 && o->has_users && o->users.count == 2 &&
			  strcmp(o->users.items[1], "u 2") == 0 && o->has_groups &&
			  o->groups.count == 1 && strcmp(o->groups.items[0], "beta") == 0 &&
			  o->line == 5 && o->column == 5, "acme/a: every field");
		o = &doc.overrides[1];
		CHECK(strcmp(o->flag_key, "b") == 0 && o->has_enabled && o->enabled == -1 &&
			  o->has_rollout && o->rollout_percentage == -1 && !o->has_users &&
			  !o->has_groups, "acme/b: enabled and rollout null, lists absent");
		o = &doc.overrides[2];
		CHECK(strcmp(o->tenant_id, "42") == 0 && !o->has_enabled && !o->has_rollout &&
			  !o->has_users && !o->has_groups && o->enabled == -1 &&
			  o->rollout_percentage == -1, "42/a: {} records no field");
		o = &doc.overrides[3];
		CHECK(strcmp(o->tenant_id, "") == 0 && o->has_enabled && o->enabled == 0 &&
			  o->has_users && o->users.count == 0, "''/a: empty tenant id, enabled off");
	}
	roundtrip("overrides", &doc);
	ff_yaml_document_free(&doc);

	EXPECT_ERROR("duplicate tenant", "overrides:\n  acme: {a: {}}\n  acme: {b: {}}\n",
				 FF_YAML_DUPLICATE, 3, 3, "duplicate tenant \"acme\" in overrides", NULL);
	EXPECT_ERROR("duplicate flag in a tenant", "overrides:\n  acme:\n    a: {}\n    a: {}\n",
				 FF_YAML_DUPLICATE, 4, 5,
				 "duplicate flag key \"a\" in the overrides of tenant \"acme\"", "a");
	{
		FFYamlDocument d;

		CHECK(parse_ok("same flag under two tenants",
					   "flags: {}\noverrides:\n  acme: {a: {}}\n  beta: {a: {}}\n", &d) &&
			  d.noverrides == 2, "same flag key under two tenants is fine");
		ff_yaml_document_free(&d);
	}
	EXPECT_ERROR("integer tenant", "overrides:\n  42:\n    a: {}\n", FF_YAML_TYPE, 2, 3,
				 "tenant ids must be strings, got \"42\" (an integer): quote it", NULL);
	EXPECT_ERROR("tenant is a list", "overrides:\n  acme: [a]\n", FF_YAML_TYPE, 2, 9,
				 "tenant \"acme\" must be a mapping of flag keys to overrides, got a list", NULL);
	EXPECT_ERROR("override is null", "overrides:\n  acme:\n    a:\n", FF_YAML_TYPE, 3, 7,
				 "the override of flag \"a\" for tenant \"acme\" must be a mapping of fields, got null",
				 "a");
	EXPECT_ERROR("unknown override field", "overrides:\n  acme:\n    a: {enable: true}\n",
				 FF_YAML_UNKNOWN_FIELD, 3, 9,
				 "unknown field \"enable\" in the override of flag \"a\" for tenant \"acme\" (did you mean \"enabled\"?)",
				 "a");
	EXPECT_ERROR("override enabled quoted", "overrides:\n  acme:\n    a: {enabled: 'true'}\n",
				 FF_YAML_TYPE, 3, 18,
				 "enabled must be true, false or null, got \"true\" (a quoted string)", "a");
	EXPECT_ERROR("override rollout 101", "overrides:\n  acme:\n    a: {rollout_percentage: 101}\n",
				 FF_YAML_RANGE, 3, 29,
				 "rollout_percentage must be an integer from 0 to 100 or null, got \"101\"", "a");
	EXPECT_ERROR("override users null", "overrides:\n  acme:\n    a: {enabled_for_users: ~}\n",
				 FF_YAML_TYPE, 3, 28, "enabled_for_users must be a list of strings, got null", "a");
	EXPECT_ERROR("override group an integer",
				 "overrides:\n  acme:\n    a: {enabled_for_groups: [7]}\n",
				 FF_YAML_TYPE, 3, 30, "enabled_for_groups items must be strings, got \"7\" (an integer)",
				 "a");
	EXPECT_ERROR("override duplicate field",
				 "overrides:\n  acme:\n    a: {enabled: true, enabled: false}\n",
				 FF_YAML_DUPLICATE, 3, 24, "duplicate field \"enabled\"", "a");
	EXPECT_ERROR("empty override flag key", "overrides:\n  acme:\n    '': {}\n",
				 FF_YAML_RANGE, 3, 5, "flag keys must be 1 to 255 characters, got 0", "");
	{
		FFYamlDocument d;
		FFYamlError err;

		ff_yaml_parse("overrides:\n  acme:\n    a: {rollout_percentage: 101}\n", 51, &d, &err);
		CHECK(strcmp(err.tenant_id, "acme") == 0 && strcmp(err.flag_key, "a") == 0 &&
			  strcmp(err.field, "rollout_percentage") == 0,
			  "override errors name tenant, flag and field");
	}
}

/* Expected plain or quoted output of one string. */
static void
expect_scalar(const char *s, size_t len, const char *expected)
{
	FFBuf		buf;

	ff_buf_init(&buf);
	CHECK(ff_yaml_emit_scalar(&buf, s, len) && strcmp(buf.data, expected) == 0,
		  "scalar %s (got %s)", expected, buf.data ? buf.data : "(null)");
	ff_buf_free(&buf);
}

/* Emitter quoting decisions. */
static void
test_emit_scalars(void)
{
	static const struct
	{
		const char *in;
		const char *out;
	}			cases[] = {
		{"hello", "hello"}, {"New Dashboard", "New Dashboard"}, {"", "\"\""},
		{"yes", "\"yes\""}, {"No", "\"No\""}, {"ON", "\"ON\""}, {"y", "y"},
		{"null", "\"null\""}, {"~", "\"~\""}, {"123", "\"123\""}, {"-1", "\"-1\""},
		{"1_000", "\"1_000\""}, {"0x1F", "\"0x1F\""}, {"0o17", "0o17"},
		{"1.5", "\"1.5\""}, {".inf", "\".inf\""}, {"2e1", "2e1"},
		{"2024-01-31", "\"2024-01-31\""}, {"1:30", "\"1:30\""}, {"<<", "\"<<\""},
		{"=", "\"=\""}, {" lead", "\" lead\""}, {"trail ", "\"trail \""},
		{"a: b", "\"a: b\""}, {"a:b", "\"a:b\""}, {"a #b", "\"a #b\""},
		{"a#b", "\"a#b\""}, {"-x", "\"-x\""}, {"- x", "\"- x\""}, {"?x", "\"?x\""},
		{"x-y", "x-y"}, {"[x]", "\"[x]\""}, {"{x}", "\"{x}\""}, {"a,b", "\"a,b\""},
		{"&a", "\"&a\""}, {"*a", "\"*a\""}, {"!a", "\"!a\""}, {"|", "\"|\""},
		{">", "\">\""}, {"'q'", "\"'q'\""}, {"say \"hi\"", "\"say \\\"hi\\\"\""},
		{"%x", "\"%x\""}, {"@x", "\"@x\""}, {"`x`", "\"`x`\""},
		{"back\\slash", "\"back\\\\slash\""}, {"a\nb", "\"a\\nb\""},
		{"tab\there", "\"tab\\there\""}, {"cr\r", "\"cr\\r\""}, {"bell\a", "\"bell\\a\""},
		{"esc\x1B", "\"esc\\e\""}, {"ctl\x01", "\"ctl\\x01\""}, {"del\x7F", "\"del\\x7F\""},
		{"---", "\"---\""}, {"...", "..."}, {"a b  c", "a b  c"}, {"snake_case.key/v2", "snake_case.key/v2"},
		{"caf\xC3\xA9", "caf\xC3\xA9"}, {"\xE6\x97\xA5\xE6\x9C\xAC", "\xE6\x97\xA5\xE6\x9C\xAC"},
		{"\xF0\x9F\x9A\x80", "\xF0\x9F\x9A\x80"}, {"nel\xC2\x85", "\"nel\\N\""},
		{"c1\xC2\x80", "\"c1\\x80\""}, {"ls\xE2\x80\xA8", "\"ls\\L\""}, {"ps\xE2\x80\xA9", "\"ps\\P\""},
		{"\xEF\xBB\xBF" "bom", "\"\\uFEFFbom\""}, {"nc\xEF\xBF\xBE", "\"nc\\uFFFE\""},
		{"nbsp\xC2\xA0", "nbsp\xC2\xA0"}, {"bad\xFF", "\"bad\\xFF\""},
		{"trunc\xE6\x97", "\"trunc\\xE6\\x97\""}
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_scalar(cases[i].in, strlen(cases[i].in), cases[i].out);
	expect_scalar("nul\0x", 5, "\"nul\\0x\"");
	expect_scalar(NULL, 0, "\"\"");
}

/* Build a one-flag document around the given strings. */
static void
one_flag_doc(FFYamlDocument *doc, FFYamlFlag *flag, FFYamlOverride *ovr,
			 char *key, char *name, char *tenant, char **env)
{
	memset(doc, 0, sizeof(*doc));
	memset(flag, 0, sizeof(*flag));
	memset(ovr, 0, sizeof(*ovr));
	flag->key = key;
	flag->name = name;
	flag->description = name;
	flag->has_environments = true;
	flag->environments.items = env;
	flag->environments.count = 1;
	ovr->tenant_id = tenant;
	ovr->flag_key = key;
	ovr->has_users = true;
	ovr->users.items = env;
	ovr->users.count = 1;
	ovr->enabled = -1;
	ovr->rollout_percentage = -1;
	doc->flags = flag;
	doc->nflags = 1;
	doc->overrides = ovr;
	doc->noverrides = 1;
}

/* Every single character and many random strings survive a round trip. */
static void
test_emit_roundtrip_strings(void)
{
	FFYamlDocument doc;
	FFYamlFlag	flag;
	FFYamlOverride ovr;
	char		s[64];
	char	   *env[1];
	int			failures = 0;
	uint32_t	seed = 12345;
	static const uint32_t interesting[] = {
		0x85, 0xA0, 0xFF, 0x100, 0x2028, 0x2029, 0x3000, 0xFEFF, 0xFFFD, 0xFFFE,
		0xFFFF, 0x10000, 0x1F680, 0x10FFFF, 0xE000, 0xD7FF
	};

	env[0] = s;
	/* every ASCII character alone, and before and after a letter */
	for (int c = 1; c < 128; c++)
	{
		for (int form = 0; form < 3; form++)
		{
			FFBuf		out = {0};
			FFYamlDocument back;
			FFYamlError err;

			if (form == 0)
				snprintf(s, sizeof(s), "%c", c);
			else if (form == 1)
				snprintf(s, sizeof(s), "%ca", c);
			else
				snprintf(s, sizeof(s), "a%c", c);
			one_flag_doc(&doc, &flag, &ovr, s, s, s, env);
			if (!ff_yaml_emit_document(&out, &doc) ||
				ff_yaml_parse(out.data, out.len, &back, &err) != FF_YAML_OK)
			{
				if (failures++ < 5)
					printf("# ascii %d form %d: %s\n", c, form, err.message);
				ff_buf_free(&out);
				continue;
			}
			if (!ff_yaml_documents_equal(&doc, &back) && failures++ < 5)
				printf("# ascii %d form %d differs\n", c, form);
			ff_yaml_document_free(&back);
			ff_buf_free(&out);
		}
	}
	CHECK(failures == 0, "every ASCII character round-trips as key, name, tenant and list item");

	/* random mixes of ASCII, indicators, blanks and interesting code points */
	failures = 0;
	for (int iter = 0; iter < 20000; iter++)
	{
		size_t		n = 0;
		int			nchars;
		FFBuf		out = {0};
		FFYamlDocument back;
		FFYamlError err;

		seed = seed * 1103515245 + 12345;
		nchars = 1 + (int) ((seed >> 16) % 8);
		for (int k = 0; k < nchars; k++)
		{
			uint32_t	cp;

			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 4 == 0)
				cp = interesting[(seed >> 8) % (sizeof(interesting) / sizeof(interesting[0]))];
			else
				cp = 1 + (seed >> 16) % 127;
			if (cp < 0x80)
				s[n++] = (char) cp;
			else if (cp < 0x800)
			{
				s[n++] = (char) (0xC0 | (cp >> 6));
				s[n++] = (char) (0x80 | (cp & 0x3F));
			}
			else if (cp < 0x10000)
			{
				s[n++] = (char) (0xE0 | (cp >> 12));
				s[n++] = (char) (0x80 | ((cp >> 6) & 0x3F));
				s[n++] = (char) (0x80 | (cp & 0x3F));
			}
			else
			{
				s[n++] = (char) (0xF0 | (cp >> 18));
				s[n++] = (char) (0x80 | ((cp >> 12) & 0x3F));
				s[n++] = (char) (0x80 | ((cp >> 6) & 0x3F));
				s[n++] = (char) (0x80 | (cp & 0x3F));
			}
		}
		s[n] = '\0';
		one_flag_doc(&doc, &flag, &ovr, s, s, s, env);
		if (!ff_yaml_emit_document(&out, &doc) ||
			ff_yaml_parse(out.data, out.len, &back, &err) != FF_YAML_OK)
		{
			if (failures++ < 5)
				printf("# random string %d: %s\n%s\n", iter, err.message, out.data);
			ff_buf_free(&out);
			continue;
		}
		if (!ff_yaml_documents_equal(&doc, &back) && failures++ < 5)
			printf("# random string %d differs\n%s\n", iter, out.data);
		ff_yaml_document_free(&back);
		ff_buf_free(&out);
	}
	CHECK(failures == 0, "20,000 random strings round-trip");
}

/* Keys too long for an implicit key are written as explicit "? key". */
static void
test_emit_long_keys(void)
{
	FFYamlDocument doc;
	FFYamlFlag	flag;
	FFYamlOverride ovr;
	char	   *env[1] = {"prod"};
	char		key[256];
	char	   *tenant = malloc(5001);
	FFBuf		out = {0};

	memset(key, '\x01', 255);	/* 255 characters, 1020 bytes escaped */
	key[255] = '\0';
	memset(tenant, 't', 5000);
	tenant[5000] = '\0';
	one_flag_doc(&doc, &flag, &ovr, key, "n", tenant, env);
	CHECK(ff_yaml_emit_document(&out, &doc) && strstr(out.data, "  ? \"\\x01") != NULL,
		  "long escaped key written as an explicit key");
	ff_buf_free(&out);
	roundtrip("1020-byte escaped flag key and 5000-byte tenant", &doc);
	free(tenant);
}

/* The emitted layout, byte for byte. */
static void
test_emit_layout(void)
{
	FFYamlDocument doc;
	FFBuf		out = {0};
	static const char expected[] =
		"flags:\n"
		"  a:\n"
		"    name: A\n"
		"    description: \"\"\n"
		"    default_enabled: true\n"
		"    is_public: false\n"
		"    rollout_percentage: 5\n"
		"    deprecated: true\n"
		"    environments:\n"
		"      - prod\n"
		"      - \"yes\"\n"
		"  b:\n"
		"    name: B\n"
		"    description: \"\"\n"
		"    default_enabled: false\n"
		"    is_public: false\n"
		"    rollout_percentage: 0\n"
		"    deprecated: false\n"
		"    environments: []\n"
		"  c:\n"
		"    name: C\n"
		"    description: \"\"\n"
		"    default_enabled: false\n"
		"    is_public: false\n"
		"    rollout_percentage: 0\n"
		"    deprecated: false\n"
		"    environments: null\n"
		"overrides:\n"
		"  acme:\n"
		"    a:\n"
		"      enabled: false\n"
		"      rollout_percentage: null\n"
		"      enabled_for_users: []\n"
		"    b: {}\n"
		"  \"007\":\n"
		"    c:\n"
		"      enabled_for_groups:\n"
		"        - g\n";

	if (!parse_ok("layout input",
				  "flags:\n"
				  "  a: {name: A, default_enabled: yes, rollout_percentage: 5, deprecated: on,"
				  " environments: [prod, 'yes']}\n"
				  "  b: {name: B, environments: []}\n"
				  "  c: {name: C, environments: ~}\n"
				  "overrides:\n"
				  "  acme: {a: {enabled: no, rollout_percentage: null, enabled_for_users: []}, b: {}}\n"
				  "  '007': {c: {enabled_for_groups: [g]}}\n", &doc))
		return;
	CHECK(ff_yaml_emit_document(&out, &doc) && strcmp(out.data, expected) == 0,
		  "emitted layout is fixed");
	if (strcmp(out.data, expected) != 0)
		printf("# got:\n%s", out.data);
	ff_buf_free(&out);
	ff_yaml_document_free(&doc);

	memset(&doc, 0, sizeof(doc));
	CHECK(ff_yaml_emit_document(&out, &doc) && strcmp(out.data, "flags: {}\n") == 0,
		  "empty document is flags: {}");
	ff_buf_free(&out);
}

/* Overrides of one tenant given apart are gathered under the tenant. */
static void
test_emit_grouping(void)
{
	FFYamlFlag	flag = {0};
	FFYamlOverride ovr[4];
	FFYamlDocument doc = {0};
	FFYamlDocument back;
	FFYamlError err;
	FFBuf		out = {0};
	static char *tenants[] = {"t2", "t1", "t2", "t1"};
	static char *keys[] = {"a", "b", "c", "d"};

	flag.key = "a";
	flag.name = "A";
	flag.description = "";
	memset(ovr, 0, sizeof(ovr));
	for (int i = 0; i < 4; i++)
	{
		ovr[i].tenant_id = tenants[i];
		ovr[i].flag_key = keys[i];
		ovr[i].has_enabled = true;
		ovr[i].enabled = i % 2;
	}
	doc.flags = &flag;
	doc.nflags = 1;
	doc.overrides = ovr;
	doc.noverrides = 4;
	CHECK(ff_yaml_emit_document(&out, &doc) &&
		  ff_yaml_parse(out.data, out.len, &back, &err) == FF_YAML_OK,
		  "interleaved tenants emit a valid document");
	if (back.noverrides == 4)
		CHECK(strcmp(back.overrides[0].flag_key, "a") == 0 &&
			  strcmp(back.overrides[1].flag_key, "c") == 0 &&
			  strcmp(back.overrides[2].flag_key, "b") == 0 &&
			  strcmp(back.overrides[3].flag_key, "d") == 0 &&
			  strcmp(back.overrides[0].tenant_id, "t2") == 0 &&
			  strcmp(back.overrides[2].tenant_id, "t1") == 0,
			  "tenants in order of first appearance, flags in given order");
	ff_yaml_document_free(&back);
	ff_buf_free(&out);
}

/* A document of n flags and n overrides (10 a tenant). */
static void
performance_document(FFBuf *yaml, int n)
{
	char		line[256];

	yaml->len = 0;
	ff_buf_append_str(yaml, "flags:\n");
	for (int i = 0; i < n; i++)
	{
		snprintf(line, sizeof(line),
				 "  flag_%d:\n    name: Flag %d\n    default_enabled: true\n"
				 "    rollout_percentage: %d\n    environments: [prod, staging]\n",
				 i, i, i % 101);
		ff_buf_append_str(yaml, line);
	}
	ff_buf_append_str(yaml, "overrides:\n");
	for (int i = 0; i < n; i++)
	{
		if (i % 10 == 0)
		{
			snprintf(line, sizeof(line), "  tenant_%d:\n", i / 10);
			ff_buf_append_str(yaml, line);
		}
		snprintf(line, sizeof(line), "    flag_%d: {enabled: true}\n", i);
		ff_buf_append_str(yaml, line);
	}
}

/* The work (ff_work_counts) of parsing a document, which must parse; *doc keeps it. */
static FFWorkCounts
parse_work(const FFBuf *yaml, FFYamlDocument *doc)
{
	FFWorkCounts before = ff_work_counts;
	FFWorkCounts work;
	FFYamlError err;

	if (ff_yaml_parse(yaml->data, yaml->len, doc, &err) != FF_YAML_OK)
		printf("# %s at %d:%d\n", err.message, err.line, err.column);
	work.allocations = ff_work_counts.allocations - before.allocations;
	work.bytes_allocated = ff_work_counts.bytes_allocated - before.bytes_allocated;
	work.probes = ff_work_counts.probes - before.probes;
	work.events = ff_work_counts.events - before.events;
	return work;
}

/* Does twice the input take at most 2.5 times the work (linear: 2; quadratic: 4)? */
static bool
linear(unsigned long long small, unsigned long long large)
{
	return small > 0 && large * 2 <= small * 5;
}

/*
 * 10,000 flags and 10,000 overrides parse in linear time: the work counted
 * (allocations, bytes allocated, hash-set probes, libyaml events) for
 * 20,000 of each is at most 2.5 times that for 10,000, whatever the
 * machine's speed, and the key lookups take a few probes each.
 */
static void
test_performance(void)
{
	const int	n = 10000;
	FFBuf		yaml = {0};
	FFYamlDocument doc;
	FFYamlError err;
	FFWorkCounts small;
	FFWorkCounts large;
	char		line[256];

	performance_document(&yaml, 2 * n);
	large = parse_work(&yaml, &doc);
	ff_yaml_document_free(&doc);
	performance_document(&yaml, n);
	small = parse_work(&yaml, &doc);
	CHECK(doc.nflags == (size_t) n && doc.noverrides == (size_t) n,
		  "10,000 flags and 10,000 overrides parse");
	CHECK(linear(small.allocations, large.allocations),
		  "... allocations linear (%llu, twice the input %llu)", small.allocations, large.allocations);
	CHECK(linear(small.bytes_allocated, large.bytes_allocated),
		  "... bytes allocated linear (%llu, twice the input %llu)",
		  small.bytes_allocated, large.bytes_allocated);
	CHECK(linear(small.probes, large.probes),
		  "... hash probes linear (%llu, twice the input %llu)", small.probes, large.probes);
	CHECK(small.probes <= 4ull * (2 * n + n / 10),
		  "... at most 4 probes a key on average (%llu for %d keys)", small.probes, 2 * n + n / 10);
	CHECK(linear(small.events, large.events),
		  "... events linear (%llu, twice the input %llu)", small.events, large.events);
	roundtrip("10,000 flags", &doc);
	ff_yaml_document_free(&doc);

	/* a duplicate at the very end is still found */
	snprintf(line, sizeof(line), "  flag_%d:\n    name: again\n", n / 2);
	yaml.len = 0;
	ff_buf_append_str(&yaml, "flags:\n");
	for (int i = 0; i < n; i++)
	{
		char		entry[64];

		snprintf(entry, sizeof(entry), "  flag_%d: {name: x}\n", i);
		ff_buf_append_str(&yaml, entry);
	}
	ff_buf_append_str(&yaml, line);
	CHECK(ff_yaml_parse(yaml.data, yaml.len, &doc, &err) == FF_YAML_DUPLICATE &&
		  err.line == n + 2 && strcmp(err.flag_key, "flag_5000") == 0,
		  "duplicate among 10,000 flags found at line %d", n + 2);
	ff_buf_free(&yaml);
}

#ifdef FF_YAML_FAULT_INJECTION
/* Every allocation failure gives FF_YAML_NOMEM or false, never a crash or leak. */
static void
test_out_of_memory(void)
{
	static const char *const inputs[] = {readme_yaml, overrides_yaml};
	int			parse_failures = 0;
	int			emit_failures = 0;
	bool		parse_ok_all = true;
	bool		emit_ok_all = true;

	for (size_t k = 0; k < 2; k++)
	{
		for (long n = 0;; n++)
		{
			FFYamlDocument doc;
			FFYamlError err;
			FFYamlStatus st;

			ff_yaml_fault_countdown = n;
			st = ff_yaml_parse(inputs[k], strlen(inputs[k]), &doc, &err);
			ff_yaml_fault_countdown = -1;
			if (st == FF_YAML_OK)
			{
				ff_yaml_document_free(&doc);
				break;
			}
			parse_failures++;
			if (st != FF_YAML_NOMEM || err.status != FF_YAML_NOMEM || doc.flags != NULL)
				parse_ok_all = false;
		}
	}
	CHECK(parse_ok_all && parse_failures > 20,
		  "parse: each of %d allocation failures gives FF_YAML_NOMEM", parse_failures);

	for (long n = 0;; n++)
	{
		FFYamlDocument doc;
		FFYamlError err;
		FFBuf		out = {0};
		bool		ok;

		if (ff_yaml_parse(overrides_yaml, strlen(overrides_yaml), &doc, &err) != FF_YAML_OK)
		{
			emit_ok_all = false;
			break;
		}
		ff_yaml_fault_countdown = n;
		ok = ff_yaml_emit_document(&out, &doc);
		ff_yaml_fault_countdown = -1;
		ff_buf_free(&out);
		ff_yaml_document_free(&doc);
		if (ok)
			break;
		emit_failures++;
	}
	CHECK(emit_ok_all && emit_failures > 0,
		  "emit: each of %d allocation failures returns false", emit_failures);
}
#endif

/* What each file of the fuzz corpus must give (the fuzzer itself checks no outcome). */
static const struct
{
	const char *file;
	FFYamlStatus status;
}			corpus_expectations[] = {
	{"alias_bomb.yaml", FF_YAML_UNSUPPORTED},
	{"alias_in_flags.yaml", FF_YAML_UNSUPPORTED},
	{"block_scalars.yaml", FF_YAML_OK},
	{"booleans.yaml", FF_YAML_OK},
	{"comments_crlf.yaml", FF_YAML_OK},
	{"deep_nesting.yaml", FF_YAML_TYPE},
	{"deep_top.yaml", FF_YAML_STRUCTURE},
	{"err_duplicate.yaml", FF_YAML_DUPLICATE},
	{"err_empty.yaml", FF_YAML_MISSING},
	{"err_flags_null.yaml", FF_YAML_MISSING},
	{"err_missing_name.yaml", FF_YAML_MISSING},
	{"err_nul_escape.yaml", FF_YAML_TYPE},
	{"err_null_document.yaml", FF_YAML_MISSING},
	{"err_only_comments.yaml", FF_YAML_MISSING},
	{"err_only_overrides.yaml", FF_YAML_MISSING},
	{"err_range.yaml", FF_YAML_RANGE},
	{"err_syntax.yaml", FF_YAML_SYNTAX},
	{"err_types.yaml", FF_YAML_TYPE},
	{"err_unknown_field.yaml", FF_YAML_UNKNOWN_FIELD},
	{"explicit_key.yaml", FF_YAML_OK},
	{"flags_empty.yaml", FF_YAML_OK},
	{"flow.yaml", FF_YAML_OK},
	{"integers.yaml", FF_YAML_OK},
	{"merge_key.yaml", FF_YAML_UNSUPPORTED},
	{"multi_document.yaml", FF_YAML_UNSUPPORTED},
	{"overrides.yaml", FF_YAML_OK},
	{"quoted_escapes.yaml", FF_YAML_OK},
	{"readme.yaml", FF_YAML_OK},
	{"tags.yaml", FF_YAML_UNSUPPORTED},
	{"unicode.yaml", FF_YAML_OK},
	{"warnings.yaml", FF_YAML_OK},
};

/* The status a corpus file must give, or -1 when the table does not list it. */
static int
corpus_expected_status(const char *file)
{
	for (size_t i = 0; i < sizeof(corpus_expectations) / sizeof(corpus_expectations[0]); i++)
		if (strcmp(corpus_expectations[i].file, file) == 0)
			return (int) corpus_expectations[i].status;
	return -1;
}

/* Parse one file of the corpus directory; its status, or -1 when unreadable. */
static int
parse_corpus_file(const char *dir, const char *file)
{
	char		path[1024];
	FILE	   *f;
	FFBuf		text = {0};
	char		chunk[4096];
	size_t		n;
	FFYamlDocument doc;
	FFYamlStatus st;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ff_buf_append(&text, chunk, n);
	fclose(f);
	st = ff_yaml_parse(text.data, text.len, &doc, NULL);
	ff_yaml_document_free(&doc);
	ff_buf_free(&text);
	return (int) st;
}

/* Every corpus file gives its listed status, and every file is listed. */
static void
test_corpus(void)
{
	const char *dir = getenv("FF_CORPUS_DIR") ? getenv("FF_CORPUS_DIR") : "test/fuzz/corpus";
	DIR		   *d = opendir(dir);
	struct dirent *e;
	int			files = 0;

	if (!CHECK(d != NULL, "corpus directory %s opens (run from the repository root)", dir))
		return;
	while ((e = readdir(d)) != NULL)
	{
		int			expected;
		int			got;

		if (e->d_name[0] == '.')
			continue;
		files++;
		expected = corpus_expected_status(e->d_name);
		got = parse_corpus_file(dir, e->d_name);
		CHECK(expected >= 0 && got == expected, "corpus %s: %s (got %s)", e->d_name,
			  expected >= 0 ? ff_yaml_status_name((FFYamlStatus) expected) : "not listed in corpus_expectations",
			  got >= 0 ? ff_yaml_status_name((FFYamlStatus) got) : "unreadable");
	}
	closedir(d);
	CHECK(files == (int) (sizeof(corpus_expectations) / sizeof(corpus_expectations[0])),
		  "every listed corpus file exists (%d files)", files);
}

static long hook_calls;			/* questions asked since the reset */
static long hook_stop_at;		/* the question answered "stop"; -1: none */

/* Interrupt hook of the tests: count the questions, stop at hook_stop_at. */
static bool
counting_hook(void)
{
	return hook_calls++ == hook_stop_at;
}

/* Install the counting hook with a fresh count; stop at question stop_at. */
static void
reset_hook(long stop_at)
{
	ff_yaml_interrupt_hook = counting_hook;
	hook_calls = 0;
	hook_stop_at = stop_at;
}

/* A document of one flag whose description is len bytes of c (malloc'd). */
static char *
long_scalar_document(size_t len, char c)
{
	static const char head[] = "flags:\n  a:\n    name: x\n    description: \"";
	char	   *yaml = malloc(sizeof(head) + len + 3);

	memcpy(yaml, head, sizeof(head) - 1);
	memset(yaml + sizeof(head) - 1, c, len);
	memcpy(yaml + sizeof(head) - 1 + len, "\"\n", 3);
	return yaml;
}

/* Parse with the hook stopping at every question in turn: always a clean stop. */
static void
check_parse_stops(const char *name, const char *yaml)
{
	FFYamlDocument doc;
	FFYamlError err;
	long		total;
	bool		ok = true;

	reset_hook(-1);
	CHECK(ff_yaml_parse(yaml, strlen(yaml), &doc, &err) == FF_YAML_OK, "%s parses with a hook", name);
	ff_yaml_document_free(&doc);
	total = hook_calls;
	for (long n = 0; n < total; n++)
	{
		FFYamlStatus st;

		reset_hook(n);
		st = ff_yaml_parse(yaml, strlen(yaml), &doc, &err);
		if (st != FF_YAML_INTERRUPTED || err.status != FF_YAML_INTERRUPTED ||
			doc.flags != NULL || doc.overrides != NULL || hook_calls != n + 1 ||
			strcmp(err.message, "interrupted while reading YAML") != 0)
			ok = false;
		ff_yaml_document_free(&doc);
	}
	CHECK(ok && total > 10, "%s: stopping at each of the hook's %ld questions gives FF_YAML_INTERRUPTED",
		  name, total);
}

/* Emit with the hook stopping at every question in turn: always false, no leak. */
static void
check_emit_stops(const char *name, const FFYamlDocument *doc)
{
	FFBuf		out = {0};
	long		total;
	bool		ok = true;

	reset_hook(-1);
	CHECK(ff_yaml_emit_document(&out, doc), "%s emits with a hook", name);
	ff_buf_free(&out);
	total = hook_calls;
	for (long n = 0; n < total; n++)
	{
		reset_hook(n);
		if (ff_yaml_emit_document(&out, doc) || hook_calls != n + 1)
			ok = false;
		ff_buf_free(&out);
	}
	CHECK(ok && total > 0, "%s: stopping at each of the emitter's %ld questions returns false",
		  name, total);
}

/* The reader and the emitter ask the interrupt hook in every loop, also inside a long scalar. */
static void
test_interrupts(void)
{
	const size_t len = 4 << 20;
	char	   *yaml = long_scalar_document(len, 'w');
	FFYamlDocument doc;
	FFYamlError err;
	FFBuf		out = {0};
	long		total;

	check_parse_stops("overrides document", overrides_yaml);
	check_parse_stops("readme document", readme_yaml);
	if (parse_ok("overrides for the emitter", overrides_yaml, &doc))
	{
		check_emit_stops("overrides document", &doc);
		ff_yaml_document_free(&doc);
	}

	/* a 4 MB scalar: libyaml reads it in 16 kB pieces, each one a question */
	reset_hook(-1);
	CHECK(ff_yaml_parse(yaml, strlen(yaml), &doc, &err) == FF_YAML_OK &&
		  strlen(doc.flags[0].description) == len, "a 4 MB scalar parses");
	total = hook_calls;
	CHECK(total >= (long) (len / 16384), "the hook is asked %ld times while reading a 4 MB scalar", total);
	reset_hook(total / 2);
	CHECK(ff_yaml_parse(yaml, strlen(yaml), &(FFYamlDocument) {0}, &err) == FF_YAML_INTERRUPTED &&
		  hook_calls == total / 2 + 1, "a stop in the middle of the scalar ends the parse there");

	/* ... and written double-quoted (it holds a line break), every 64 kB */
	doc.flags[0].description[len / 2] = '\n';
	reset_hook(-1);
	CHECK(ff_yaml_emit_document(&out, &doc) && strstr(out.data, "w\\nw") != NULL,
		  "a 4 MB quoted scalar emits");
	CHECK(hook_calls >= (long) (len / 65536), "the emitter asks %ld times while writing it", hook_calls);
	ff_buf_free(&out);
	ff_yaml_interrupt_hook = NULL;
	ff_yaml_document_free(&doc);
	free(yaml);
}

/* A flag file with every 1.1 targeting key. */
static const char targeting_yaml[] =
	"flags:\n"
	"  checkout:\n"
	"    name: Checkout\n"
	"    kill_switch: true\n"
	"    variants:\n"
	"      - {name: blue, weight: 500, weightType: variable, stickiness: default,\n"
	"         payload: {type: string, value: \"yes\"}}\n"
	"    rules:\n"
	"      - strategy: flexibleRollout\n"
	"        parameters: {rollout: \"50\", stickiness: default, groupId: checkout}\n"
	"        constraints:\n"
	"          - {contextName: appVersion, operator: SEMVER_GT, value: 2.3.0}\n"
	"          - {contextName: plan, operator: IN, values: [enterprise, \"1\"], inverted: false}\n"
	"        segments: [1, 0x2]\n"
	"    prerequisites:\n"
	"      - {flag: base, enabled: true, variants: [on]}\n"
	"  base: {name: Base}\n"
	"segments:\n"
	"  1: {name: EU, constraints: [{contextName: region, operator: IN, values: [eu]}]}\n"
	"  \"2\": {name: Beta, constraints: []}\n"
	"overrides:\n"
	"  acme:\n"
	"    checkout:\n"
	"      enabled: true\n"
	"      rules: [{strategy: default}]\n";

/* 1.1: kill_switch, variants, rules, prerequisites, segments, override rules. */
static void
test_targeting(void)
{
	FFYamlDocument doc;
	FFBuf		out = {0};

	if (!parse_ok("targeting", targeting_yaml, &doc))
		return;
	CHECK(doc.flags[0].kill_switch && !doc.flags[1].kill_switch, "kill_switch read, false when absent");
	CHECK(strcmp(doc.flags[0].variants,
				 "[{\"name\":\"blue\",\"weight\":500,\"weightType\":\"variable\","
				 "\"stickiness\":\"default\",\"payload\":{\"type\":\"string\",\"value\":\"yes\"}}]") == 0,
		  "variants as JSON (got %s)", doc.flags[0].variants);
	CHECK(strstr(doc.flags[0].rules, "\"values\":[\"enterprise\",\"1\"],\"inverted\":false") != NULL &&
		  strstr(doc.flags[0].rules, "\"segments\":[1,2]") != NULL &&
		  strstr(doc.flags[0].rules, "\"value\":\"2.3.0\"") != NULL,
		  "rules as JSON: quoted strings stay strings, ints typed (got %s)", doc.flags[0].rules);
	CHECK(strcmp(doc.flags[0].prerequisites,
				 "[{\"flag\":\"base\",\"enabled\":true,\"variants\":[true]}]") == 0,
		  "prerequisites as JSON, plain on is a boolean (got %s)", doc.flags[0].prerequisites);
	CHECK(!doc.flags[1].has_rules && !doc.flags[1].has_prerequisites && doc.flags[0].has_rules &&
		  strcmp(doc.flags[1].variants, "[]") == 0,
		  "absent variants are [], absent rules and prerequisites not given (kept)");
	CHECK(doc.segments != NULL && strncmp(doc.segments, "{\"1\":{\"name\":\"EU\"", 17) == 0,
		  "segments keyed by id (got %s)", doc.segments ? doc.segments : "NULL");
	CHECK(doc.noverrides == 1 && doc.overrides[0].has_rules &&
		  strcmp(doc.overrides[0].rules, "[{\"strategy\":\"default\"}]") == 0,
		  "override rules");
	CHECK(ff_yaml_emit_document(&out, &doc) &&
		  strstr(out.data, "    kill_switch: true\n    variants:\n      - {name: blue,") != NULL &&
		  strstr(out.data, "segments:\n  \"1\": {name: EU,") != NULL &&
		  strstr(out.data, "  base:\n    name: Base\n    description: \"\"\n") != NULL &&
		  strstr(strstr(out.data, "  base:"), "kill_switch") == NULL,
		  "emitted: block lists of flow items, defaults left out");
	ff_buf_free(&out);
	roundtrip("targeting", &doc);
	ff_yaml_document_free(&doc);

	EXPECT_ERROR("rule with an unknown key", "flags:\n  a:\n    name: A\n    rules:\n      - {strategy: default, stratgy: x}\n",
				 FF_YAML_UNKNOWN_FIELD, 5, 29, "unknown field \"stratgy\" in an item of rules", "a");
	EXPECT_ERROR("rules not a list", "flags:\n  a:\n    name: A\n    rules: {strategy: default}\n",
				 FF_YAML_TYPE, 4, 12, "rules must be a list of mappings, got a mapping", "a");
	EXPECT_ERROR("variants item a string", "flags:\n  a:\n    name: A\n    variants: [blue]\n",
				 FF_YAML_TYPE, 4, 16, "the items of variants must be mappings", "a");
	EXPECT_ERROR("duplicate key in parameters", "flags:\n  a:\n    name: A\n    rules:\n      - parameters: {rollout: \"1\", rollout: \"2\"}\n",
				 FF_YAML_DUPLICATE, 5, 36, "duplicate key \"rollout\" in rules", "a");
	EXPECT_ERROR("float with no JSON form", "flags:\n  a:\n    name: A\n    variants: [{weight: .inf}]\n",
				 FF_YAML_TYPE, 4, 25, "has no JSON form", "a");
	EXPECT_ERROR("segments not a mapping", "flags: {}\nsegments: [1]\n",
				 FF_YAML_TYPE, 2, 11, "segments must be a mapping of segment ids", NULL);
	EXPECT_ERROR("unknown segment key", "flags: {}\nsegments:\n  1: {name: x, constraint: []}\n",
				 FF_YAML_UNKNOWN_FIELD, 3, 16, "unknown field \"constraint\" in an item of segments", NULL);
	EXPECT_ERROR("anchor in rules", "flags:\n  a:\n    name: A\n    rules: [&x {strategy: default}]\n",
				 FF_YAML_UNSUPPORTED, 4, 13, "anchors and aliases", "a");
	parse_and_roundtrip("rules: [] given (clears)", "flags:\n  a:\n    name: A\n    rules: []\n    prerequisites: []\n");
	parse_and_roundtrip("floats and nulls in JSON", "flags:\n  a:\n    name: A\n    variants: [{name: x, weight: 1_0, payload: {type: json, value: \"{}\"}, stickiness: ~, overrides: [{contextName: u, values: [.5, -1., 2e-1]}]}]\n");
}

/* Status names. */
static void
test_status_names(void)
{
	CHECK(strcmp(ff_yaml_status_name(FF_YAML_OK), "ok") == 0 &&
		  strcmp(ff_yaml_status_name(FF_YAML_UNKNOWN_FIELD), "unknown field") == 0 &&
		  strcmp(ff_yaml_status_name(FF_YAML_UNSUPPORTED), "unsupported") == 0 &&
		  strcmp(ff_yaml_status_name(FF_YAML_INTERRUPTED), "interrupted") == 0 &&
		  strcmp(ff_yaml_status_name((FFYamlStatus) 99), "unknown status") == 0,
		  "status names");
}

int
main(void)
{
	test_readme();
	test_booleans();
	test_integers();
	test_resolver();
	test_yaml_forms();
	test_empty();
	test_unicode();
	test_errors();
	test_bombs();
	test_warnings();
	test_overrides();
	test_emit_scalars();
	test_emit_roundtrip_strings();
	test_emit_long_keys();
	test_emit_layout();
	test_emit_grouping();
	test_performance();
	test_interrupts();
	test_corpus();
#ifdef FF_YAML_FAULT_INJECTION
	test_out_of_memory();
#endif
	test_status_names();
	test_targeting();
	parse_and_roundtrip("readme round trip", readme_yaml);
	parse_and_roundtrip("overrides round trip", overrides_yaml);

	printf("1..%d\n", ntests);
	if (nfailed > 0)
		printf("# %d of %d tests failed\n", nfailed, ntests);
	return nfailed > 0 ? 1 : 0;
}
