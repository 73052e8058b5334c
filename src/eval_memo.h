/*
 * eval_memo.h
 *      What one call site of an evaluation function remembers across the
 *      rows of a query (fn_extra): the flag, the last tenant, the override
 *      table search_path selected, the parsed groups, the evaluation plan.
 */
#ifndef FLAGFORGE_EVAL_MEMO_H
#define FLAGFORGE_EVAL_MEMO_H

#include "postgres.h"

#include "fmgr.h"

#include "cache.h"
#include "context.h"
#include "tenancy.h"

/* A remembered string (a key or a tenant) and what it was found to be. */
typedef struct FFRemembered
{
	bool		valid;
	char	   *bytes;
	size_t		len;
	size_t		capacity;
	const void *found;
} FFRemembered;

/*
 * How a call site finds the override its flag is decided with.  Chosen by
 * ff_memo_plan once per (flag, cache epoch, override table, first rows or
 * scan); the reason for each is written once, at choose_plan (eval_memo.c),
 * and the evaluation is a switch on it (evaluate.c).
 */
typedef enum FFEvalPlan
{
	FF_PLAN_UNDECIDED = 0,		/* nothing chosen yet */
	FF_PLAN_UNKNOWN_FLAG,		/* no such flag: false */
	FF_PLAN_BY_TENANT,			/* the tenant's overrides of every flag */
	FF_PLAN_BY_FLAG,			/* every tenant's override of the flag */
	FF_PLAN_UNTARGETED			/* no override, no environment: tenant and user decide */
} FFEvalPlan;

/* The plan a call site chose and what it was chosen for. */
typedef struct FFPlanMemo
{
	FFEvalPlan	plan;
	uint64		epoch;			/* ff_cache_epoch */
	const void *flag;			/* the FFCachedFlag (NULL: unknown key) */
	const FFOverrideSource *source;
	bool		scan;			/* chosen at FF_SCAN_CALLS calls or more */
	bool		direct;			/* the per-row path may read just the arguments */
} FFPlanMemo;

/* What one call site of a function remembers across the rows of a query. */
typedef struct FFEvalMemo
{
	uint64		epoch;			/* ff_cache_epoch the pointers belong to */
	FFRemembered flag;			/* found: const FFCachedFlag *, NULL if unknown */
	FFRemembered tenant;		/* found: const FFTenant * */
	const FFOverrideSource *tenant_source;	/* where tenant was found */
	FFSourceMemo source;		/* which override table search_path selects */
	FFGroupsMemo groups;
	FFPlanMemo	plan;
	MemoryContext cxt;			/* fn_mcxt: lives as long as the query */
	uint64		calls;			/* calls in this query so far */
	char		key_stable;		/* 0: not known yet; 's': the key argument is a
								 * constant or parameter; 'v': it may vary */
} FFEvalMemo;

/*
 * From this many calls of one call site on, a query is a scan (see
 * choose_plan in eval_memo.c).
 */
#define FF_SCAN_CALLS 32

/*
 * The memo of this call site, with the cache made current.  Created once
 * per query, which is when invalidations committed since are taken in.
 */
extern FFEvalMemo *ff_eval_memo(FunctionCallInfo fcinfo);

/* The cached flag for key (NULL when unknown), through the memo. */
extern const FFCachedFlag *ff_memo_flag(FFEvalMemo *memo, FFStr key);

/* The cached tenant of source, through the memo. */
extern const FFTenant *ff_memo_tenant(FFEvalMemo *memo, const FFOverrideSource *source,
									  FFStr tenant_id);

/* The override table for this call and its default tenant (NULL in column tenancy). */
extern const FFOverrideSource *ff_memo_source(FFEvalMemo *memo, const FFStr **default_tenant);

/*
 * The override table and the context of this call: from the arguments
 * (tenant at argument tenant_arg, then user, groups, environment) or, for
 * the context forms, from the flagforge.* settings alone.
 */
extern const FFOverrideSource *ff_memo_call_context(FunctionCallInfo fcinfo, FFEvalMemo *memo,
													int tenant_arg, bool from_settings,
													FFContext *ctx);

/* Choose the plan for flag read from source and remember it (eval_memo.c). */
extern FFEvalPlan ff_memo_choose_plan(FFEvalMemo *memo, const FFCachedFlag *flag,
									  const FFOverrideSource *source);

/*
 * The plan for flag (NULL: unknown key) read from source: the remembered
 * one while it holds, else chosen now.  Inline: it runs on every row.
 */
static inline FFEvalPlan
ff_memo_plan(FFEvalMemo *memo, const FFCachedFlag *flag, const FFOverrideSource *source)
{
	const FFPlanMemo *p = &memo->plan;

	if (likely(p->plan != FF_PLAN_UNDECIDED && p->epoch == ff_cache_epoch &&
			   p->flag == flag && p->source == source &&
			   p->scan == (memo->calls >= FF_SCAN_CALLS)))
		return p->plan;
	return ff_memo_choose_plan(memo, flag, source);
}

/*
 * True when the remembered plan for flag is a direct one (see choose_plan in
 * eval_memo.c): the answer depends on the tenant, user and groups arguments
 * and the flag's own override map alone, whatever the override table
 * search_path selects, so the caller may skip resolving it.
 */
static inline bool
ff_memo_direct(const FFEvalMemo *memo, const FFCachedFlag *flag)
{
	return memo->plan.direct && memo->plan.epoch == ff_cache_epoch && memo->plan.flag == flag;
}

/* A resolver host that finds a prerequisite's override as the call finds its own. */
typedef struct FFMemoHost
{
	FFResolveHost host;			/* host.arg points back here */
	FFEvalMemo *memo;
	const FFOverrideSource *source;
	const FFContext *ctx;
	bool		has_tenant;		/* false: no tenant given, no overrides */
} FFMemoHost;

/* Fill host for a call of memo reading overrides of ctx's tenant from source. */
extern void ff_memo_host(FFMemoHost *host, FFEvalMemo *memo, const FFOverrideSource *source,
						 const FFContext *ctx, bool has_tenant);

/* The override of flag for the host's call (NULL: none, or no tenant). */
extern const FFOverride *ff_memo_override(FFMemoHost *host, const FFCachedFlag *flag);

/*
 * With no tenant given (a jsonb context without one, no flagforge.tenant),
 * today's "no tenant" error when flag needs one: some tenant overrides it,
 * or it has no rules and its default rollout hashes the tenant.
 */
extern void ff_require_tenant_if_needed(const FFCachedFlag *flag);

#endif							/* FLAGFORGE_EVAL_MEMO_H */
