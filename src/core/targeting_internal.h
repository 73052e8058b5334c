/*
 * targeting_internal.h
 *      What the targeting files (src/core: operators.c, constraint.c,
 *      strategy.c, variants.c and the parsers they use) share with one
 *      another and nobody else: JavaScript's string and number rules,
 *      semantic versions, CIDR ranges and the compiled constraint.
 *
 * Plain C with no PostgreSQL types.
 */
#ifndef FLAGFORGE_TARGETING_INTERNAL_H
#define FLAGFORGE_TARGETING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "targeting.h"

/* --- text.c: strings as JavaScript treats them --- */

/* s without JavaScript's leading and trailing white space (String.prototype.trim). */
extern FFStr ff_js_trim(FFStr s);

/* s without JavaScript's white space at its start (lead) and its end (trail). */
extern FFStr ff_js_trim_sides(FFStr s, bool lead, bool trail);

/*
 * The lower case of UTF-8 text as toLocaleLowerCase gives it for the
 * scripts it knows (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic),
 * written to out (room for 2 * s.len bytes); returns the length.
 */
extern size_t ff_utf8_lower(FFStr s, char *out);

/* A copy of s in arena (lower-cased when lower). */
extern FFStr ff_arena_str(FFArena *arena, FFStr s, bool lower);

/* Write a compile error (printf format) into err, when there is room; returns false. */
extern bool ff_targeting_error(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* True when s holds exactly the C string lit. */
extern bool ff_str_is(FFStr s, const char *lit);

/* --- number.c --- */

/* JavaScript's Number(s): false when it is NaN. */
extern bool ff_js_number(FFStr s, double *value);

/* --- semver.c: node-semver's strict SemVer --- */
typedef struct FFSemver
{
	uint64_t	major,
				minor,
				patch;
	FFStr		prerelease;		/* dot-separated identifiers without the '-'; empty: none */
} FFSemver;

/* Parse a version as new SemVer(s) does (trimmed, optional leading 'v'); prerelease points into s. */
extern bool ff_semver_parse(FFStr s, FFSemver *v);

/* node-semver's compare: -1, 0 or 1 (build metadata ignored). */
extern int	ff_semver_compare(const FFSemver *a, const FFSemver *b);

/* --- cidr.c --- */
typedef struct FFCidr
{
	bool		valid;			/* false: an entry that never matches */
	int			family;			/* 4 or 6 */
	unsigned char addr[16];
	int			prefix;			/* 0..32 or 0..128 */
} FFCidr;

/* Parse an address with an optional /prefix as ip-address's Address4/Address6 accept it. */
extern bool ff_cidr_parse(FFStr s, FFCidr *out);

/* Unleash's IN_CIDR test of one address against one range. */
extern bool ff_cidr_contains(const FFCidr *range, const FFCidr *address);

/* --- constraint.c --- */
struct FFConstraint
{
	FFOperator	op;
	FFStr		context_name;
	bool		inverted;
	bool		case_insensitive;
	FFStr	   *values;			/* cleaned (lower-cased for case_insensitive string operators) */
	size_t		nvalues;
	double		number;			/* NUM_* */
	int64_t		micros;			/* DATE_* */
	FFSemver	semver;			/* SEMVER_* */
	/*
	 * REGEX: compiled on first use (so a load compiles only what is
	 * evaluated); regex is NULL until then and when it does not compile.
	 */
	FFStr		pattern;
	bool		regex_tried;
	void	   *regex;
	void		(*on_regex) (void *cx, void *regex);	/* the arena's, to free it */
	void	   *regex_cx;
	FFCidr	   *cidrs;			/* IN_CIDR, one a value */
};

/* True when every constraint of a list matches (Unleash's checkConstraints). */
extern bool ff_constraints_match(const FFConstraint *const *constraints, size_t n,
								 const FFContext *ctx);

/* --- hashing (strategy.c) --- */

/* Unleash's normalizedValue: murmur3("group_id:id", seed) % modulus + 1. */
extern uint32_t ff_normalized_value(FFStr id, FFStr group_id, uint32_t modulus, uint32_t seed);

/* A random stickiness id as Unleash draws one, written into buf (room for 16). */
extern FFStr ff_random_id(char *buf, uint32_t range);

#endif							/* FLAGFORGE_TARGETING_INTERNAL_H */
