/*
 * cache.h
 *      The per-backend cache of flag definitions and tenant overrides.
 *
 * Evaluation never reads the tables per call: definitions are loaded once,
 * a tenant's overrides the first time the tenant is asked about.  Triggers
 * on the tables raise a relcache invalidation (see row_change.c); our
 * callback marks the cache stale and the next call rebuilds it.  This is
 * how committed changes reach every session (also on standbys, where
 * invalidations are replayed, and on logical subscribers, where the
 * triggers fire ALWAYS), and how a rollback restores the old answers.
 */
#ifndef FLAGFORGE_CACHE_H
#define FLAGFORGE_CACHE_H

#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/snapshot.h"

#include "catalog.h"
#include "resolver.h"

/* A definition as cached: the resolver's view plus what SQL callers need. */
typedef struct FFCachedFlag
{
	FFFlag		def;			/* first: an FFFlag * of the cache is an FFCachedFlag * */
	FFStr		name;
	bool		is_public;
	bool		deprecated;
	int			index;			/* position in FFCache.flags (jsonb key order) */
	Jsonb	   *variants;		/* flagforge_flags.variants as stored, or NULL */
	/* the rules of tenants' overrides of this flag, sorted by tenant (cache_targeting.c) */
	int			ntenant_rules;
	const struct FFTenantRules *tenant_rules;
	/* every tenant's override of this flag in column tenancy, loaded on demand */
	int			signal_bucket;	/* ff_signal_bucket of the key (catalog.h) */
	bool		by_tenant_loaded;	/* by_tenant is current (cleared when tenants are dropped) */
	int			by_tenant_count;
	void	   *by_tenant;		/* tenant -> FFOverride map (cache.c) */
} FFCachedFlag;

/* One override of a tenant, by the position of its flag. */
typedef struct FFTenantOverride
{
	int			flag_index;
	FFOverride	override;
} FFTenantOverride;

/*
 * A table overrides are read from: the extension's flagforge_overrides
 * (column tenancy, rows filtered by tenant_id) or a registered tenant
 * schema's table (all rows are that tenant's unless it has tenant_id).
 */
typedef struct FFOverrideSource
{
	Oid			relid;
	Oid			namespace_oid;
	bool		is_tenant_schema;	/* a registered tenant table */
	bool		has_tenant_id;	/* rows are filtered by tenant */
	FFStr		schema_name;	/* the default tenant of a tenant schema */
	struct FFTenant *all_rows;	/* tenant schema without tenant_id: loaded once */
	void	   *tenant_map;		/* tenants loaded from this source (cache.c) */
	/* the same tenants by signal bucket, linked by next_in_bucket */
	struct FFTenant *by_bucket[FF_SIGNAL_BUCKETS];
} FFOverrideSource;

/* A tenant's overrides, sorted by flag_index (none is a valid entry). */
typedef struct FFTenant
{
	FFStr		tenant_id;
	int			noverrides;
	FFTenantOverride *overrides;
	struct FFTenant *next_in_bucket;	/* FFOverrideSource.by_bucket */
} FFTenant;

/*
 * Bumped whenever cached memory is released: a memo (fn_extra) holding
 * pointers into the cache compares it before using them.
 */
extern uint64 ff_cache_epoch;

/* Register the invalidation callback (from _PG_init). */
extern void ff_cache_init(void);

/*
 * Make the cache usable for this call: rebuild what an invalidation made
 * stale.  Call at the start of every SQL-callable entry point; pointers
 * obtained afterwards stay valid until the next call of ff_cache_begin.
 */
extern void ff_cache_begin(void);

/*
 * The snapshot every load of the current statement reads with (so one
 * statement sees one state; see cache.c).
 */
extern Snapshot ff_cache_snapshot(void);

/* Find a flag by key, or NULL. */
extern const FFCachedFlag *ff_cache_find_flag(FFStr key);

/* All flags in jsonb key order (length, then bytes). */
extern const FFCachedFlag *ff_cache_flags(int *nflags);

/* The extension's own override table (column tenancy). */
extern const FFOverrideSource *ff_cache_main_source(void);

/* True when no tenant schema is registered (the fast path). */
extern bool ff_cache_no_tenant_schemas(void);

/* The registered tenant table in a schema, or NULL. */
extern const FFOverrideSource *ff_cache_source_in_namespace(Oid namespace_oid);

/* A tenant's overrides in source, loaded on first use. */
extern const FFTenant *ff_cache_tenant(const FFOverrideSource *source, FFStr tenant_id);

/*
 * The override of tenant_id for flag in the extension's own table (column
 * tenancy), or NULL: the per-row path.  All overrides of the flag are read
 * once (through the flag_key index), so a flag no tenant overrides costs no
 * tenant lookup at all.
 */
extern const FFOverride *ff_cache_flag_override(const FFCachedFlag *flag, FFStr tenant_id);

/* True when some tenant overrides flag in the extension's own table. */
extern bool ff_cache_flag_has_overrides(const FFCachedFlag *flag);

/* The override of a tenant for a flag, or NULL. */
extern const FFOverride *ff_tenant_override(const FFTenant *tenant, int flag_index);

/* flagforge.cache_memory_limit in bytes. */
extern int64 ff_cache_memory_limit_bytes(void);

/* Bytes held by the cache and how many tenants it holds (for the benchmark). */
extern void ff_cache_stats(int64 *flag_bytes, int64 *tenant_bytes,
						   int *nflags, int *ntenants);

/*
 * Call fn for every tenant's override of flag in the extension's own table
 * (column tenancy), loading them on first use, in no particular order: how
 * the planner's estimate (planner_support.c) weighs the overriding tenants.
 */
typedef void (*FFOverrideVisitor) (void *arg, FFStr tenant_id, const FFOverride *override);
extern void ff_cache_flag_overrides_foreach(const FFCachedFlag *flag, FFOverrideVisitor fn,
											void *arg);

#endif							/* FLAGFORGE_CACHE_H */
