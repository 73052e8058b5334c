/*
 * targeting_load.h
 *      Unleash's JSON (the jsonb columns of flagforge_rules,
 *      flagforge_segments and flagforge_flags.variants) compiled into the
 *      core's targeting (targeting.h), with errors that say which element
 *      and field are bad.  The CHECK constraints of those columns and the
 *      cache run the same compile, so what is stored always compiles.
 */
#ifndef FLAGFORGE_TARGETING_LOAD_H
#define FLAGFORGE_TARGETING_LOAD_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "targeting.h"

/* An arena in cxt: regexes compiled into it are freed when cxt is reset or deleted. */
extern void ff_targeting_arena(FFArena *arena, MemoryContext cxt);

/* A list of compiled constraints. */
typedef struct FFConstraintList
{
	const FFConstraint **items;
	int			count;
} FFConstraintList;

/* An array of Unleash constraints; where names it in errors ("rule 2", ...). */
extern FFConstraintList ff_compile_constraints(FFArena *arena, JsonbContainer *array,
											   const char *where);

/* An array of Unleash variants; NULL for an empty one. */
extern const FFVariants *ff_compile_variants(FFArena *arena, JsonbContainer *array,
											 const char *where);

/*
 * A rule (Unleash strategy): its name, parameters object, its own
 * constraints, the constraint sets of the segments it names (NULL: a
 * missing one; shared, not copied) and variants.
 */
extern const FFRule *ff_compile_rule(FFArena *arena, FFStr strategy, JsonbContainer *parameters,
									 FFConstraintList constraints,
									 const FFConstraintSet *const *segments, size_t nsegments,
									 const FFVariants *variants, const char *where);

#endif							/* FLAGFORGE_TARGETING_LOAD_H */
