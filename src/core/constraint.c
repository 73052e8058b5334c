/*
 * constraint.c
 *      Unleash's constraints: compiled once (values cleaned, numbers, dates,
 *      versions, CIDR ranges and regular expressions parsed) and tested per
 *      call with exactly the semantics of the Node SDK's strategy.js
 *      (checkConstraint and its operator functions).
 *
 * What the Node SDK does that is easy to get wrong:
 * - cleanValues drops empty strings *before* trimming, so " " becomes "";
 * - an unknown operator is false before "inverted" is looked at;
 * - a missing context field makes IN false and NOT_IN true (and inverted
 *   flips either); string, number, semver, regex and CIDR tests are false;
 * - DATE_ operators ignore the context name and test the current time.
 */
#include <stdlib.h>
#include <string.h>

#include "targeting_internal.h"

/* Room for lower-casing a context value without malloc. */
#define LOWER_BUFFER 256

/* Unleash's cleanValues: drop empty strings, trim the rest; lower-cased when lower. */
static void
clean_values(FFArena *arena, const FFConstraintSpec *spec, bool lower, FFConstraint *c)
{
	c->values = arena->alloc(arena->cx, sizeof(FFStr) * (spec->nvalues + 1));
	c->nvalues = 0;
	for (size_t i = 0; i < spec->nvalues; i++)
		if (spec->values[i].len > 0)
			c->values[c->nvalues++] = ff_arena_str(arena, ff_js_trim(spec->values[i]), lower);
}

/* Parse the single "value" of a NUM_, DATE_ or SEMVER_ operator, or refuse it. */
static bool
compile_value(FFArena *arena, const FFConstraintSpec *spec, FFConstraint *c,
			  char *err, size_t errlen)
{
	const char *op = ff_operator_name(c->op);
	int			n = (int) spec->context_name.len;
	const char *name = spec->context_name.ptr;
	FFStr		value;

	if (!spec->has_value)
		return ff_targeting_error(err, errlen, "constraint on \"%.*s\": %s needs \"value\"",
								  n, name, op);
	value = ff_arena_str(arena, spec->value, false);
	if (c->op >= FF_OP_NUM_EQ && c->op <= FF_OP_NUM_LTE && !ff_js_number(value, &c->number))
		return ff_targeting_error(err, errlen, "constraint on \"%.*s\": \"value\" of %s is not a number: \"%s\"",
								  n, name, op, value.ptr);
	if ((c->op == FF_OP_DATE_AFTER || c->op == FF_OP_DATE_BEFORE) &&
		!ff_parse_timestamp(value, &c->micros))
		return ff_targeting_error(err, errlen, "constraint on \"%.*s\": \"value\" of %s is not an ISO 8601 timestamp: \"%s\"",
								  n, name, op, value.ptr);
	if (c->op >= FF_OP_SEMVER_EQ && c->op <= FF_OP_SEMVER_LTE && !ff_semver_parse(value, &c->semver))
		return ff_targeting_error(err, errlen, "constraint on \"%.*s\": \"value\" of %s is not a semantic version: \"%s\"",
								  n, name, op, value.ptr);
	if (c->op == FF_OP_REGEX && value.len > FF_REGEX_MAX_PATTERN)
		return ff_targeting_error(err, errlen, "constraint on \"%.*s\": the REGEX pattern is %zu bytes long, at most %d are allowed",
								  n, name, value.len, FF_REGEX_MAX_PATTERN);
	if (c->op == FF_OP_REGEX)
	{
		c->pattern = value;
		c->on_regex = arena->on_regex;
		c->regex_cx = arena->cx;
	}
	return true;
}

/* Compile spec into *out (allocated in arena); false with err when malformed. */
bool
ff_constraint_compile(FFArena *arena, const FFConstraintSpec *spec,
					  const FFConstraint **out, char *err, size_t errlen)
{
	FFConstraint *c = arena->alloc(arena->cx, sizeof(FFConstraint));

	memset(c, 0, sizeof(*c));
	if (spec->context_name.len == 0)
		return ff_targeting_error(err, errlen, "constraint: \"contextName\" is empty");
	c->op = ff_operator_from_name(spec->operator_name);
	c->context_name = ff_arena_str(arena, spec->context_name, false);
	c->inverted = spec->inverted;
	c->case_insensitive = spec->case_insensitive;
	clean_values(arena, spec, spec->case_insensitive &&
				 c->op >= FF_OP_STR_STARTS_WITH && c->op <= FF_OP_STR_CONTAINS, c);
	if (c->op >= FF_OP_NUM_EQ && c->op <= FF_OP_REGEX &&
		!compile_value(arena, spec, c, err, errlen))
		return false;
	if (c->op == FF_OP_IN_CIDR)
	{
		c->cidrs = arena->alloc(arena->cx, sizeof(FFCidr) * (c->nvalues + 1));
		for (size_t i = 0; i < c->nvalues; i++)
			ff_cidr_parse(c->values[i], &c->cidrs[i]);	/* invalid: kept, never matches */
	}
	*out = c;
	return true;
}

/* A constraint that never matches (a strategy's reference to a missing segment). */
const FFConstraint *
ff_constraint_never(void)
{
	static const FFConstraint never = {.op = FF_OP_UNKNOWN};

	return &never;
}

/* True when hay has needle at its start, end or anywhere (by op). */
static bool
string_test(FFOperator op, FFStr hay, FFStr needle)
{
	if (needle.len > hay.len)
		return false;
	if (needle.len == 0)
		return true;
	if (op == FF_OP_STR_STARTS_WITH)
		return memcmp(hay.ptr, needle.ptr, needle.len) == 0;
	if (op == FF_OP_STR_ENDS_WITH)
		return memcmp(hay.ptr + hay.len - needle.len, needle.ptr, needle.len) == 0;
	for (size_t i = 0; i + needle.len <= hay.len; i++)
		if (hay.ptr[i] == needle.ptr[0] && memcmp(hay.ptr + i, needle.ptr, needle.len) == 0)
			return true;
	return false;
}

/* Unleash's StringOperator. */
static bool
string_operator(const FFConstraint *c, FFStr value)
{
	char		small[2 * LOWER_BUFFER];
	char	   *lower = NULL;
	bool		found = false;

	if (c->case_insensitive)
	{
		lower = value.len <= LOWER_BUFFER ? small : malloc(2 * value.len);
		if (lower == NULL)
			return false;
		value.len = ff_utf8_lower(value, lower);
		value.ptr = lower;
	}
	for (size_t i = 0; i < c->nvalues && !found; i++)
		found = string_test(c->op, value, c->values[i]);
	if (lower != NULL && lower != small)
		free(lower);
	return found;
}

/* Unleash's NumberOperator on the context value. */
static bool
number_operator(const FFConstraint *c, FFStr value)
{
	double		v;

	if (!ff_js_number(value, &v))
		return false;
	switch (c->op)
	{
		case FF_OP_NUM_EQ:
			return v == c->number;
		case FF_OP_NUM_GT:
			return v > c->number;
		case FF_OP_NUM_GTE:
			return v >= c->number;
		case FF_OP_NUM_LT:
			return v < c->number;
		default:
			return v <= c->number;
	}
}

/* Unleash's SemverOperator: the context value must be valid and not start with 'v'. */
static bool
semver_operator(const FFConstraint *c, FFStr value)
{
	FFSemver	v;
	int			cmp;

	if (value.len == 0 || value.ptr[0] == 'v' || !ff_semver_parse(value, &v))
		return false;
	cmp = ff_semver_compare(&v, &c->semver);
	switch (c->op)
	{
		case FF_OP_SEMVER_EQ:
			return cmp == 0;
		case FF_OP_SEMVER_GT:
			return cmp > 0;
		case FF_OP_SEMVER_LT:
			return cmp < 0;
		case FF_OP_SEMVER_GTE:
			return cmp >= 0;
		default:
			return cmp <= 0;
	}
}

/*
 * Unleash's RegexOperator: the pattern compiled on its first use and kept
 * (the constraint belongs to the cache, which frees it through on_regex);
 * one that RE2 refuses never matches.
 */
static bool
regex_operator(const FFConstraint *const_c, FFStr value)
{
	FFConstraint *c = (FFConstraint *) const_c;

	if (!c->regex_tried)
	{
		c->regex_tried = true;
		c->regex = ff_regex_compile(c->pattern.ptr, c->pattern.len, c->case_insensitive);
		if (c->regex != NULL && c->on_regex != NULL)
			c->on_regex(c->regex_cx, c->regex);
	}
	return c->regex != NULL && ff_regex_find(c->regex, value.ptr, value.len);
}

/* Unleash's DateOperator: the current time (to the millisecond, as Date) against the value. */
static bool
date_operator(const FFConstraint *c, const FFContext *ctx)
{
	int64_t		time = ff_context_now(ctx);
	int64_t		now = time - ((time % 1000 + 1000) % 1000);

	return c->op == FF_OP_DATE_AFTER ? now > c->micros : now < c->micros;
}

/* Unleash's CidrOperator. */
static bool
cidr_operator(const FFConstraint *c, FFStr value)
{
	FFCidr		address;

	if (!ff_cidr_parse(value, &address))
		return false;
	for (size_t i = 0; i < c->nvalues; i++)
		if (ff_cidr_contains(&c->cidrs[i], &address))
			return true;
	return false;
}

/* The operator's answer before inversion (op is known). */
static bool
evaluate(const FFConstraint *c, const FFContext *ctx)
{
	FFStr		value = {NULL, 0};
	bool		has = ff_context_value(ctx, c->context_name, &value);

	if (c->op == FF_OP_IN || c->op == FF_OP_NOT_IN)
	{
		bool		in = false;

		for (size_t i = 0; has && i < c->nvalues && !in; i++)
			in = ff_str_equal(c->values[i], value);
		return c->op == FF_OP_IN ? in : !in;
	}
	if (c->op == FF_OP_DATE_AFTER || c->op == FF_OP_DATE_BEFORE)
		return date_operator(c, ctx);
	if (!has)
		return false;
	if (c->op <= FF_OP_STR_CONTAINS)
		return string_operator(c, value);
	if (c->op <= FF_OP_NUM_LTE)
		return number_operator(c, value);
	if (c->op <= FF_OP_SEMVER_LTE)
		return semver_operator(c, value);
	if (c->op == FF_OP_REGEX)
		return regex_operator(c, value);
	return cidr_operator(c, value);
}

/* True when ctx satisfies the constraint (Unleash's checkConstraint). */
bool
ff_constraint_matches(const FFConstraint *c, const FFContext *ctx)
{
	if (c == NULL || c->op == FF_OP_UNKNOWN)
		return false;
	return c->inverted ? !evaluate(c, ctx) : evaluate(c, ctx);
}

/* True when every constraint of a list matches (Unleash's checkConstraints). */
bool
ff_constraints_match(const FFConstraint *const *constraints, size_t n, const FFContext *ctx)
{
	for (size_t i = 0; i < n; i++)
		if (!ff_constraint_matches(constraints[i], ctx))
			return false;
	return true;
}
