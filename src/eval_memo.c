/*
 * eval_memo.c
 *      The per-call-site memo of the evaluation functions (see eval_memo.h).
 *
 * For the per-row case it remembers the flag and the last tenant by their
 * bytes, so a query over a million rows looks the flag up once and
 * allocates nothing per row; a cache rebuild (ff_cache_epoch) forgets them.
 */
#include "postgres.h"

#include "utils/inval.h"
#include "utils/memutils.h"

#include "eval_memo.h"
#include "targeting.h"

/* The memo of this call site, with the cache made current. */
FFEvalMemo *
ff_eval_memo(FunctionCallInfo fcinfo)
{
	FFEvalMemo *memo = (FFEvalMemo *) fcinfo->flinfo->fn_extra;

	if (memo == NULL)
	{
		memo = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FFEvalMemo));
		memo->cxt = fcinfo->flinfo->fn_mcxt;
		memo->groups.cxt = AllocSetContextCreate(memo->cxt, "flagforge groups",
												 ALLOCSET_SMALL_SIZES);
		fcinfo->flinfo->fn_extra = memo;
		/* A new query: take in changes committed since the last one. */
		AcceptInvalidationMessages();
	}
	ff_cache_begin();
	memo->calls++;
	if (memo->epoch != ff_cache_epoch)
	{
		memo->flag.valid = false;
		memo->tenant.valid = false;
		memo->tenant_source = NULL;
		memo->epoch = ff_cache_epoch;
	}
	return memo;
}

/* True when r holds s (the same bytes). */
static inline bool
remembered_is(const FFRemembered *r, FFStr s)
{
	return r->valid && r->len == s.len &&
		(s.len == 0 || memcmp(r->bytes, s.ptr, s.len) == 0);
}

/* Remember s and what it was found to be. */
static void
remember(FFEvalMemo *memo, FFRemembered *r, FFStr s, const void *found)
{
	if (r->capacity < s.len + 1)
	{
		if (r->bytes)
			pfree(r->bytes);
		r->capacity = Max(s.len + 1, 32);
		r->bytes = MemoryContextAlloc(memo->cxt, r->capacity);
	}
	if (s.len > 0)
		memcpy(r->bytes, s.ptr, s.len);
	r->len = s.len;
	r->found = found;
	r->valid = true;
}


/* The cached flag for key (NULL when unknown), through the memo. */
const FFCachedFlag *
ff_memo_flag(FFEvalMemo *memo, FFStr key)
{
	const FFCachedFlag *flag;

	if (remembered_is(&memo->flag, key))
		return (const FFCachedFlag *) memo->flag.found;
	flag = ff_cache_find_flag(key);
	remember(memo, &memo->flag, key, flag);
	return flag;
}

/* The cached tenant of source, through the memo. */
const FFTenant *
ff_memo_tenant(FFEvalMemo *memo, const FFOverrideSource *source, FFStr tenant_id)
{
	const FFTenant *tenant;

	if (memo->tenant_source == source && remembered_is(&memo->tenant, tenant_id))
		return (const FFTenant *) memo->tenant.found;
	tenant = ff_cache_tenant(source, tenant_id);
	/* Loading may have pushed the cache over its bound: that is for the next call. */
	remember(memo, &memo->tenant, tenant_id, tenant);
	memo->tenant_source = source;
	return tenant;
}

/* The override table for this call and its default tenant (NULL in column tenancy). */
const FFOverrideSource *
ff_memo_source(FFEvalMemo *memo, const FFStr **default_tenant)
{
	const FFOverrideSource *source = ff_resolve_source(&memo->source, memo->cxt);

	*default_tenant = source->is_tenant_schema ? &source->schema_name : NULL;
	return source;
}


/* The override table and the context of this call (see eval_memo.h). */
const FFOverrideSource *
ff_memo_call_context(FunctionCallInfo fcinfo, FFEvalMemo *memo, int tenant_arg,
					 bool from_settings, FFContext *ctx)
{
	const FFStr *default_tenant;
	const FFOverrideSource *source = ff_memo_source(memo, &default_tenant);

	if (from_settings)
		ff_context_from_settings(default_tenant, ctx);
	else
		ff_context_from_args(fcinfo, tenant_arg, &memo->groups, default_tenant, ctx);
	return source;
}


/*
 * The plan for a flag read from an override table.  The reasons:
 * - FF_PLAN_UNKNOWN_FLAG: a key with no definition is off; nothing to read.
 * - FF_PLAN_BY_TENANT: the first FF_SCAN_CALLS calls of a query, and every
 *   call in a tenant schema.  A query that asks about a few rows (or the
 *   first rows after a write invalidated the cache) reads only the tenants
 *   it meets; a tenant schema's table holds one tenant, so its overrides
 *   are all there is to read.
 * - FF_PLAN_BY_FLAG: a scan in column tenancy.  Every tenant's override of
 *   this one flag is read once (through the flag_key index), so a scan over
 *   a million rows of ten thousand tenants costs one read, not one per
 *   tenant, and a tenant without an override costs one hash probe.
 * - FF_PLAN_UNTARGETED: a scan of a flag no tenant overrides, no
 *   environment list limits and no targeting (rules, prerequisites,
 *   variants) refines, with no tenant schema registered.  Only the
 *   tenant and user arguments can matter, so the per-row path reads just
 *   those.
 *
 * A scan's plan is direct (ff_memo_direct) when it is untargeted, or by
 * flag for a flag with no environment list and no targeting, with no
 * tenant schema registered: with no tenant schema the override table is
 * always the extension's own, so the plan holds whatever search_path, and
 * without environments or targeting only the tenant, user and groups
 * arguments reach the answer.  The per-row path then reads just those and
 * the flag's override map, which is what makes a scan where every tenant
 * overrides the flag cost little more than one where none does.
 */
static FFEvalPlan
choose_plan(const FFEvalMemo *memo, const FFCachedFlag *flag, const FFOverrideSource *source)
{
	if (flag == NULL)
		return FF_PLAN_UNKNOWN_FLAG;
	if (source->is_tenant_schema || memo->calls < FF_SCAN_CALLS)
		return FF_PLAN_BY_TENANT;
	if (ff_cache_no_tenant_schemas() && !flag->def.has_environments &&
		flag->def.targeting == NULL && !ff_cache_flag_has_overrides(flag))
		return FF_PLAN_UNTARGETED;
	return FF_PLAN_BY_FLAG;
}

/* Choose the plan for flag read from source and remember it (see eval_memo.h). */
FFEvalPlan
ff_memo_choose_plan(FFEvalMemo *memo, const FFCachedFlag *flag, const FFOverrideSource *source)
{
	FFPlanMemo *p = &memo->plan;

	p->plan = choose_plan(memo, flag, source);
	/* Choosing may load the flag's overrides; the epoch is read after. */
	p->epoch = ff_cache_epoch;
	p->flag = flag;
	p->source = source;
	p->scan = memo->calls >= FF_SCAN_CALLS;
	p->direct = p->plan == FF_PLAN_UNTARGETED ||
		(p->plan == FF_PLAN_BY_FLAG && ff_cache_no_tenant_schemas() &&
		 !flag->def.has_environments && flag->def.targeting == NULL);
	return p->plan;
}

/* The override of flag for the host's call (see eval_memo.h). */
const FFOverride *
ff_memo_override(FFMemoHost *host, const FFCachedFlag *flag)
{
	if (!host->has_tenant)
		return NULL;
	return ff_tenant_override(ff_memo_tenant(host->memo, host->source, host->ctx->tenant),
							  flag->index);
}

/* The resolver's callback: a prerequisite's parent is a cached flag. */
static const FFOverride *
host_override_of(void *arg, const FFFlag *flag)
{
	/* FFCachedFlag begins with its FFFlag */
	return ff_memo_override((FFMemoHost *) arg, (const FFCachedFlag *) flag);
}

/* Fill host for a call (see eval_memo.h). */
void
ff_memo_host(FFMemoHost *host, FFEvalMemo *memo, const FFOverrideSource *source,
			 const FFContext *ctx, bool has_tenant)
{
	host->host.override_of = host_override_of;
	host->host.arg = host;
	host->memo = memo;
	host->source = source;
	host->ctx = ctx;
	host->has_tenant = has_tenant;
}

/* Today's "no tenant" error when flag needs a tenant (see eval_memo.h). */
void
ff_require_tenant_if_needed(const FFCachedFlag *flag)
{
	const FFTargeting *targeting = flag->def.targeting;
	bool		rules = targeting != NULL && targeting->nrules > 0;

	if (ff_cache_flag_has_overrides(flag) ||
		(!rules && flag->def.default_enabled &&
		 ff_rollout_needs_bucket(flag->def.rollout_percentage)))
		(void) ff_tenant_from_settings(NULL);
}
