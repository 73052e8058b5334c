/*
 * test_targeting.c
 *      Unit tests of Unleash's targeting model in src/core (operators.c,
 *      constraint.c, strategy.c, variants.c and their parsers): the
 *      operator edge cases of the client specification (files 09, 11, 13,
 *      14, 21, 22), the normalized hash values (computed with the Node SDK's
 *      lib/strategy/util.js), rollout buckets and variant choices (files
 *      08, 10, 12, 16).  Prints TAP ("ok N - ..."); exits 1 on a failure.
 */
#define _POSIX_C_SOURCE 200112L	/* gethostname, strtok_r */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "targeting_internal.h"

#include "tap.h"

/* --- an arena on malloc, freed at the end (regexes included) --- */
#define MAX_BLOCKS 8192
static void *blocks[MAX_BLOCKS];
static size_t nblocks = 0;
static void *regexes[256];
static size_t nregexes = 0;

/* The arena's allocator: malloc, remembered for arena_free. */
static void *
arena_alloc(void *cx, size_t size)
{
	void	   *p = calloc(1, size ? size : 1);

	(void) cx;
	if (p == NULL || nblocks == MAX_BLOCKS)
		abort();
	blocks[nblocks++] = p;
	return p;
}

/* The arena's regex hook: remember it for arena_free. */
static void
arena_on_regex(void *cx, void *regex)
{
	(void) cx;
	if (nregexes == sizeof(regexes) / sizeof(regexes[0]))
		abort();
	regexes[nregexes++] = regex;
}

/* Free everything the arena handed out. */
static void
arena_free(void)
{
	while (nblocks > 0)
		free(blocks[--nblocks]);
	while (nregexes > 0)
		ff_regex_free(regexes[--nregexes]);
}

static FFArena arena = {arena_alloc, arena_on_regex, NULL};

/* --- contexts written as "userId=1;sessionId=2;p.country=norway;..." --- */
#define MAX_PROPS 8
static char ctx_text[1024];
static FFProperty ctx_props[MAX_PROPS];
static FFContextExtra ctx_extra;

/* Order properties by name. */
static int
property_cmp(const void *a, const void *b)
{
	return ff_str_compare(((const FFProperty *) a)->name, ((const FFProperty *) b)->name);
}

/*
 * The context of a description: fields separated by ';' (a value may hold
 * '\n'), "p.NAME=VALUE" a property; currentTime is also parsed.
 */
static FFContext
C(const char *desc)
{
	FFContext	ctx;
	char	   *save = NULL;

	memset(&ctx, 0, sizeof(ctx));
	memset(&ctx_extra, 0, sizeof(ctx_extra));
	ctx.extra = &ctx_extra;
	snprintf(ctx_text, sizeof(ctx_text), "%s", desc);
	ctx_extra.properties = ctx_props;
	for (char *f = strtok_r(ctx_text, ";", &save); f != NULL; f = strtok_r(NULL, ";", &save))
	{
		char	   *eq = strchr(f, '=');
		FFStr		v;

		if (eq == NULL)
			abort();
		*eq = '\0';
		v = S(eq + 1);
		if (strncmp(f, "p.", 2) == 0)
			ctx_props[ctx_extra.nproperties++] = (FFProperty) {S(f + 2), v};
		else if (strcmp(f, "userId") == 0)
			ctx.has_user = true, ctx.user = v;
		else if (strcmp(f, "sessionId") == 0)
			ctx_extra.has_session_id = true, ctx_extra.session_id = v;
		else if (strcmp(f, "remoteAddress") == 0)
			ctx_extra.has_remote_address = true, ctx_extra.remote_address = v;
		else if (strcmp(f, "environment") == 0)
			ctx.has_environment = true, ctx.environment = v;
		else if (strcmp(f, "appName") == 0)
			ctx_extra.has_app_name = true, ctx_extra.app_name = v;
		else if (strcmp(f, "tenant") == 0)
			ctx_extra.has_tenant = true, ctx.tenant = v;
		else if (strcmp(f, "currentTime") == 0)
		{
			ctx_extra.has_current_time = true;
			ctx_extra.current_time_text = v;
			if (!ff_parse_timestamp(v, &ctx_extra.current_time))
				abort();
		}
		else
			abort();
	}
	qsort(ctx_props, ctx_extra.nproperties, sizeof(FFProperty), property_cmp);
	return ctx;
}

/* --- constraints --- */
#define INV 1
#define CI 2
#define NO_VALUE NULL

/* Split "a|b|c" into FFStrs (static storage); NULL: no values; "": none. */
static size_t
split_values(const char *list, FFStr *out, char *storage, size_t room)
{
	size_t		n = 0;
	char	   *p;

	if (list == NULL || list[0] == '\0')
		return 0;
	snprintf(storage, room, "%s", list);
	p = storage;
	for (;;)
	{
		char	   *bar = strchr(p, '|');

		if (bar != NULL)
			*bar = '\0';
		out[n++] = S(p);
		if (bar == NULL)
			return n;
		p = bar + 1;
	}
}

/* Compile a constraint (aborting the test on a compile error). */
static const FFConstraint *
compile(const char *field, const char *op, const char *values, const char *value, int flags)
{
	static char storage[512];
	static FFStr vals[16];
	FFConstraintSpec spec = {S(field), S(op), flags & INV, flags & CI, vals, 0,
	value != NULL, value != NULL ? S(value) : S("")};
	const FFConstraint *c = NULL;
	char		err[FF_TARGETING_ERROR_MAX];

	spec.nvalues = split_values(values, vals, storage, sizeof(storage));
	if (!ff_constraint_compile(&arena, &spec, &c, err, sizeof(err)))
	{
		printf("# unexpected compile error: %s\n", err);
		return ff_constraint_never();
	}
	return c;
}

/* True when compiling the constraint fails, with a message that names what is wrong. */
static bool
compile_fails(const char *field, const char *op, const char *value, const char *in_message)
{
	FFConstraintSpec spec = {S(field), S(op), false, false, NULL, 0,
	value != NULL, value != NULL ? S(value) : S("")};
	const FFConstraint *c = NULL;
	char		err[FF_TARGETING_ERROR_MAX] = "";

	if (ff_constraint_compile(&arena, &spec, &c, err, sizeof(err)))
		return false;
	printf("# %s\n", err);
	return strstr(err, in_message) != NULL;
}

typedef struct ConstraintCase
{
	const char *what;
	const char *ctx;
	const char *field;
	const char *op;
	const char *values;			/* "a|b"; NULL: none */
	const char *value;
	int			flags;
	bool		expected;
} ConstraintCase;

/* Each operator, its spec cases and its edges. */
static const ConstraintCase constraint_cases[] = {
	/* 09, 11: IN / NOT_IN */
	{"09 IN simple miss", "environment=default", "environment", "IN", "dev", NULL, 0, false},
	{"09 IN simple hit", "environment=dev", "environment", "IN", "dev", NULL, 0, true},
	{"09 IN list", "environment=stage", "environment", "IN", "dev|stage|prod", NULL, 0, true},
	{"09 IN list miss", "environment=qa", "environment", "IN", "dev|stage|prod", NULL, 0, false},
	{"09 NOT_IN appName", "appName=web", "appName", "NOT_IN", "web|sun-app", NULL, 0, false},
	{"09 NOT_IN absent appName", "", "appName", "NOT_IN", "web|sun-app", NULL, 0, true},
	{"09 IN on a property", "p.country=norway", "country", "IN", "norway|sweeden", NULL, 0, true},
	{"09 IN on a property, miss", "p.country=denmark", "country", "IN", "norway|sweeden", NULL, 0, false},
	{"11 IN no values", "environment=default", "environment", "IN", "", NULL, 0, false},
	{"11 IN no values, no field", "", "environment", "IN", "", NULL, 0, false},
	{"11 NOT_IN no values", "environment=default", "environment", "NOT_IN", "", NULL, 0, true},
	{"11 NOT_IN no values, no field", "", "environment", "NOT_IN", "", NULL, 0, true},
	{"13 missing field IN", "", "customFieldMissing", "IN", "s1", NULL, 0, false},
	{"13 missing field IN, as property", "p.customFieldMissing=s1", "customFieldMissing", "IN", "s1", NULL, 0, true},
	{"13 missing field NOT_IN", "", "customFieldMissing", "NOT_IN", "s1", NULL, 0, true},
	{"13 inverted IN", "p.someValue=s1", "someValue", "IN", "s1|s2", NULL, INV, false},
	{"13 inverted NOT_IN", "p.someValue=s1", "someValue", "NOT_IN", "s1|s2", NULL, INV, true},
	{"IN trims values", "userId=42", "userId", "IN", " 42 ", NULL, 0, true},
	{"IN: a blank value trims to \"\" (dropped only when empty)", "userId=", "userId", "IN", " ", NULL, 0, true},
	{"IN: an empty value is dropped", "userId=", "userId", "IN", "|x", NULL, 0, false},
	{"IN is exact (case)", "userId=Bob", "userId", "IN", "bob", NULL, CI, false},
	{"IN: a standard field wins over a property", "userId=1;p.userId=2", "userId", "IN", "2", NULL, 0, false},
	{"IN: a property stands in for an absent standard field", "p.userId=2", "userId", "IN", "2", NULL, 0, true},
	{"IN on tenant", "tenant=acme", "tenant", "IN", "acme", NULL, 0, true},
	{"IN on currentTime as text", "currentTime=2022-01-22", "currentTime", "IN", "2022-01-22", NULL, 0, true},
	{"NOT_IN inverted, absent field", "", "x", "NOT_IN", "a", NULL, INV, false},
	/* 13: strings */
	{"13 STR_STARTS_WITH", "p.customField=some-string-is-cool", "customField", "STR_STARTS_WITH", "some-string", NULL, 0, true},
	{"13 STR_STARTS_WITH miss", "p.customField=some2-is-cool-string", "customField", "STR_STARTS_WITH", "some-string", NULL, 0, false},
	{"13 STR_STARTS_WITH multiple", "p.customField=e2 cool", "customField", "STR_STARTS_WITH", "e1|e2", NULL, 0, true},
	{"13 STR_STARTS_WITH multiple miss", "p.customField=cool e1", "customField", "STR_STARTS_WITH", "e1|e2", NULL, 0, false},
	{"13 STR_STARTS_WITH caseInsensitive", "p.customField=TEsT@example.com", "customField", "STR_STARTS_WITH", "TEST", NULL, CI, true},
	{"13 STR_ENDS_WITH", "p.email=test@some-email.com", "email", "STR_ENDS_WITH", "some-email.com", NULL, 0, true},
	{"13 STR_ENDS_WITH is case-sensitive", "p.email=test@some-EMAIL.com", "email", "STR_ENDS_WITH", "some-email.com", NULL, 0, false},
	{"13 STR_ENDS_WITH ignoring case", "p.email=test@SOME-EMAIL.com", "email", "STR_ENDS_WITH", "some-email.com", NULL, CI, true},
	{"13 STR_CONTAINS", "p.email=test@some-email.com", "email", "STR_CONTAINS", "email", NULL, 0, true},
	{"13 STR_CONTAINS miss", "p.email=test@another.com", "email", "STR_CONTAINS", "email", NULL, 0, false},
	{"13 STR_CONTAINS inverted", "p.email=test@another.com", "email", "STR_CONTAINS", "email", NULL, INV, true},
	{"STR_CONTAINS, absent field", "", "email", "STR_CONTAINS", "a", NULL, 0, false},
	{"STR_CONTAINS inverted, absent field", "", "email", "STR_CONTAINS", "a", NULL, INV, true},
	{"STR_ENDS_WITH, value longer than the text", "p.e=om", "e", "STR_ENDS_WITH", "com", NULL, 0, false},
	{"STR_CONTAINS caseInsensitive UTF-8", "p.city=\xc3\x85LESUND \xc3\x98ST", "city", "STR_CONTAINS", "\xc3\xa5lesund \xc3\xb8", NULL, CI, true},
	{"STR_CONTAINS caseInsensitive Cyrillic", "p.c=\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90", "c", "STR_CONTAINS", "\xd0\xbc\xd0\xbe\xd1\x81", NULL, CI, true},
	{"STR_STARTS_WITH caseInsensitive Greek", "p.c=\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1", "c", "STR_STARTS_WITH", "\xce\xb1\xce\xb8", NULL, CI, true},
	{"STR_CONTAINS is case-sensitive in UTF-8 too", "p.city=\xc3\x85LESUND", "city", "STR_CONTAINS", "\xc3\xa5", NULL, 0, false},
	/* 13: numbers */
	{"13 NUM_EQ", "p.someValue=12", "someValue", "NUM_EQ", NULL, "12", 0, true},
	{"13 NUM_EQ 12.0", "p.someValue=12.0", "someValue", "NUM_EQ", NULL, "12", 0, true},
	{"13 NUM_EQ inverted", "p.someValue=12", "someValue", "NUM_EQ", NULL, "12", INV, false},
	{"13 NUM_EQ float constraint", "p.someValue=12", "someValue", "NUM_EQ", NULL, "12.0", 0, true},
	{"13 NUM_EQ inverted, other", "p.someValue=13", "someValue", "NUM_EQ", NULL, "12", INV, true},
	{"13 NUM_GT", "p.someValue=13", "someValue", "NUM_GT", NULL, "12", 0, true},
	{"13 NUM_GT equal", "p.someValue=12", "someValue", "NUM_GT", NULL, "12", 0, false},
	{"13 NUM_GTE equal", "p.someValue=12", "someValue", "NUM_GTE", NULL, "12", 0, true},
	{"13 NUM_GTE below", "p.someValue=11", "someValue", "NUM_GTE", NULL, "12", 0, false},
	{"13 NUM_LTE above", "p.someValue=13", "someValue", "NUM_LTE", NULL, "12", 0, false},
	{"13 NUM_LTE 0", "p.someValue=0", "someValue", "NUM_LTE", NULL, "12", 0, true},
	{"13 NUM_LT 0", "p.someValue=0", "someValue", "NUM_LT", NULL, "12", 0, true},
	{"13 NUM_LT equal", "p.someValue=12", "someValue", "NUM_LT", NULL, "12", 0, false},
	{"NUM: Number(\"\") is 0", "p.n=", "n", "NUM_EQ", NULL, "0", 0, true},
	{"NUM: trimmed", "p.n= 12\t", "n", "NUM_EQ", NULL, "12", 0, true},
	{"NUM: hex", "p.n=0x0C", "n", "NUM_EQ", NULL, "12", 0, true},
	{"NUM: binary", "p.n=0b1100", "n", "NUM_EQ", NULL, "12", 0, true},
	{"NUM: exponent", "p.n=1.2e1", "n", "NUM_EQ", NULL, "12", 0, true},
	{"NUM: leading dot", "p.n=.5", "n", "NUM_LT", NULL, "1", 0, true},
	{"NUM: Infinity", "p.n=Infinity", "n", "NUM_GT", NULL, "1e308", 0, true},
	{"NUM: -Infinity", "p.n=-Infinity", "n", "NUM_LT", NULL, "-1e308", 0, true},
	{"NUM: NaN text never matches", "p.n=twelve", "n", "NUM_LTE", NULL, "12", 0, false},
	{"NUM: NaN inverted matches", "p.n=twelve", "n", "NUM_EQ", NULL, "12", INV, true},
	{"NUM: a signed hex is NaN", "p.n=-0x1", "n", "NUM_LT", NULL, "0", 0, false},
	{"NUM: digits with a separator are NaN", "p.n=1_000", "n", "NUM_GT", NULL, "0", 0, false},
	{"NUM: absent is NaN", "", "n", "NUM_LT", NULL, "12", 0, false},
	{"NUM: \"Infinity\" is case-sensitive", "p.n=infinity", "n", "NUM_GT", NULL, "0", 0, false},
	/* 13: dates (the context's current time, whatever the field) */
	{"13 DATE_AFTER", "currentTime=2022-01-30T13:00:00.000Z", "currentTime", "DATE_AFTER", NULL, "2022-01-29T13:00:00.000Z", 0, true},
	{"13 DATE_AFTER before", "currentTime=2022-01-28T13:00:00.000Z", "currentTime", "DATE_AFTER", NULL, "2022-01-29T13:00:00.000Z", 0, false},
	{"13 DATE_AFTER equal", "currentTime=2022-01-29T13:00:00.000Z", "currentTime", "DATE_AFTER", NULL, "2022-01-29T13:00:00.000Z", 0, false},
	{"13 DATE_BEFORE", "currentTime=2022-01-28T13:00:00.000Z", "currentTime", "DATE_BEFORE", NULL, "2022-01-29T13:00:00.000Z", 0, true},
	{"13 DATE_BEFORE after", "currentTime=2022-01-30T13:00:00.000Z", "currentTime", "DATE_BEFORE", NULL, "2022-01-29T13:00:00.000Z", 0, false},
	{"13 DATE_BEFORE equal", "currentTime=2022-01-29T13:00:00.000Z", "currentTime", "DATE_BEFORE", NULL, "2022-01-29T13:00:00.000Z", 0, false},
	{"13 DATE_AFTER with +02:00", "currentTime=2022-01-22T11:30:00.000Z", "currentTime", "DATE_AFTER", NULL, "2022-01-22T13:00:00.000+02:00", 0, true},
	{"13 DATE_BEFORE with +02:00", "currentTime=2022-01-22T11:30:00.000Z", "currentTime", "DATE_BEFORE", NULL, "2022-01-22T14:00:00.000+02:00", 0, true},
	{"DATE_BEFORE inverted", "currentTime=2022-01-22T11:30:00.000Z", "currentTime", "DATE_BEFORE", NULL, "2022-01-22T14:00:00.000+02:00", INV, false},
	{"DATE_AFTER a date-only value is UTC midnight", "currentTime=2022-01-22T00:00:00.001Z", "currentTime", "DATE_AFTER", NULL, "2022-01-22", 0, true},
	{"DATE_ ignores the context name", "currentTime=2022-01-30T00:00:00Z", "anything", "DATE_AFTER", NULL, "2022-01-29", 0, true},
	/* 13: an unknown operator is false, inverted or not */
	{"13 invalid operator", "p.someValue=12", "customField", "NOT_A_VALID_OPERATOR", NULL, "2022-01-22T13:00:00.000Z", 0, false},
	{"invalid operator, inverted", "p.someValue=12", "customField", "NOT_A_VALID_OPERATOR", NULL, NULL, INV, false},
	{"operator names are case-sensitive", "p.a=x", "a", "in", "x", NULL, 0, false},
	/* 14: semver */
	{"14 SEMVER_EQ", "p.version=1.2.2", "version", "SEMVER_EQ", NULL, "1.2.2", 0, true},
	{"14 SEMVER_EQ miss", "p.version=1.2.0", "version", "SEMVER_EQ", NULL, "1.2.2", 0, false},
	{"14 SEMVER_GT", "p.version=1.2.3", "version", "SEMVER_GT", NULL, "1.2.2", 0, true},
	{"14 SEMVER_GT miss", "p.version=1.2.0", "version", "SEMVER_GT", NULL, "1.2.2", 0, false},
	{"14 SEMVER_GTE equal", "p.version=1.2.2", "version", "SEMVER_GTE", NULL, "1.2.2", 0, true},
	{"14 SEMVER_GTE above", "p.version=1.2.3", "version", "SEMVER_GTE", NULL, "1.2.2", 0, true},
	{"14 SEMVER_GTE below", "p.version=1.2.1", "version", "SEMVER_GTE", NULL, "1.2.2", 0, false},
	{"14 SEMVER_LT", "p.version=1.2.1", "version", "SEMVER_LT", NULL, "1.2.2", 0, true},
	{"14 SEMVER_LT miss", "p.version=1.2.3", "version", "SEMVER_LT", NULL, "1.2.2", 0, false},
	{"14 SEMVER_LTE equal", "p.version=1.2.2", "version", "SEMVER_LTE", NULL, "1.2.2", 0, true},
	{"14 SEMVER_LTE below", "p.version=1.2.1", "version", "SEMVER_LTE", NULL, "1.2.2", 0, true},
	{"14 SEMVER_LTE above", "p.version=1.2.3", "version", "SEMVER_LTE", NULL, "1.2.2", 0, false},
	{"14 beta.1 > alpha.1", "p.version=2.0.0-beta.1", "version", "SEMVER_GT", NULL, "2.0.0-alpha.1", 0, true},
	{"14 release > alpha.1", "p.version=2.0.0", "version", "SEMVER_GT", NULL, "2.0.0-alpha.1", 0, true},
	{"14 beta.1 not < alpha.1", "p.version=2.0.0-beta.1", "version", "SEMVER_LT", NULL, "2.0.0-alpha.1", 0, false},
	{"14 1.9.1-beta.1 < 2.0.0-alpha.1", "p.version=1.9.1-beta.1", "version", "SEMVER_LT", NULL, "2.0.0-alpha.1", 0, true},
	{"14 release not < alpha.1", "p.version=2.0.0", "version", "SEMVER_LT", NULL, "2.0.0-alpha.1", 0, false},
	{"14 alpha.1 < alpha.3", "p.version=2.0.0-alpha.1", "version", "SEMVER_LT", NULL, "2.0.0-alpha.3", 0, true},
	{"14 alpha.4 not < alpha.3", "p.version=2.0.0-alpha.4", "version", "SEMVER_LT", NULL, "2.0.0-alpha.3", 0, false},
	{"14 alpha.1 > alpha", "p.version=2.0.0-alpha.1", "version", "SEMVER_GT", NULL, "2.0.0-alpha", 0, true},
	{"14 alpha.1 not > rc", "p.version=2.0.0-alpha.1", "version", "SEMVER_GT", NULL, "2.0.0-rc", 0, false},
	{"14 beta.1 not > rc", "p.version=2.0.0-beta.1", "version", "SEMVER_GT", NULL, "2.0.0-rc", 0, false},
	{"14 release > rc", "p.version=2.0.0", "version", "SEMVER_GT", NULL, "2.0.0-rc", 0, true},
	{"14 context v2.0.0 is invalid", "p.version=v2.0.0", "version", "SEMVER_EQ", NULL, "v2.0.0", 0, false},
	{"14 not a semver", "p.version=not a semver", "version", "SEMVER_EQ", NULL, "v2.0.0", 0, false},
	{"constraint value v2.0.0 equals 2.0.0", "p.version=2.0.0", "version", "SEMVER_EQ", NULL, "v2.0.0", 0, true},
	{"beta.11 > beta.2 (numerically)", "p.version=1.0.0-beta.11", "version", "SEMVER_GT", NULL, "1.0.0-beta.2", 0, true},
	{"alpha.beta > alpha.1 (numeric first)", "p.version=1.0.0-alpha.beta", "version", "SEMVER_GT", NULL, "1.0.0-alpha.1", 0, true},
	{"build metadata is ignored", "p.version=1.0.0+build.7", "version", "SEMVER_EQ", NULL, "1.0.0", 0, true},
	{"context is trimmed", "p.version= 1.2.2 ", "version", "SEMVER_EQ", NULL, "1.2.2", 0, true},
	{"leading zero is invalid", "p.version=01.2.2", "version", "SEMVER_LT", NULL, "9.0.0", 0, false},
	{"leading zero in a numeric prerelease is invalid", "p.version=1.0.0-01", "version", "SEMVER_LT", NULL, "9.0.0", 0, false},
	{"two parts are invalid", "p.version=1.2", "version", "SEMVER_LT", NULL, "9.0.0", 0, false},
	{"empty is false", "p.version=", "version", "SEMVER_LT", NULL, "9.0.0", 0, false},
	{"absent is false, inverted true", "", "version", "SEMVER_LT", NULL, "9.0.0", INV, true},
	{"loose '=' prefix is invalid", "p.version==1.0.0", "version", "SEMVER_EQ", NULL, "1.0.0", 0, false},
	/* 21: regex (RE2) */
	{"21 case sensitive", "userId=Cat", "userId", "REGEX", NULL, "^cat$", 0, false},
	{"21 case sensitive hit", "userId=cat", "userId", "REGEX", NULL, "^cat$", 0, true},
	{"21 invalid regex is false", "userId=any-value", "userId", "REGEX", NULL, "(regex", 0, false},
	{"21 literal and anchors", "userId=test@example.com", "userId", "REGEX", NULL, "^[^@]+@[^@]+$", 0, true},
	{"21 literal and anchors miss", "userId=not-an-email", "userId", "REGEX", NULL, "^[^@]+@[^@]+$", 0, false},
	{"21 absent field", "", "userId", "REGEX", NULL, "^[^@]+@[^@]+$", 0, false},
	{"21 on a property", "p.nested=test@example.com", "nested", "REGEX", NULL, "^[^@]+@[^@]+$", 0, true},
	{"21 \\d{3}", "userId=user123", "userId", "REGEX", NULL, "^user\\d{3}$", 0, true},
	{"21 \\d{3} miss", "userId=user12", "userId", "REGEX", NULL, "^user\\d{3}$", 0, false},
	{"21 [[:alpha:]]", "userId=AlphaBeta", "userId", "REGEX", NULL, "^[[:alpha:]]+$", 0, true},
	{"21 [[:alpha:]] miss", "userId=Alpha1", "userId", "REGEX", NULL, "^[[:alpha:]]+$", 0, false},
	{"21 \\b", "userId=a cat b", "userId", "REGEX", NULL, "\\bcat\\b", 0, true},
	{"21 \\b miss", "userId=concatenate", "userId", "REGEX", NULL, "\\bcat\\b", 0, false},
	{"21 alternation foo", "userId=foo", "userId", "REGEX", NULL, "^(foo|fo)$", 0, true},
	{"21 alternation fo", "userId=fo", "userId", "REGEX", NULL, "^(foo|fo)$", 0, true},
	{"21 alternation f", "userId=f", "userId", "REGEX", NULL, "^(foo|fo)$", 0, false},
	{"21 optional group abc", "userId=abc", "userId", "REGEX", NULL, "^(ab)?c$", 0, true},
	{"21 optional group c", "userId=c", "userId", "REGEX", NULL, "^(ab)?c$", 0, true},
	{"21 optional group ac", "userId=ac", "userId", "REGEX", NULL, "^(ab)?c$", 0, false},
	{"21 a{2,4} aaaa", "userId=aaaa", "userId", "REGEX", NULL, "^a{2,4}$", 0, true},
	{"21 a{2,4} a", "userId=a", "userId", "REGEX", NULL, "^a{2,4}$", 0, false},
	{"21 a{2,4} aaaaa", "userId=aaaaa", "userId", "REGEX", NULL, "^a{2,4}$", 0, false},
	{"21 non-greedy", "userId=a___b___b", "userId", "REGEX", NULL, "^a.*?b$", 0, true},
	{"21 non-greedy miss", "userId=a___b___c", "userId", "REGEX", NULL, "^a.*?b$", 0, false},
	{"21 (?i)", "userId=AbC", "userId", "REGEX", NULL, "^(?i)abc$", 0, true},
	{"21 (?i) anchored", "userId=zAbCz", "userId", "REGEX", NULL, "^(?i)abc$", 0, false},
	{"21 caseInsensitive", "userId=AbC", "userId", "REGEX", NULL, "^abc$", CI, true},
	{"21 inverted", "userId=xyz", "userId", "REGEX", NULL, "^abc$", INV, true},
	{"21 inverted hit", "userId=abc", "userId", "REGEX", NULL, "^abc$", INV, false},
	{"21 (?m)", "userId=x\nfoo\ny", "userId", "REGEX", NULL, "(?m)^foo$", 0, true},
	{"21 (?m) miss", "userId=x\nfo\ny", "userId", "REGEX", NULL, "(?m)^foo$", 0, false},
	{"21 (?s)", "userId=a\nb", "userId", "REGEX", NULL, "^(?s)a.b$", 0, true},
	{"21 lookahead is refused", "userId=ab", "userId", "REGEX", NULL, "^(?=a)b$", 0, false},
	{"21 backreference is refused", "userId=aa", "userId", "REGEX", NULL, "^(a)\\1$", 0, false},
	{"regex finds anywhere", "userId=xxabcxx", "userId", "REGEX", NULL, "abc", 0, true},
	{"regex without (?s): . does not match newline", "userId=a\nb", "userId", "REGEX", NULL, "^a.b$", 0, false},
	/* 22: CIDR */
	{"22 exact", "remoteAddress=127.0.0.1", "remoteAddress", "IN_CIDR", "127.0.0.1", NULL, 0, true},
	{"22 exact miss", "remoteAddress=127.0.0.2", "remoteAddress", "IN_CIDR", "127.0.0.1", NULL, 0, false},
	{"22 range", "remoteAddress=160.33.0.33", "remoteAddress", "IN_CIDR", "160.33.0.0/16", NULL, 0, true},
	{"22 range miss", "remoteAddress=160.34.0.1", "remoteAddress", "IN_CIDR", "160.33.0.0/16", NULL, 0, false},
	{"22 mixed values", "remoteAddress=192.168.1.42", "remoteAddress", "IN_CIDR", "127.invalid|192.168.1.0/24", NULL, 0, true},
	{"22 invalid only", "remoteAddress=127.0.0.1", "remoteAddress", "IN_CIDR", "127.invalid", NULL, 0, false},
	{"22 absent", "", "remoteAddress", "IN_CIDR", "160.33.0.0/16", NULL, 0, false},
	{"22 IPv6 exact", "remoteAddress=2001:db8::1", "remoteAddress", "IN_CIDR", "2001:db8::1", NULL, 0, true},
	{"22 IPv6 exact miss", "remoteAddress=2001:db8::2", "remoteAddress", "IN_CIDR", "2001:db8::1", NULL, 0, false},
	{"22 IPv6 range", "remoteAddress=2001:db8:0:1::42", "remoteAddress", "IN_CIDR", "2001:db8::/32", NULL, 0, true},
	{"22 IPv6 range miss", "remoteAddress=2001:db9::1", "remoteAddress", "IN_CIDR", "2001:db8::/32", NULL, 0, false},
	{"22 IPv6 mixed", "remoteAddress=2001:db8::abcd", "remoteAddress", "IN_CIDR", "bad::cidr|2001:db8::/32", NULL, 0, true},
	{"CIDR: /0 holds every IPv4", "remoteAddress=8.8.8.8", "remoteAddress", "IN_CIDR", "0.0.0.0/0", NULL, 0, true},
	{"CIDR: /0 IPv4 holds no IPv6", "remoteAddress=::1", "remoteAddress", "IN_CIDR", "0.0.0.0/0", NULL, 0, false},
	{"CIDR: odd prefix /23 hit", "remoteAddress=10.0.1.200", "remoteAddress", "IN_CIDR", "10.0.0.0/23", NULL, 0, true},
	{"CIDR: odd prefix /23 miss", "remoteAddress=10.0.2.1", "remoteAddress", "IN_CIDR", "10.0.0.0/23", NULL, 0, false},
	{"CIDR: prefix above 32 is invalid", "remoteAddress=10.0.0.1", "remoteAddress", "IN_CIDR", "10.0.0.1/33", NULL, 0, false},
	{"CIDR: leading zero octet is invalid", "remoteAddress=10.0.0.1", "remoteAddress", "IN_CIDR", "010.0.0.1", NULL, 0, false},
	{"CIDR: value trimmed", "remoteAddress=10.0.0.1", "remoteAddress", "IN_CIDR", " 10.0.0.0/8 ", NULL, 0, true},
	{"CIDR: the context must be an address", "remoteAddress=localhost", "remoteAddress", "IN_CIDR", "0.0.0.0/0", NULL, 0, false},
	{"CIDR: inverted", "remoteAddress=10.0.0.1", "remoteAddress", "IN_CIDR", "192.168.0.0/16", NULL, INV, true},
	{"CIDR on a property", "p.ip=10.1.2.3", "ip", "IN_CIDR", "10.0.0.0/8", NULL, 0, true},
};

/* Run the table of constraint cases. */
static void
test_constraints(void)
{
	char		name[256];

	for (size_t i = 0; i < sizeof(constraint_cases) / sizeof(constraint_cases[0]); i++)
	{
		const ConstraintCase *t = &constraint_cases[i];
		const FFConstraint *c = compile(t->field, t->op, t->values, t->value, t->flags);
		FFContext	ctx = C(t->ctx);

		snprintf(name, sizeof(name), "constraint: %s", t->what);
		check(ff_constraint_matches(c, &ctx) == t->expected, name);
	}
}

/* Malformed constraints are compile errors; tolerated ones are not. */
static void
test_constraint_errors(void)
{
	FFContext	ctx = C("p.n=1");
	const FFConstraint *c;

	check(compile_fails("n", "NUM_GT", "abc", "not a number"), "compile: NUM_ value not a number");
	check(compile_fails("n", "NUM_GT", "0x", "not a number"), "compile: NUM_ value 0x");
	check(compile_fails("n", "NUM_GT", NULL, "needs \"value\""), "compile: NUM_ without value");
	check(compile_fails("t", "DATE_AFTER", "yesterday", "ISO 8601"), "compile: DATE_ value not a date");
	check(compile_fails("t", "DATE_AFTER", "2022-02-30", "ISO 8601"), "compile: DATE_ value, day the month lacks");
	check(compile_fails("v", "SEMVER_GT", "1.2", "semantic version"), "compile: SEMVER_ value 1.2");
	check(compile_fails("v", "SEMVER_GT", "=1.2.3", "semantic version"), "compile: SEMVER_ value =1.2.3 (strict node-semver)");
	check(compile_fails("v", "REGEX", NULL, "needs \"value\""), "compile: REGEX without value");
	check(compile_fails("", "IN", NULL, "contextName"), "compile: empty context name");
	c = compile("n", "NOT_AN_OPERATOR", NULL, NULL, 0);
	check(c != ff_constraint_never() && !ff_constraint_matches(c, &ctx),
		  "compile: unknown operator compiles and never matches");
	check(!ff_constraint_matches(ff_constraint_never(), &ctx), "ff_constraint_never never matches");
	check(strcmp(ff_operator_name(ff_operator_from_name(S("SEMVER_GTE"))), "SEMVER_GTE") == 0 &&
		  ff_operator_from_name(S("IN_CIDR")) == FF_OP_IN_CIDR &&
		  ff_operator_from_name(S("IN_CIDRX")) == FF_OP_UNKNOWN &&
		  strcmp(ff_operator_name(FF_OP_UNKNOWN), "UNKNOWN") == 0,
		  "operator names round-trip");
}

/* ff_parse_timestamp: the forms JavaScript's Date reads, and refusals. */
static void
test_timestamps(void)
{
	static const struct
	{
		const char *text;
		bool		ok;
		int64_t		micros;
	}			cases[] = {
		{"1970-01-01T00:00:00.000Z", true, 0},
		{"2022-01-22T13:00:00.000Z", true, INT64_C(1642856400000000)},
		{"2022-01-22T13:00:00.000+02:00", true, INT64_C(1642849200000000)},
		{"2022-01-22T13:00:00-05:30", true, INT64_C(1642876200000000)},
		{"2022-01-22T13:00Z", true, INT64_C(1642856400000000)},
		{"2022-01-22T13:00:00.1Z", true, INT64_C(1642856400100000)},
		{"2022-01-22T13:00:00.123456Z", true, INT64_C(1642856400123000)},
		{"2022-01-22", true, INT64_C(1642809600000000)},
		{"2022-01", true, INT64_C(1640995200000000)},
		{"2022", true, INT64_C(1640995200000000)},
		{"2024-02-29", true, INT64_C(1709164800000000)},
		{"2022-01-22T24:00:00Z", true, INT64_C(1642896000000000)},
		{"1969-12-31T23:59:59.999Z", true, INT64_C(-1000)},
		{"2022-02-29", false, 0},
		{"2022-13-01", false, 0},
		{"2022-01-22T13:00:00", false, 0},
		{"2022-01-22 13:00:00Z", false, 0},
		{"2022-01-22T13:00:60Z", false, 0},
		{"2022-01-22T13:00:00.Z", false, 0},
		{"2022-01-22T24:00:01Z", false, 0},
		{"2022-01-22T13:00:00+0200", false, 0},
		{"22-01-22", false, 0},
		{"", false, 0},
		{"2022-01-22Z", false, 0},
	};
	char		name[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int64_t		micros = -42;
		bool		ok = ff_parse_timestamp(S(cases[i].text), &micros);

		snprintf(name, sizeof(name), "timestamp \"%s\" %s", cases[i].text,
				 cases[i].ok ? "parses" : "is refused");
		check(ok == cases[i].ok && (!ok || micros == cases[i].micros), name);
	}
}

/* ff_normalized_value against the Node SDK's normalizedStrategyValue / normalizedVariantValue. */
static void
test_normalized_values(void)
{
	static const struct
	{
		const char *id;
		const char *group;
		uint32_t	modulus;
		uint32_t	seed;
		uint32_t	expected;
	}			cases[] = {
		{"174", "Feature.flexibleRollout.10", 100, 0, 10},
		{"499", "Feature.flexibleRollout.10", 100, 0, 32},
		{"25", "Feature.flexibleRollout.userId.55", 100, 0, 55},
		{"147", "Feature.flexibleRollout.sessionId.42", 100, 0, 42},
		{"388", "Feature.flexible.rollout.custom.stickiness_50", 100, 0, 10},
		{"402", "Feature.flexible.rollout.custom.stickiness_50", 100, 0, 55},
		{"39", "Feature.flexible.rollout.custom.stickiness_50", 100, 0, 25},
		{"123", "gr1", 100, 0, 73},
		{"", "", 100, 0, 31},
		{"user-7", "my.flag", 100, 0, 35},
		{"a-much-longer-session-identifier-0001", "checkout", 100, 0, 7},
		{"2", "Feature.Variants.B", 2, 86028157, 2},
		{"0", "Feature.Variants.B", 2, 86028157, 1},
		{"232", "Feature.Variants.C", 99, 86028157, 18},
		{"607", "Feature.Variants.C", 99, 86028157, 58},
		{"656", "Feature.Variants.C", 99, 86028157, 94},
		{"712", "Feature.Variants.D", 100, 86028157, 1},
		{"525", "Feature.Variants.D", 100, 86028157, 30},
		{"537", "Feature.Variants.D", 100, 86028157, 70},
		{"616", "Feature.flexible.rollout.custom.stickiness_100", 100, 86028157, 15},
		{"44", "Feature.flexible.rollout.custom.stickiness_100", 100, 86028157, 98},
		{"1", "a", 2, 86028157, 1},
		{"2", "a", 2, 86028157, 2},
		{"user-7", "my.flag", 1000, 86028157, 610},
	};
	char		name[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		uint32_t	got = ff_normalized_value(S(cases[i].id), S(cases[i].group),
											  cases[i].modulus, cases[i].seed);

		snprintf(name, sizeof(name), "normalized \"%s:%s\" %% %u (seed %u) = %u (got %u)",
				 cases[i].group, cases[i].id, cases[i].modulus, cases[i].seed,
				 cases[i].expected, got);
		check(got == cases[i].expected, name);
	}
}

/* --- rules --- */

/* Compile a rule from "name=value;..." parameters (NULL on a compile error, err printed). */
static const FFRule *
rule(const char *strategy, const char *params, const FFConstraint *constraint,
	 const FFVariants *variants, char *err)
{
	static char storage[512];
	static FFStr names[8],
				values[8];
	FFRuleSpec	spec = {S(strategy), names, values, 0, NULL, 0, NULL, 0, variants};
	const FFConstraint *constraints[1] = {constraint};
	const FFRule *r = NULL;
	char		own_err[FF_TARGETING_ERROR_MAX] = "";
	char	   *save = NULL;

	if (constraint != NULL)
	{
		spec.constraints = constraints;
		spec.nconstraints = 1;
	}
	snprintf(storage, sizeof(storage), "%s", params);
	for (char *f = strtok_r(storage, ";", &save); f != NULL; f = strtok_r(NULL, ";", &save))
	{
		char	   *eq = strchr(f, '=');

		*eq = '\0';
		names[spec.nparameters] = S(f);
		values[spec.nparameters++] = S(eq + 1);
	}
	if (!ff_rule_compile(&arena, &spec, &r, err ? err : own_err, FF_TARGETING_ERROR_MAX))
	{
		printf("# rule compile error: %s\n", err ? err : own_err);
		return NULL;
	}
	return r;
}

/* True when the rule matches the context for the flag (no variant expected). */
static bool
matches(const FFRule *r, const char *flag, const char *ctx_desc)
{
	FFContext	ctx = C(ctx_desc);
	FFVariantChoice choice;
	bool		has_choice;

	return r != NULL && ff_rule_matches(r, S(flag), &ctx, &choice, &has_choice);
}

static uint32_t fixed_random_value;

/* A generator that always gives fixed_random_value. */
static uint32_t
fixed_random(void)
{
	return fixed_random_value;
}

/* Strategies: spec files 02, 03, 04, 05, 06, 10, 12 and edges. */
static void
test_rules(void)
{
	const char *f10 = "Feature.flexibleRollout.10";
	const FFRule *r;
	char		err[FF_TARGETING_ERROR_MAX];
	char		host[300];
	char		params[400];

	r = rule("userWithId", "userIds=123, 222, 88", NULL, NULL, NULL);
	check(matches(r, "F", "userId=222") && matches(r, "F", "userId=88") &&
		  !matches(r, "F", "userId=22") && !matches(r, "F", ""), "02 userWithId list");
	r = rule("userWithId", "userIds= 1 ,2 ", NULL, NULL, NULL);
	check(matches(r, "F", "userId=2 ") && !matches(r, "F", "userId=2") && matches(r, "F", "userId= 1"),
		  "userWithId splits on /\\s*,\\s*/ (the ends keep their spaces)");
	check(!matches(rule("userWithId", "", NULL, NULL, NULL), "F", "userId=1"), "userWithId without userIds");

	r = rule("gradualRolloutUserId", "percentage=50;groupId=AB12A", NULL, NULL, NULL);
	check(matches(r, "F", "userId=122") && !matches(r, "F", "userId=155") && !matches(r, "F", ""),
		  "03 gradualRolloutUserId 50%");
	check(!matches(rule("gradualRolloutUserId", "percentage=0;groupId=AB12A", NULL, NULL, NULL), "F", "userId=122"),
		  "03 gradualRolloutUserId 0%");
	r = rule("gradualRolloutSessionId", "percentage=50;groupId=AB12A", NULL, NULL, NULL);
	check(matches(r, "F", "sessionId=122") && !matches(r, "F", "sessionId=155") && !matches(r, "F", ""),
		  "04 gradualRolloutSessionId 50%");
	check(matches(rule("gradualRolloutSessionId", "percentage=100;groupId=AB12A", NULL, NULL, NULL), "F", "sessionId=123"),
		  "04 gradualRolloutSessionId 100%");

	ff_targeting_random = fixed_random;
	r = rule("gradualRolloutRandom", "percentage=30", NULL, NULL, NULL);
	fixed_random_value = 29;	/* draws 30 */
	check(matches(r, "F", ""), "gradualRolloutRandom: a draw of 30 is in 30%");
	fixed_random_value = 30;	/* draws 31 */
	check(!matches(r, "F", ""), "gradualRolloutRandom: a draw of 31 is not");
	check(!matches(rule("gradualRolloutRandom", "percentage=0", NULL, NULL, NULL), "F", "") &&
		  matches(rule("gradualRolloutRandom", "percentage=100", NULL, NULL, NULL), "F", ""),
		  "05 gradualRolloutRandom 0% and 100%");
	check(!matches(rule("gradualRolloutRandom", "", NULL, NULL, NULL), "F", ""),
		  "gradualRolloutRandom without percentage (NaN) is off");

	r = rule("remoteAddress", "IPs=192.168.0.1, 192.invalid, 192.168.0.2, 192.168.0.3", NULL, NULL, NULL);
	check(matches(r, "F", "remoteAddress=192.168.0.3") && !matches(r, "F", "remoteAddress=217.100.10.11") &&
		  !matches(r, "F", ""), "06 remoteAddress list with an invalid entry");
	r = rule("remoteAddress", "IPs=10.0.0.0/8, ::1, not-an-ip", NULL, NULL, NULL);
	check(matches(r, "F", "remoteAddress=10.2.3.4") && matches(r, "F", "remoteAddress=::1") &&
		  matches(r, "F", "remoteAddress=not-an-ip") && !matches(r, "F", "remoteAddress=11.0.0.1"),
		  "remoteAddress: IPv4 ranges, and the same text");

	r = rule("flexibleRollout", "rollout=100;stickiness=default;groupId=Feature.flexibleRollout.100", NULL, NULL, NULL);
	check(matches(r, "F", ""), "10 flexibleRollout 100% with nothing (random stickiness)");
	r = rule("flexibleRollout", "rollout=10;stickiness=default;groupId=Feature.flexibleRollout.10", NULL, NULL, NULL);
	check(matches(r, f10, "userId=174") && !matches(r, f10, "userId=499") &&
		  matches(r, f10, "sessionId=174") && !matches(r, f10, "sessionId=499"),
		  "10 flexibleRollout 10%, userId then sessionId");
	check(matches(r, f10, "userId=;sessionId=174"), "flexibleRollout default: an empty userId falls to sessionId");
	r = rule("flexibleRollout", "rollout=10;stickiness=default", NULL, NULL, NULL);
	check(matches(r, f10, "userId=174") && !matches(r, "other", "userId=174") == (ff_normalized_value(S("174"), S("other"), 100, 0) > 10),
		  "flexibleRollout: groupId defaults to the flag key");
	r = rule("flexibleRollout", "rollout=55;stickiness=userId;groupId=Feature.flexibleRollout.userId.55", NULL, NULL, NULL);
	check(matches(r, "F", "userId=25") && !matches(r, "F", "sessionId=25") && !matches(r, "F", ""),
		  "10 flexibleRollout stickiness userId");
	r = rule("flexibleRollout", "rollout=42;stickiness=sessionId;groupId=Feature.flexibleRollout.sessionId.42", NULL, NULL, NULL);
	check(matches(r, "F", "sessionId=147"), "10 flexibleRollout stickiness sessionId");
	r = rule("flexibleRollout", "rollout=0;stickiness=default;groupId=Feature.flexibleRollout.0", NULL, NULL, NULL);
	check(!matches(r, "F", "sessionId=147;userId=12"), "10 flexibleRollout 0%");
	r = rule("flexibleRollout", "rollout=50;stickiness=customField;groupId=Feature.flexible.rollout.custom.stickiness_50", NULL, NULL, NULL);
	check(!matches(r, "F", "") && !matches(r, "F", "p.customField=402") &&
		  matches(r, "F", "p.customField=388") && matches(r, "F", "p.customField=39") &&
		  !matches(r, "F", "p.customField="), "12 flexibleRollout custom stickiness 50%");
	r = rule("flexibleRollout", "rollout=1;stickiness=random;groupId=g", NULL, NULL, NULL);
	for (fixed_random_value = 0; fixed_random_value < 10001; fixed_random_value++)
	{
		char		buf[16];

		if (ff_normalized_value(ff_random_id(buf, 10001), S("g"), 100, 0) == 1)
			break;
	}
	check(matches(r, "F", "userId=ignored"), "flexibleRollout random: the drawn id is hashed");
	check(!matches(rule("flexibleRollout", "stickiness=default", NULL, NULL, NULL), "F", "userId=1"),
		  "flexibleRollout without rollout (NaN) is off");

	check(rule("flexibleRollout", "rollout=abc", NULL, NULL, err) == NULL && strstr(err, "rollout") != NULL,
		  "compile: rollout not a number");
	check(rule("flexibleRollout", "rollout=101", NULL, NULL, err) == NULL, "compile: rollout 101");
	check(rule("flexibleRollout", "rollout=-1", NULL, NULL, err) == NULL, "compile: rollout -1");
	check(rule("gradualRolloutUserId", "percentage=x", NULL, NULL, err) == NULL && strstr(err, "percentage") != NULL,
		  "compile: percentage not a number");
	check(rule("flexibleRollout", "rollout= 12.5 ", NULL, NULL, err) != NULL, "compile: rollout 12.5 (JavaScript's Number)");

	r = rule("default", "", compile("environment", "IN", "dev", NULL, 0), NULL, NULL);
	check(matches(r, "F", "environment=dev") && !matches(r, "F", "environment=prod"),
		  "constraints are checked before the strategy");
	r = rule("userWithId", "userIds=123", compile("environment", "IN", "prod", NULL, 0), NULL, NULL);
	check(matches(r, "F", "environment=prod;userId=123") && !matches(r, "F", "environment=dev;userId=123") &&
		  !matches(r, "F", "environment=prod;userId=44"), "09 userWithId with a constraint");
	r = rule("default", "", ff_constraint_never(), NULL, NULL);
	check(!matches(r, "F", ""), "a missing segment's never-constraint turns the rule off");
	r = rule("myCustomStrategy", "", NULL, NULL, NULL);
	check(r != NULL && !matches(r, "F", "") && ff_rule_kind(r) == FF_STRATEGY_UNKNOWN,
		  "an unknown strategy compiles and never matches");
	check(ff_rule_kind(rule("gradualRolloutSessionId", "", NULL, NULL, NULL)) == FF_STRATEGY_GRADUAL_ROLLOUT_SESSION_ID,
		  "ff_rule_kind");

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 32;
	snprintf(params, sizeof(params), "hostNames=elsewhere , %s", host);
	check(matches(rule("applicationHostname", params, NULL, NULL, NULL), "F", ""),
		  "applicationHostname: this host, case-insensitively");
	check(!matches(rule("applicationHostname", "hostNames=elsewhere", NULL, NULL, NULL), "F", "") &&
		  !matches(rule("applicationHostname", "", NULL, NULL, NULL), "F", ""),
		  "applicationHostname: another host, or none");
}

/* --- variants --- */
typedef struct VariantDesc
{
	const char *name;
	int			weight;
	const char *stickiness;		/* NULL: none */
	const char *payload;		/* NULL: none; string payloads */
	const char *override_field; /* NULL: none */
	const char *override_values;	/* "a|b" */
} VariantDesc;

/* Compile a list of variants. */
static const FFVariants *
variants(const VariantDesc *descs, size_t n)
{
	FFVariantSpec specs[8];
	FFVariantOverrideSpec overrides[8];
	static char storage[8][128];
	static FFStr values[8][8];
	const FFVariants *v = NULL;
	char		err[FF_TARGETING_ERROR_MAX];

	memset(specs, 0, sizeof(specs));
	for (size_t i = 0; i < n; i++)
	{
		specs[i].name = S(descs[i].name);
		specs[i].weight = descs[i].weight;
		specs[i].has_stickiness = descs[i].stickiness != NULL;
		specs[i].stickiness = S(descs[i].stickiness ? descs[i].stickiness : "");
		specs[i].has_payload = descs[i].payload != NULL;
		specs[i].payload_type = S("string");
		specs[i].payload_value = S(descs[i].payload ? descs[i].payload : "");
		if (descs[i].override_field != NULL)
		{
			overrides[i].context_name = S(descs[i].override_field);
			overrides[i].values = values[i];
			overrides[i].nvalues = split_values(descs[i].override_values, values[i],
												storage[i], sizeof(storage[i]));
			specs[i].overrides = &overrides[i];
			specs[i].noverrides = 1;
		}
	}
	if (!ff_variants_compile(&arena, specs, n, &v, err, sizeof(err)))
	{
		printf("# variants compile error: %s\n", err);
		return NULL;
	}
	return v;
}

/* The name of the variant chosen for the flag in the context ("-" when none). */
static const char *
pick(const FFVariants *v, const char *group, const char *ctx_desc)
{
	static char name[64];
	FFContext	ctx = C(ctx_desc);
	FFVariantChoice choice;

	if (v == NULL || !ff_variants_select(v, S(group), ff_variants_stickiness(v), &ctx, &choice))
		return "-";
	snprintf(name, sizeof(name), "%.*s", (int) choice.name.len, choice.name.ptr);
	return name;
}

/* The name of the variant a rule picks ("-" when it matches without one, "off" when not). */
static const char *
rule_pick(const FFRule *r, const char *flag, const char *ctx_desc)
{
	static char name[64];
	FFContext	ctx = C(ctx_desc);
	FFVariantChoice choice;
	bool		has_choice;

	if (r == NULL || !ff_rule_matches(r, S(flag), &ctx, &choice, &has_choice))
		return "off";
	if (!has_choice)
		return "-";
	snprintf(name, sizeof(name), "%.*s", (int) choice.name.len, choice.name.ptr);
	return name;
}

/* Variant selection: spec files 08, 12, 16 and edges. */
static void
test_variants(void)
{
	static const VariantDesc b[] = {{"variant1", 1, NULL, "val1", NULL, NULL}, {"variant2", 1, NULL, "val2", NULL, NULL}};
	static const VariantDesc c3[] = {{"variant1", 33, NULL, "val1", NULL, NULL}, {"variant2", 33, NULL, "val2", NULL, NULL}, {"variant3", 33, NULL, "val3", NULL, NULL}};
	static const VariantDesc d[] = {{"variant1", 1, NULL, "val1", NULL, NULL}, {"variant2", 49, NULL, "val2", NULL, NULL}, {"variant3", 50, NULL, "val3", NULL, NULL}};
	static const VariantDesc od[] = {{"variant1", 33, NULL, "val1", "userId", "132|61"}, {"variant2", 33, NULL, "val2", NULL, NULL}, {"variant3", 34, NULL, "val3", NULL, NULL}};
	static const VariantDesc custom[] = {{"blue", 25, "customField", "val1", NULL, NULL}, {"red", 25, "customField", "val1", NULL, NULL}, {"green", 25, "customField", "val1", NULL, NULL}, {"yellow", 25, "customField", "val1", NULL, NULL}};
	static const VariantDesc ab[] = {{"variantNameA", 1, NULL, "variantValueA", NULL, NULL}, {"variantNameB", 1, NULL, "variantValueB", NULL, NULL}};
	static const VariantDesc zero[] = {{"none", 0, NULL, NULL, NULL, NULL}};
	static const VariantDesc skip0[] = {{"zero", 0, NULL, NULL, NULL, NULL}, {"all", 5, NULL, NULL, NULL, NULL}};
	const FFVariants *v;
	const FFRule *r;
	FFContext	ctx;
	FFVariantChoice choice;
	char		err[FF_TARGETING_ERROR_MAX];
	FFVariantSpec bad = {.name = {"x", 1}, .weight = -1};

	v = variants(b, 2);
	check(strcmp(pick(v, "Feature.Variants.B", "userId=2"), "variant2") == 0 &&
		  strcmp(pick(v, "Feature.Variants.B", "userId=0"), "variant1") == 0, "08 Variants.B by userId");
	v = variants(c3, 3);
	check(strcmp(pick(v, "Feature.Variants.C", "userId=232"), "variant1") == 0 &&
		  strcmp(pick(v, "Feature.Variants.C", "userId=607"), "variant2") == 0 &&
		  strcmp(pick(v, "Feature.Variants.C", "userId=656"), "variant3") == 0, "08 Variants.C three ways");
	v = variants(d, 3);
	check(strcmp(pick(v, "Feature.Variants.D", "userId=712"), "variant1") == 0 &&
		  strcmp(pick(v, "Feature.Variants.D", "userId=525"), "variant2") == 0 &&
		  strcmp(pick(v, "Feature.Variants.D", "userId=537"), "variant3") == 0, "08 Variants.D weights 1/49/50");
	v = variants(od, 3);
	check(strcmp(pick(v, "Feature.Variants.override.D", "userId=132"), "variant1") == 0 &&
		  strcmp(pick(v, "Feature.Variants.override.D", "userId=61"), "variant1") == 0 &&
		  strcmp(pick(v, "Feature.Variants.override.D", "userId=388"), "variant2") == 0, "08 overrides first");
	check(strcmp(pick(v, "Feature.Variants.override.D", "sessionId=388"), "variant2") == 0,
		  "default stickiness falls to sessionId");
	check(strcmp(pick(v, "Feature.Variants.override.D", "userId=;remoteAddress=388"), "variant2") == 0,
		  "default stickiness falls to remoteAddress (an empty userId skipped)");
	v = variants(custom, 4);
	check(strcmp(pick(v, "Feature.flexible.rollout.custom.stickiness_100", "p.customField=616"), "blue") == 0 &&
		  strcmp(pick(v, "Feature.flexible.rollout.custom.stickiness_100", "p.customField=503"), "red") == 0 &&
		  strcmp(pick(v, "Feature.flexible.rollout.custom.stickiness_100", "p.customField=438"), "green") == 0 &&
		  strcmp(pick(v, "Feature.flexible.rollout.custom.stickiness_100", "p.customField=44"), "yellow") == 0,
		  "12 custom stickiness");
	check(ff_variants_stickiness(v) != NULL && ff_str_is(*ff_variants_stickiness(v), "customField"),
		  "ff_variants_stickiness: the first variant's");
	check(strcmp(pick(variants(zero, 1), "F", "userId=1"), "-") == 0 && strcmp(pick(variants(NULL, 0), "F", "userId=1"), "-") == 0,
		  "no choice when the total weight is 0");
	check(strcmp(pick(variants(skip0, 2), "F", "userId=1"), "all") == 0, "a weight-0 variant is never chosen");
	ctx = C("userId=0");
	v = variants(ab, 2);
	check(ff_variants_select(v, S("a"), NULL, &ctx, &choice) && choice.has_payload &&
		  ff_str_is(choice.payload_type, "string") && ff_str_is(choice.payload_value, "variantValueB"),
		  "the choice carries the payload");
	check(!ff_variants_compile(&arena, &bad, 1, &v, err, sizeof(err)) && strstr(err, "negative") != NULL,
		  "compile: a negative weight");
	bad.weight = 1;
	bad.name = S("");
	check(!ff_variants_compile(&arena, &bad, 1, &v, err, sizeof(err)) && strstr(err, "name") != NULL,
		  "compile: an empty name");

	/* 16: strategy variants */
	r = rule("flexibleRollout", "rollout=100;stickiness=default;groupId=a",
			 compile("environment", "IN", "dev", NULL, 0), variants(ab, 1), NULL);
	check(strcmp(rule_pick(r, "F", "environment=dev"), "variantNameA") == 0 &&
		  strcmp(rule_pick(r, "F", "environment=not-dev"), "off") == 0, "16 strategy variant with a constraint");
	r = rule("flexibleRollout", "rollout=100;stickiness=default;groupId=a", NULL, variants(ab, 2), NULL);
	check(strcmp(rule_pick(r, "F", "userId=5"), "variantNameA") == 0 &&
		  strcmp(rule_pick(r, "F", "userId=0"), "variantNameB") == 0, "16 strategy with two variants (groupId a)");
	r = rule("flexibleRollout", "rollout=100;stickiness=default;groupId=a", NULL, variants(NULL, 0), NULL);
	check(strcmp(rule_pick(r, "F", ""), "-") == 0, "16 empty strategy variants: on, no variant");
	r = rule("flexibleRollout", "rollout=100;stickiness=default;groupId=a", NULL, NULL, NULL);
	check(strcmp(rule_pick(r, "F", ""), "-") == 0, "16 no strategy variants: on, no variant");
	r = rule("flexibleRollout", "rollout=100;stickiness=clientId;groupId=a", NULL, variants(ab, 2), NULL);
	check(strcmp(rule_pick(r, "F", "p.clientId=1"), "variantNameA") == 0 &&
		  strcmp(rule_pick(r, "F", "p.clientId=2"), "variantNameB") == 0,
		  "16 strategy variants inherit the strategy's stickiness");
	r = rule("flexibleRollout", "rollout=100;stickiness=default", NULL, variants(ab, 2), NULL);
	check(strcmp(rule_pick(r, "a", "userId=5"), "variantNameA") == 0 &&
		  strcmp(rule_pick(r, "a", "userId=0"), "variantNameB") == 0,
		  "strategy variants without groupId use the flag key");
}

/* Lower-casing and trimming as JavaScript does. */
static void
test_text(void)
{
	char		out[64];
	FFStr		t;
	size_t		n;

	n = ff_utf8_lower(S("ABC \xc3\x84\xc3\x96 \xc4\xb0 \xce\xa3 \xd0\x81 \xff"), out);
	check(n == 20 && memcmp(out, "abc \xc3\xa4\xc3\xb6 i\xcc\x87 \xcf\x83 \xd1\x91 \xff", n) == 0,
		  "ff_utf8_lower: ASCII, Latin-1, U+0130, Greek, Cyrillic, invalid byte kept");
	t = ff_js_trim(S("\xc2\xa0\t x y \xe3\x80\x80\n"));
	check(t.len == 3 && memcmp(t.ptr, "x y", 3) == 0, "ff_js_trim: Unicode spaces too");
	t = ff_js_trim(S(" \t "));
	check(t.len == 0, "ff_js_trim: all space");
}

/* Run everything. */
int
main(void)
{
	test_text();
	test_constraints();
	test_constraint_errors();
	test_timestamps();
	test_normalized_values();
	test_rules();
	test_variants();
	arena_free();
	printf("1..%d\n", checks);
	if (failures > 0)
		printf("# %d of %d checks failed\n", failures, checks);
	return failures > 0 ? 1 : 0;
}
