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

/* A registered tenant table. */
typedef struct FFLoadedTenantTable
{
	Oid			relid;
	bool		has_tenant_id;
} FFLoadedTenantTable;

/*
 * The rows of override table relid: one tenant's when tenant_id is given,
 * else all of them.  What the cache keeps (the override lists) is copied
 * into cxt, the rest (the row array and flag keys) into scratch.
 */
extern FFLoadedOverride *ff_load_tenant_overrides(MemoryContext cxt, MemoryContext scratch,
												  Oid relid, const FFStr *tenant_id,
												  int *noverrides);

/* The registered tenant tables that still exist. */
extern FFLoadedTenantTable *ff_load_tenant_tables(MemoryContext cxt, int *count);

#endif							/* FLAGFORGE_CACHE_LOAD_H */
