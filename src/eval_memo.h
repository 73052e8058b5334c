/*
 * eval_memo.h
 *      What one call site of an evaluation function remembers across the
 *      rows of a query (fn_extra): the flag, the last tenant, the override
 *      table search_path selected, the parsed groups.
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

/* What one call site of a function remembers across the rows of a query. */
typedef struct FFEvalMemo
{
	uint64		epoch;			/* ff_cache_epoch the pointers belong to */
	FFRemembered flag;			/* found: const FFCachedFlag *, NULL if unknown */
	FFRemembered tenant;		/* found: const FFTenant * */
	const FFOverrideSource *tenant_source;	/* where tenant was found */
	FFSourceMemo source;		/* which override table search_path selects */
	FFGroupsMemo groups;
	MemoryContext cxt;			/* fn_mcxt: lives as long as the query */
	uint64		calls;			/* calls in this query so far */
	/*
	 * The scan fast path: the remembered flag is one no tenant overrides and
	 * no environment limits, so only the tenant and user arguments matter.
	 */
	const void *plain_flag;		/* that FFCachedFlag, or NULL */
	uint64		plain_flag_epoch;	/* ff_cache_epoch it was checked in */
} FFEvalMemo;

/*
 * From this many calls of one call site on, a query is a scan and reads a
 * flag's overrides for every tenant at once (ff_cache_flag_override);
 * before, it reads only the tenants it meets, which is cheaper when the
 * cache has just been invalidated by a write.
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

#endif							/* FLAGFORGE_EVAL_MEMO_H */
