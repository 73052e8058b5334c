/*
 * cache_load.h
 *      Reading flag and override rows from the tables into cache memory.
 */
#ifndef FLAGFORGE_CACHE_LOAD_H
#define FLAGFORGE_CACHE_LOAD_H

#include "postgres.h"

#include "cache.h"

/* An override row as read, before its flag is mapped to a cache index. */
typedef struct FFLoadedOverride
{
	FFStr		flag_key;
	FFOverride	override;
} FFLoadedOverride;

/* Every row of flagforge_flags, copied into cxt (in table order). */
extern FFCachedFlag *ff_load_flags(MemoryContext cxt, int *nflags);

/* The rows of override table relid for one tenant, copied into cxt. */
extern FFLoadedOverride *ff_load_tenant_overrides(MemoryContext cxt, Oid relid,
												  FFStr tenant_id, int *noverrides);

#endif							/* FLAGFORGE_CACHE_LOAD_H */
