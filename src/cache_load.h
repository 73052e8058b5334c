/*
 * cache_load.h
 *      Reading flag and override rows from the tables into cache memory.
 */
#ifndef FLAGFORGE_CACHE_LOAD_H
#define FLAGFORGE_CACHE_LOAD_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "cache.h"
#include "table_layout.h"

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

/* Copy a text datum's bytes into cxt (NUL-terminated). */
extern FFStr ff_copy_text(Datum datum, MemoryContext cxt);

/* Copy the non-NULL elements of a text[] into cxt, sorted when asked. */
extern FFStrList ff_copy_text_array(Datum datum, MemoryContext cxt, bool sort);

/* A jsonb datum, detoasted and copied into cxt. */
extern Jsonb *ff_copy_jsonb(Datum datum, MemoryContext cxt);

/* What ff_load_rows hands each row: the values of the columns asked for, in order. */
typedef void (*FFRowFunction) (void *arg, const Datum *values, const bool *nulls);

/*
 * Every row of relid (its layout checked first), read with the statement's
 * snapshot; fn runs in a memory context reset after each row, so it copies
 * what it keeps.
 */
extern void ff_load_rows(Oid relid, const FFTableLayout *layout, const char *const *columns,
						 int ncolumns, FFRowFunction fn, void *arg);

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
