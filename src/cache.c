/*
 * cache.c
 *      The per-backend cache of definitions and tenant overrides.
 *
 * Memory: one context "flagforge cache" under CacheMemoryContext, with a
 * child for the definitions and one for the tenants.  The tenants part is
 * bounded by flagforge.cache_memory_limit: when a load takes it over the
 * bound, the tenants are dropped at the start of the next call (never in
 * the middle of one, so no pointer handed out is freed under its user).
 *
 * Invalidation: the triggers on our tables raise a relcache invalidation
 * of a signal relation; invalidate_callback marks the cache (or, for
 * overrides, just the tenant data) stale; the first ff_cache_begin of the
 * next statement rebuilds.  ff_cache_epoch tells memos that pointers they
 * kept are gone.
 *
 * One statement sees one state: the first ff_cache_begin of a statement
 * takes a snapshot, every load of that statement reads with it, and an
 * invalidation that arrives during the statement is acted on only when the
 * next one starts.  So a query that meets tenant ta, then tb, while a
 * transaction switches both, answers for both from the same state, and an
 * eviction forced by the memory bound reloads exactly what it dropped.  A
 * statement is told apart by the transaction, the statement's start time
 * and the command counter (which moves when the transaction writes, so a
 * session sees its own changes at its next command).
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/hashfn.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "cache.h"
#include "cache_load.h"
#include "cache_targeting.h"
#include "catalog.h"
#include "key_index.h"
#include "murmur3.h"
#include "settings.h"

/* A slot of the flag-by-key hash table. */
typedef struct FFFlagSlot
{
	FFStr		key;
	uint32		hash;
	char		status;
	int			flag_index;
} FFFlagSlot;

/* A slot of the tenant-by-id hash table. */
typedef struct FFTenantSlot
{
	FFStr		key;
	uint32		hash;
	char		status;
	FFTenant   *tenant;
} FFTenantSlot;

#define SH_PREFIX ffflagmap
#define SH_ELEMENT_TYPE FFFlagSlot
#define STRMAP_SEED 0x5eed
#include "strmap.h"

#define SH_PREFIX fftenantmap
#define SH_ELEMENT_TYPE FFTenantSlot
#define STRMAP_SEED 0x7e4a
#include "strmap.h"

/* A flag's every tenant's override (column tenancy), for row gating. */
typedef struct FFFlagOverrides
{
	FFKeyIndex	tenants;		/* tenant -> position in overrides */
	FFOverride *overrides;
} FFFlagOverrides;

/* Largest memory block of the tenant data (AllocSet doubles blocks up to this). */
#define TENANT_BLOCK_MAX (256 * 1024)

uint64		ff_cache_epoch = 1;

static MemoryContext cache_cxt = NULL;
static MemoryContext flags_cxt = NULL;
static MemoryContext tenants_cxt = NULL;
static MemoryContext flag_maps_cxt = NULL;	/* every flag's tenant map (row gating) */
static int	nflag_maps = 0;

static bool flags_valid = false;	/* definitions loaded and current */
static bool tenants_valid = true;	/* false: overrides changed; drop the tenant
									 * data when the next statement starts */
static bool flags_loaded = false;	/* definitions are in memory (maybe stale) */
static uint32 dropped_buckets = 0;	/* signal buckets (bits) whose tenants and
									 * flag maps the next statement drops */
static bool over_limit = false; /* the tenant data with the flag maps grew past the bound */
static bool tenants_over_limit = false; /* the tenants alone did */

/* Which statement the cache is serving, and the snapshot its loads use. */
typedef struct FFStatementId
{
	uint64		xact;			/* transactions ended in this backend */
	TimestampTz started;		/* GetCurrentStatementStartTimestamp() */
	CommandId	command;		/* GetCurrentCommandId(false) */
} FFStatementId;

static uint64 xacts_ended = 0;
static FFStatementId current_statement;
static Snapshot statement_snapshot = NULL;	/* on TopTransactionResourceOwner */

static FFCachedFlag *flags = NULL;
static int	nflags = 0;
static ffflagmap_hash *flag_map = NULL;
static int	ntenants = 0;

/* Where overrides come from: the extension's table and registered tenant tables. */
static FFOverrideSource main_source;
static FFOverrideSource *tenant_sources = NULL;
static int	ntenant_sources = 0;

/* True when relid is a registered tenant table. */
static bool
is_tenant_table(Oid relid)
{
	for (int i = 0; i < ntenant_sources; i++)
		if (tenant_sources[i].relid == relid)
			return true;
	return false;
}

/*
 * Relcache invalidation: one of our tables changed, or everything did.  A
 * signal bucket drops only its tenants and flag maps, any other change of
 * overrides the tenant data; definitions (and the registry of tenant
 * tables) are reloaded only when they change.
 */
static void
invalidate_callback(Datum arg, Oid relid)
{
	int			bucket = ff_catalog_signal_bucket(relid);

	if (bucket >= 0)
		dropped_buckets |= (uint32) 1 << bucket;
	else if (ff_catalog_is_overrides(relid))
		tenants_valid = false;
	else if (is_tenant_table(relid))
		flags_valid = false;	/* DDL: the table may have moved to another schema */
	else if (ff_catalog_is_definitions_signal(relid))
		flags_valid = false;
	else if (relid == InvalidOid || ff_catalog_is_ours(relid))
	{
		/* Something happened to a table itself (DDL, DROP EXTENSION). */
		flags_valid = false;
		ff_catalog_forget();
	}
}

/*
 * A schema changed: when it is a tenant schema (its name is its default
 * tenant), reload.  Other schemas' changes (a GRANT in a loop, say) cost
 * nothing.
 */
static void
namespace_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	for (int i = 0; i < ntenant_sources; i++)
		if (hashvalue == 0 ||
			GetSysCacheHashValue1(NAMESPACEOID,
								  ObjectIdGetDatum(tenant_sources[i].namespace_oid)) == hashvalue)
		{
			flags_valid = false;
			return;
		}
}

/* Release the statement snapshot (before the transaction's resource owner goes). */
static void
release_statement_snapshot(void)
{
	if (statement_snapshot != NULL)
		UnregisterSnapshotFromOwner(statement_snapshot, TopTransactionResourceOwner);
	statement_snapshot = NULL;
}

/* End of a transaction: the next call starts a new statement. */
static void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			release_statement_snapshot();
			xacts_ended++;
			break;
		default:
			break;
	}
}

/* Register the invalidation and transaction callbacks (from _PG_init). */
void
ff_cache_init(void)
{
	CacheRegisterRelcacheCallback(invalidate_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, namespace_callback, (Datum) 0);
	RegisterXactCallback(xact_callback, NULL);
}

/* True when the call belongs to the statement the cache is serving. */
static inline bool
same_statement(void)
{
	return current_statement.xact == xacts_ended &&
		current_statement.command == GetCurrentCommandId(false) &&
		current_statement.started == GetCurrentStatementStartTimestamp();
}

/* Start serving the current statement with a fresh snapshot. */
static void
begin_statement(void)
{
	Snapshot	snapshot;

	release_statement_snapshot();
	InvalidateCatalogSnapshot();
	/* A catalog snapshot, because parallel workers may take one too. */
	snapshot = GetCatalogSnapshot(InvalidOid);
	statement_snapshot = RegisterSnapshotOnOwner(snapshot, TopTransactionResourceOwner);
	InvalidateCatalogSnapshot();
	current_statement.xact = xacts_ended;
	current_statement.command = GetCurrentCommandId(false);
	current_statement.started = GetCurrentStatementStartTimestamp();
}

/* The snapshot every load of the current statement reads with. */
Snapshot
ff_cache_snapshot(void)
{
	if (statement_snapshot == NULL || !same_statement())
		begin_statement();
	return statement_snapshot;
}

/* Create the memory contexts on first use. */
static void
ensure_contexts(void)
{
	if (cache_cxt != NULL)
		return;
	cache_cxt = AllocSetContextCreate(CacheMemoryContext, "flagforge cache",
									  ALLOCSET_DEFAULT_SIZES);
	flags_cxt = AllocSetContextCreate(cache_cxt, "flagforge definitions",
									  ALLOCSET_DEFAULT_SIZES);
	/* Small blocks, so that the memory bound is checked at a fine grain. */
	tenants_cxt = AllocSetContextCreate(cache_cxt, "flagforge tenants",
										ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE,
										TENANT_BLOCK_MAX);
	flag_maps_cxt = AllocSetContextCreate(cache_cxt, "flagforge flag overrides",
										  ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE,
										  TENANT_BLOCK_MAX);
}

/* Forget the tenants a source has loaded (their memory is reset by the caller). */
static void
forget_source_tenants(FFOverrideSource *source)
{
	source->tenant_map = NULL;
	source->all_rows = NULL;
	memset(source->by_bucket, 0, sizeof(source->by_bucket));
}

/* Drop every cached tenant and flag map. */
static void
reset_tenants(void)
{
	MemoryContextReset(tenants_cxt);
	MemoryContextReset(flag_maps_cxt);
	nflag_maps = 0;
	forget_source_tenants(&main_source);
	for (int i = 0; i < ntenant_sources; i++)
		forget_source_tenants(&tenant_sources[i]);
	for (int i = 0; i < nflags; i++)
		flags[i].by_tenant_loaded = false;	/* their maps were in flag_maps_cxt */
	ntenants = 0;
	tenants_valid = true;
	dropped_buckets = 0;
	over_limit = false;
	tenants_over_limit = false;
	ff_cache_epoch++;
}

/*
 * Drop the tenants but keep every flag's tenant map: what the memory bound
 * asks in the middle of a statement.  A scan needs its flag maps on every
 * row, so dropping them would reload them on every row; they are bounded
 * by the table, and dropped when the next statement starts.
 */
static void
evict_tenants(void)
{
	MemoryContextReset(tenants_cxt);
	forget_source_tenants(&main_source);
	for (int i = 0; i < ntenant_sources; i++)
		forget_source_tenants(&tenant_sources[i]);
	ntenants = 0;
	tenants_over_limit = false;
	ff_cache_epoch++;
}

/* Order of jsonb object keys: shorter first, then bytes. */
static int
compare_jsonb_key_order(const void *a, const void *b)
{
	FFStr		ka = ((const FFCachedFlag *) a)->def.key;
	FFStr		kb = ((const FFCachedFlag *) b)->def.key;

	if (ka.len != kb.len)
		return ka.len < kb.len ? -1 : 1;
	return ff_str_compare(ka, kb);
}

/* Copy a C string into the definitions' memory as an FFStr. */
static FFStr
definitions_string(const char *s)
{
	FFStr		r;

	r.ptr = MemoryContextStrdup(flags_cxt, s);
	r.len = strlen(s);
	return r;
}

/* Load the registry of tenant tables into override sources. */
static void
load_tenant_sources(void)
{
	int			count;
	FFLoadedTenantTable *tables = ff_load_tenant_tables(flags_cxt, &count);

	tenant_sources = MemoryContextAllocZero(flags_cxt, sizeof(FFOverrideSource) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		FFOverrideSource *source = &tenant_sources[i];
		char	   *nspname;

		source->relid = tables[i].relid;
		source->namespace_oid = get_rel_namespace(tables[i].relid);
		nspname = get_namespace_name(source->namespace_oid);
		if (nspname == NULL)
			continue;			/* dropped meanwhile: the next rebuild drops it */
		source->schema_name = definitions_string(nspname);
		source->is_tenant_schema = true;
		source->has_tenant_id = tables[i].has_tenant_id;
	}
	ntenant_sources = count;
}

/* The position of the flag with key, or -1 (for the targeting loader). */
static int
flag_index_of_key(FFStr key)
{
	FFFlagSlot *slot = ffflagmap_lookup(flag_map, key);

	return slot ? slot->flag_index : -1;
}

/* Load every definition and index it by key, and the override sources. */
static void
load_definitions(void)
{
	MemoryContextReset(flags_cxt);
	flags = NULL;
	nflags = 0;
	flag_map = NULL;
	tenant_sources = NULL;
	ntenant_sources = 0;
	memset(&main_source, 0, sizeof(main_source));

	flags = ff_load_flags(flags_cxt, &nflags);
	if (nflags > 1)
		qsort(flags, nflags, sizeof(FFCachedFlag), compare_jsonb_key_order);
	flag_map = ffflagmap_create(flags_cxt, Max(nflags, 16), NULL);
	for (int i = 0; i < nflags; i++)
	{
		bool		found;
		FFFlagSlot *slot = ffflagmap_insert(flag_map, flags[i].def.key, &found);

		flags[i].index = i;
		flags[i].signal_bucket = ff_signal_bucket(flags[i].def.key.ptr, flags[i].def.key.len);
		slot->flag_index = i;
	}

	ff_load_targeting(flags_cxt, flags, nflags, flag_index_of_key);

	main_source.relid = ff_overrides_relid();
	main_source.namespace_oid = ff_extension_schema();
	/* Remember the signals so that their invalidations are recognised. */
	(void) ff_signal_definitions_relid();
	(void) ff_signal_overrides_relid();
	(void) ff_signal_bucket_relids();
	main_source.has_tenant_id = true;
	load_tenant_sources();
}

/*
 * Drop what the signal buckets in mask name: the main table's tenants of
 * those buckets and the flag maps of flags in them.  Their memory stays
 * until the tenant data is reset (the bound counts it), so nothing a
 * caller may hold is freed; the epoch tells memos to look again.
 */
static void
drop_buckets(uint32 mask)
{
	fftenantmap_hash *map = (fftenantmap_hash *) main_source.tenant_map;

	for (int b = 0; b < FF_SIGNAL_BUCKETS; b++)
	{
		if (!(mask & ((uint32) 1 << b)))
			continue;
		for (FFTenant *t = main_source.by_bucket[b]; t != NULL; t = t->next_in_bucket)
		{
			fftenantmap_delete(map, t->tenant_id);
			ntenants--;
		}
		main_source.by_bucket[b] = NULL;
	}
	for (int i = 0; i < nflags; i++)
		if (flags[i].by_tenant_loaded && (mask & ((uint32) 1 << flags[i].signal_bucket)))
		{
			flags[i].by_tenant_loaded = false;
			nflag_maps--;
		}
	dropped_buckets = 0;
	ff_cache_epoch++;
}

/* Make the cache usable for this call (see cache.h). */
void
ff_cache_begin(void)
{
	if (statement_snapshot != NULL && same_statement())
	{
		/* Invalidations wait for the next statement; the bound does not. */
		if (unlikely(tenants_over_limit))
			evict_tenants();
		if (likely(flags_loaded))
			return;
	}
	else
		begin_statement();

	ensure_contexts();
	if (!flags_valid || !flags_loaded)
	{
		reset_tenants();
		/* Set first: an invalidation accepted during the load clears it. */
		flags_valid = true;
		flags_loaded = false;
		PG_TRY();
		{
			load_definitions();
		}
		PG_CATCH();
		{
			flags_valid = false;
			PG_RE_THROW();
		}
		PG_END_TRY();
		flags_loaded = true;
	}
	else if (!tenants_valid || over_limit)
		reset_tenants();
	else if (dropped_buckets != 0)
		drop_buckets(dropped_buckets);
}

/* Find a flag by key, or NULL. */
const FFCachedFlag *
ff_cache_find_flag(FFStr key)
{
	FFFlagSlot *slot = ffflagmap_lookup(flag_map, key);

	return slot ? &flags[slot->flag_index] : NULL;
}

/* All flags in jsonb key order (length, then bytes). */
const FFCachedFlag *
ff_cache_flags(int *count)
{
	*count = nflags;
	return flags;
}

/* Order of a tenant's overrides by flag position. */
static int
compare_flag_index(const void *a, const void *b)
{
	int			ia = ((const FFTenantOverride *) a)->flag_index;
	int			ib = ((const FFTenantOverride *) b)->flag_index;

	return (ia > ib) - (ia < ib);
}

/*
 * Mark the tenant data for dropping at the next call when it grew past the
 * bound.  A single flag map larger than the bound is kept (dropping the one
 * map a scan needs would reload it for every row); it is bounded by the
 * table.
 */
static void
check_memory_limit(void)
{
	int64		tenant_bytes = (int64) MemoryContextMemAllocated(tenants_cxt, true);
	int64		map_bytes = (int64) MemoryContextMemAllocated(flag_maps_cxt, true);
	int64		limit = ff_cache_memory_limit_bytes();

	if (tenant_bytes + (nflag_maps > 1 ? map_bytes : 0) > limit)
		over_limit = true;
	if (tenant_bytes > limit && ntenants > 1)
		tenants_over_limit = true;
}

/* Read a tenant's overrides (all rows when tenant_id is NULL) and map each to its flag. */
static FFTenant *
load_tenant(const FFOverrideSource *source, const FFStr *tenant_id)
{
	FFTenant   *tenant = MemoryContextAllocZero(tenants_cxt, sizeof(FFTenant));
	FFStr		id = tenant_id ? *tenant_id : source->schema_name;
	FFLoadedOverride *rows;
	int			nrows;
	char	   *id_copy = MemoryContextAlloc(tenants_cxt, id.len + 1);
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext, "flagforge tenant load",
												  ALLOCSET_DEFAULT_SIZES);

	if (id.len > 0)
		memcpy(id_copy, id.ptr, id.len);
	id_copy[id.len] = '\0';
	tenant->tenant_id.ptr = id_copy;
	tenant->tenant_id.len = id.len;

	if (tenant_id)
	{
		FFOverrideFilter filter = {true, *tenant_id};

		rows = ff_load_overrides(tenants_cxt, scratch, source->relid, &filter, &nrows);
	}
	else
		rows = ff_load_overrides(tenants_cxt, scratch, source->relid, NULL, &nrows);
	tenant->overrides = nrows > 0 ?
		MemoryContextAlloc(tenants_cxt, sizeof(FFTenantOverride) * nrows) : NULL;
	for (int i = 0; i < nrows; i++)
	{
		FFFlagSlot *slot = ffflagmap_lookup(flag_map, rows[i].flag_key);

		/* A row whose flag we have not loaded yet is the next rebuild's. */
		if (slot == NULL)
			continue;
		tenant->overrides[tenant->noverrides].flag_index = slot->flag_index;
		tenant->overrides[tenant->noverrides].override = rows[i].override;
		/* Override rules belong to flagforge_overrides' rows only. */
		if (source == &main_source)
			ff_attach_override_rules(&flags[slot->flag_index], id,
									 &tenant->overrides[tenant->noverrides].override);
		tenant->noverrides++;
	}
	MemoryContextDelete(scratch);
	if (tenant->noverrides > 1)
		qsort(tenant->overrides, tenant->noverrides, sizeof(FFTenantOverride),
			  compare_flag_index);
	ntenants++;
	check_memory_limit();
	return tenant;
}

/* Read every tenant's override of flag from the extension's table into a map. */
static void
load_flag_overrides(FFCachedFlag *flag)
{
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext, "flagforge flag load",
												  ALLOCSET_DEFAULT_SIZES);
	FFOverrideFilter filter = {false, flag->def.key};
	FFLoadedOverride *rows;
	int			nrows;
	FFFlagOverrides *map = MemoryContextAlloc(flag_maps_cxt, sizeof(FFFlagOverrides));
	FFStr	   *tenants;

	rows = ff_load_overrides(flag_maps_cxt, scratch, main_source.relid, &filter, &nrows);
	tenants = MemoryContextAlloc(scratch, sizeof(FFStr) * Max(nrows, 1));
	map->overrides = MemoryContextAlloc(flag_maps_cxt, sizeof(FFOverride) * Max(nrows, 1));
	for (int i = 0; i < nrows; i++)
		tenants[i] = rows[i].tenant_id;
	/* The index copies the tenants; the rules hang off its copies. */
	ff_key_index_build(&map->tenants, flag_maps_cxt, tenants, nrows);
	for (int i = 0; i < nrows; i++)
	{
		map->overrides[i] = rows[i].override;
		ff_attach_override_rules(flag, map->tenants.keys[i], &map->overrides[i]);
	}
	MemoryContextDelete(scratch);
	flag->by_tenant = map;
	flag->by_tenant_count = nrows;
	flag->by_tenant_loaded = true;
	nflag_maps++;
	check_memory_limit();
}

/* The flag's map of every tenant's override, loaded on first use. */
static const FFCachedFlag *
loaded_flag_map(const FFCachedFlag *const_flag)
{
	FFCachedFlag *flag = (FFCachedFlag *) const_flag;

	if (!flag->by_tenant_loaded)
		load_flag_overrides(flag);
	return flag;
}

/* True when some tenant overrides flag in the extension's own table. */
bool
ff_cache_flag_has_overrides(const FFCachedFlag *flag)
{
	return loaded_flag_map(flag)->by_tenant_count > 0;
}

/* The override of tenant_id for flag in column tenancy, or NULL (see cache.h). */
const FFOverride *
ff_cache_flag_override(const FFCachedFlag *flag, FFStr tenant_id)
{
	const FFFlagOverrides *map;
	int			position;

	flag = loaded_flag_map(flag);
	map = (const FFFlagOverrides *) flag->by_tenant;
	position = ff_key_index_find(&map->tenants, tenant_id);
	return position >= 0 ? &map->overrides[position] : NULL;
}

/* The extension's own override table (column tenancy). */
const FFOverrideSource *
ff_cache_main_source(void)
{
	return &main_source;
}

/* True when no tenant schema is registered (the fast path). */
bool
ff_cache_no_tenant_schemas(void)
{
	return ntenant_sources == 0;
}

/* The registered tenant table in a schema, or NULL. */
const FFOverrideSource *
ff_cache_source_in_namespace(Oid namespace_oid)
{
	for (int i = 0; i < ntenant_sources; i++)
		if (tenant_sources[i].is_tenant_schema &&
			tenant_sources[i].namespace_oid == namespace_oid)
			return &tenant_sources[i];
	return NULL;
}

/* A tenant's overrides in source, loaded on first use. */
const FFTenant *
ff_cache_tenant(const FFOverrideSource *const_source, FFStr tenant_id)
{
	FFOverrideSource *source = (FFOverrideSource *) const_source;
	fftenantmap_hash *map;
	FFTenantSlot *slot;
	FFTenant   *tenant;
	bool		found;

	if (!source->has_tenant_id)
	{
		if (source->all_rows == NULL)
			source->all_rows = load_tenant(source, NULL);
		return source->all_rows;
	}
	if (source->tenant_map == NULL)
		source->tenant_map = fftenantmap_create(tenants_cxt, 64, NULL);
	map = (fftenantmap_hash *) source->tenant_map;
	slot = fftenantmap_lookup(map, tenant_id);
	if (slot != NULL)
		return slot->tenant;

	tenant = load_tenant(source, &tenant_id);
	slot = fftenantmap_insert(map, tenant->tenant_id, &found);
	slot->tenant = tenant;
	if (source == &main_source)
	{
		int			bucket = ff_signal_bucket(tenant->tenant_id.ptr, tenant->tenant_id.len);

		tenant->next_in_bucket = source->by_bucket[bucket];
		source->by_bucket[bucket] = tenant;
	}
	return tenant;
}

/* The override of a tenant for a flag, or NULL (binary search). */
const FFOverride *
ff_tenant_override(const FFTenant *tenant, int flag_index)
{
	int			lo = 0;
	int			hi = tenant->noverrides;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			at = tenant->overrides[mid].flag_index;

		if (at == flag_index)
			return &tenant->overrides[mid].override;
		if (at < flag_index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* flagforge.cache_memory_limit in bytes. */
int64
ff_cache_memory_limit_bytes(void)
{
	return (int64) ff_setting_cache_memory_limit_kb * 1024;
}

/* Bytes held by the cache and how many tenants it holds (for the benchmark). */
void
ff_cache_stats(int64 *flag_bytes, int64 *tenant_bytes, int *count_flags, int *count_tenants)
{
	ensure_contexts();
	*flag_bytes = (int64) MemoryContextMemAllocated(flags_cxt, true);
	*tenant_bytes = (int64) MemoryContextMemAllocated(tenants_cxt, true) +
		(int64) MemoryContextMemAllocated(flag_maps_cxt, true);
	*count_flags = nflags;
	*count_tenants = ntenants;
}

/* Call fn for every tenant's override of flag in column tenancy (for the planner; see cache.h). */
void
ff_cache_flag_overrides_foreach(const FFCachedFlag *flag, FFOverrideVisitor fn, void *arg)
{
	const FFFlagOverrides *map;

	flag = loaded_flag_map(flag);
	map = (const FFFlagOverrides *) flag->by_tenant;
	for (int i = 0; i < map->tenants.nkeys; i++)
		fn(arg, map->tenants.keys[i], &map->overrides[i]);
}
