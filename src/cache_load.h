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
	FFStr		tenant_id;		/* empty for a tenant schema's table without tenant_id */
	FFOverride	override;
} FFLoadedOverride;

/* Which override rows to read: one tenant's or one flag's. */
typedef struct FFOverrideFilter
{
	bool		by_tenant;		/* true: tenant_id = value; false: flag_key = value */
	FFStr		value;
} FFOverrideFilter;

/* Every row of flagforge_flags, copied into cxt (in table order). */
extern FFCachedFlag *ff_load_flags(MemoryContext cxt, int *nflags);

/* A registered tenant table. */
typedef struct FFLoadedTenantTable
{
	Oid			relid;
	bool		has_tenant_id;
} FFLoadedTenantTable;

/*
 * The rows of override table relid: those matching filter (through an
 * index on the filtered column), or all of them when filter is NULL.  The
 * override lists are copied into cxt (the cache keeps them), the rest (the
 * row array, keys and tenants) into scratch.
 */
extern FFLoadedOverride *ff_load_overrides(MemoryContext cxt, MemoryContext scratch, Oid relid,
										   const FFOverrideFilter *filter, int *noverrides);

/* The registered tenant tables that still exist. */
extern FFLoadedTenantTable *ff_load_tenant_tables(MemoryContext cxt, int *count);

/*
 * True when relid is registered in flagforge_tenant_tables (read with a
 * fresh snapshot, so a registration earlier in this transaction counts).
 */
extern bool ff_is_registered_tenant_table(Oid relid);

#endif							/* FLAGFORGE_CACHE_LOAD_H */
