/*
 * semver.c
 *      Semantic versions as node-semver (7.x, strict mode) reads and orders
 *      them, for Unleash's SEMVER_ operators: "new SemVer(s)" (trimmed, at
 *      most 256 characters, an optional leading 'v', no leading zeros,
 *      numbers up to 2^53 - 1, build metadata allowed and ignored) and
 *      compare() (semver 2.0.0 precedence: a prerelease sorts before its
 *      release; numeric identifiers numerically and before alphanumeric
 *      ones; a longer list of identifiers after its prefix).
 */
#include <string.h>

#include "targeting_internal.h"

#define SEMVER_MAX_LENGTH 256
#define SEMVER_MAX_SAFE_INTEGER UINT64_C(9007199254740991)

/* True for [a-zA-Z0-9-]. */
static bool
ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* True when the identifier is all digits. */
static bool
all_digits(FFStr id)
{
	for (size_t i = 0; i < id.len; i++)
		if (id.ptr[i] < '0' || id.ptr[i] > '9')
			return false;
	return true;
}

/* A numeric identifier (0|[1-9][0-9]*) at s[*i], at most 2^53 - 1. */
static bool
read_number(FFStr s, size_t *i, uint64_t *value)
{
	size_t		start = *i;
	uint64_t	v = 0;

	while (*i < s.len && s.ptr[*i] >= '0' && s.ptr[*i] <= '9')
	{
		v = v * 10 + (uint64_t) (s.ptr[*i] - '0');
		if (v > SEMVER_MAX_SAFE_INTEGER)
			return false;
		(*i)++;
	}
	if (*i == start || (s.ptr[start] == '0' && *i - start > 1))
		return false;
	*value = v;
	return true;
}

/*
 * Dot-separated identifiers of [a-zA-Z0-9-]+ at s[*i]; for a prerelease
 * (numeric_rule) an all-digit identifier may not have a leading zero.
 */
static bool
read_identifiers(FFStr s, size_t *i, bool numeric_rule)
{
	for (;;)
	{
		FFStr		id = {s.ptr + *i, 0};

		while (*i < s.len && ident_char(s.ptr[*i]))
			(*i)++;
		id.len = (size_t) (s.ptr + *i - id.ptr);
		if (id.len == 0)
			return false;
		if (numeric_rule && all_digits(id) && id.len > 1 && id.ptr[0] == '0')
			return false;
		if (*i >= s.len || s.ptr[*i] != '.')
			return true;
		(*i)++;
	}
}

/* Parse a version as new SemVer(s) does; prerelease points into s. */
bool
ff_semver_parse(FFStr s, FFSemver *v)
{
	size_t		i = 0;

	if (s.len > SEMVER_MAX_LENGTH)
		return false;
	s = ff_js_trim(s);
	if (i < s.len && s.ptr[i] == 'v')
		i++;
	if (!read_number(s, &i, &v->major) || i >= s.len || s.ptr[i++] != '.' ||
		!read_number(s, &i, &v->minor) || i >= s.len || s.ptr[i++] != '.' ||
		!read_number(s, &i, &v->patch))
		return false;
	v->prerelease = (FFStr) {NULL, 0};
	if (i < s.len && s.ptr[i] == '-')
	{
		size_t		start = ++i;

		if (!read_identifiers(s, &i, true))
			return false;
		v->prerelease = (FFStr) {s.ptr + start, i - start};
	}
	if (i < s.len && s.ptr[i] == '+')
	{
		i++;
		if (!read_identifiers(s, &i, false))
			return false;
	}
	return i == s.len;
}

/* Three-way comparison of two numbers. */
static int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

/* The next identifier of a prerelease list at *pos (empty at the end). */
static FFStr
next_identifier(FFStr list, size_t *pos)
{
	FFStr		id = {list.ptr + *pos, 0};

	while (*pos < list.len && list.ptr[*pos] != '.')
		(*pos)++;
	id.len = (size_t) (list.ptr + *pos - id.ptr);
	if (*pos < list.len)
		(*pos)++;
	return id;
}

/* node-semver's compareIdentifiers. */
static int
compare_identifiers(FFStr a, FFStr b)
{
	bool		anum = all_digits(a);
	bool		bnum = all_digits(b);
	int			c;

	if (anum && bnum && a.len != b.len) /* no leading zeros: the longer is larger */
		return a.len < b.len ? -1 : 1;
	if (anum != bnum)
		return anum ? -1 : 1;
	c = ff_str_compare(a, b);
	return (c > 0) - (c < 0);
}

/* node-semver's comparePre. */
static int
compare_prerelease(FFStr a, FFStr b)
{
	size_t		pa = 0,
				pb = 0;

	if (a.len == 0 || b.len == 0)
		return a.len == b.len ? 0 : a.len == 0 ? 1 : -1;
	for (;;)
	{
		bool		a_end = pa >= a.len;
		bool		b_end = pb >= b.len;
		int			c;

		if (a_end || b_end)
			return a_end == b_end ? 0 : a_end ? -1 : 1;
		c = compare_identifiers(next_identifier(a, &pa), next_identifier(b, &pb));
		if (c != 0)
			return c;
	}
}

/* node-semver's compare: -1, 0 or 1 (build metadata ignored). */
int
ff_semver_compare(const FFSemver *a, const FFSemver *b)
{
	int			c = cmp_u64(a->major, b->major);

	if (c == 0)
		c = cmp_u64(a->minor, b->minor);
	if (c == 0)
		c = cmp_u64(a->patch, b->patch);
	if (c == 0)
		c = compare_prerelease(a->prerelease, b->prerelease);
	return c;
}
