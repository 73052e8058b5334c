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
 * of the table; invalidate_callback marks the cache stale; the next
 * ff_cache_begin rebuilds.  ff_cache_epoch tells memos that pointers they
 * kept are gone.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "utils/inval.h"
#include "utils/memutils.h"

#include "cache.h"
#include "cache_load.h"
#include "catalog.h"
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
#define SH_KEY_TYPE FFStr
#define SH_KEY key
#define SH_HASH_KEY(tb, k) ff_murmur3_32((k).ptr, (k).len, 0x5eed)
#define SH_EQUAL(tb, a, b) ff_str_equal(a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

#define SH_PREFIX fftenantmap
#define SH_ELEMENT_TYPE FFTenantSlot
#define SH_KEY_TYPE FFStr
#define SH_KEY key
#define SH_HASH_KEY(tb, k) ff_murmur3_32((k).ptr, (k).len, 0x7e4a)
#define SH_EQUAL(tb, a, b) ff_str_equal(a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

uint64		ff_cache_epoch = 1;

static MemoryContext cache_cxt = NULL;
static MemoryContext flags_cxt = NULL;
static MemoryContext tenants_cxt = NULL;

static bool flags_valid = false;	/* definitions loaded and current */
static bool tenants_over_limit = false; /* drop tenants at next begin */

static FFCachedFlag *flags = NULL;
static int	nflags = 0;
static ffflagmap_hash *flag_map = NULL;
static fftenantmap_hash *tenant_map = NULL;
static int	ntenants = 0;

/* Relcache invalidation: one of our tables changed, or everything did. */
static void
invalidate_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || ff_catalog_is_ours(relid))
	{
		flags_valid = false;
		ff_catalog_forget();
	}
}

/* Register the invalidation callback (from _PG_init). */
void
ff_cache_init(void)
{
	CacheRegisterRelcacheCallback(invalidate_callback, (Datum) 0);
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
	tenants_cxt = AllocSetContextCreate(cache_cxt, "flagforge tenants",
										ALLOCSET_DEFAULT_SIZES);
}

/* Drop every cached tenant. */
static void
reset_tenants(void)
{
	MemoryContextReset(tenants_cxt);
	tenant_map = fftenantmap_create(tenants_cxt, 64, NULL);
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

/* Load every definition and index it by key. */
static void
load_definitions(void)
{
	MemoryContextReset(flags_cxt);
	flags = NULL;
	nflags = 0;
	flag_map = NULL;

	flags = ff_load_flags(flags_cxt, &nflags);
	if (nflags > 1)
		qsort(flags, nflags, sizeof(FFCachedFlag), compare_jsonb_key_order);
	flag_map = ffflagmap_create(flags_cxt, Max(nflags, 16), NULL);
	for (int i = 0; i < nflags; i++)
	{
		bool		found;
		FFFlagSlot *slot = ffflagmap_insert(flag_map, flags[i].def.key, &found);

		flags[i].index = i;
		slot->flag_index = i;
	}
}

/* Make the cache usable for this call (see cache.h). */
void
ff_cache_begin(void)
{
	if (flags_valid && !tenants_over_limit)
		return;

	ensure_contexts();
	if (!flags_valid)
	{
		reset_tenants();
		/* Set first: an invalidation accepted during the load clears it. */
		flags_valid = true;
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
	}
	else
		reset_tenants();
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

/* Read a tenant's overrides and map each to its flag's position. */
static FFTenant *
load_tenant(FFStr tenant_id)
{
	FFTenant   *tenant = MemoryContextAllocZero(tenants_cxt, sizeof(FFTenant));
	FFLoadedOverride *rows;
	int			nrows;
	char	   *id_copy = MemoryContextAlloc(tenants_cxt, tenant_id.len + 1);

	memcpy(id_copy, tenant_id.ptr, tenant_id.len);
	id_copy[tenant_id.len] = '\0';
	tenant->tenant_id.ptr = id_copy;
	tenant->tenant_id.len = tenant_id.len;

	rows = ff_load_tenant_overrides(tenants_cxt, ff_overrides_relid(), tenant_id, &nrows);
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
		tenant->noverrides++;
	}
	if (tenant->noverrides > 1)
		qsort(tenant->overrides, tenant->noverrides, sizeof(FFTenantOverride),
			  compare_flag_index);
	return tenant;
}

/* A tenant's overrides, loaded on first use. */
const FFTenant *
ff_cache_tenant(FFStr tenant_id)
{
	FFTenantSlot *slot = fftenantmap_lookup(tenant_map, tenant_id);
	FFTenant   *tenant;
	bool		found;

	if (slot != NULL)
		return slot->tenant;

	tenant = load_tenant(tenant_id);
	slot = fftenantmap_insert(tenant_map, tenant->tenant_id, &found);
	slot->tenant = tenant;
	ntenants++;

	if ((int64) MemoryContextMemAllocated(tenants_cxt, true) > ff_cache_memory_limit_bytes())
		tenants_over_limit = true;
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
	*tenant_bytes = (int64) MemoryContextMemAllocated(tenants_cxt, true);
	*count_flags = nflags;
	*count_tenants = ntenants;
}
