/*
 * cache_targeting.h
 *      Where the cache's targeting comes from: segments, rules,
 *      prerequisites and variants read from their tables and compiled once
 *      per definitions load, the way Unleash's engine compiles each flag.
 */
#ifndef FLAGFORGE_CACHE_TARGETING_H
#define FLAGFORGE_CACHE_TARGETING_H

#include "postgres.h"

#include "cache.h"
#include "targeting.h"

/* The rules of one tenant's override of a flag. */
typedef struct FFTenantRules
{
	FFStr		tenant_id;
	const FFRule **rules;
	size_t		nrules;
} FFTenantRules;

/* The position of the flag with key in flags, or -1. */
typedef int (*FFFlagIndexFunction) (FFStr key);

/*
 * Read and compile the targeting of every flag into cxt: each flag's
 * def.targeting (rules for every tenant, prerequisites pointing at their
 * parents in flags, variants) and its tenants' override rules.  flags are
 * in their final order.  Nothing to do before 1.1's tables exist.
 */
extern void ff_load_targeting(MemoryContext cxt, FFCachedFlag *flags, int nflags,
							  FFFlagIndexFunction find);

/* Give override (tenant's, of flag) its rules, as it is cached. */
extern void ff_attach_override_rules(const FFCachedFlag *flag, FFStr tenant,
									 FFOverride *override);

#endif							/* FLAGFORGE_CACHE_TARGETING_H */
