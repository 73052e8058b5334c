/*
 * evaluate.c
 *      The SQL-callable evaluation functions: flagforge_is_enabled (both
 *      forms), flagforge_evaluate_all (both forms), flagforge_evaluate_many
 *      and flagforge_bucket.
 *
 * A thin shell: build the context (context.c), find the definition and
 * the tenant's override in the cache (cache.c) through the call site's
 * memo (eval_memo.c), ask the resolver (resolver.c).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "compat.h"
#include "eval_memo.h"
#include "evaluate.h"

PG_FUNCTION_INFO_V1(flagforge_is_enabled);
PG_FUNCTION_INFO_V1(flagforge_is_enabled_from_settings);
PG_FUNCTION_INFO_V1(flagforge_evaluate_all);
PG_FUNCTION_INFO_V1(flagforge_evaluate_all_from_settings);
PG_FUNCTION_INFO_V1(flagforge_evaluate_many);
PG_FUNCTION_INFO_V1(flagforge_bucket);

/*
 * The answer for flag with override in ctx: prerequisites (targeting) find
 * their parents' overrides the way this call finds its own.
 */
static inline bool
answer(FFEvalMemo *memo, const FFOverrideSource *source, const FFCachedFlag *flag,
	   const FFOverride *override, const FFContext *ctx)
{
	FFMemoHost	host;

	if (likely(flag->def.targeting == NULL))
		return ff_is_enabled(&flag->def, override, ctx);
	ff_memo_host(&host, memo, source, ctx, true);
	return ff_resolve_with(&flag->def, override, ctx, &host.host).value;
}

/* Decide flag (NULL: unknown key) in ctx, finding its override as the plan says. */
static bool
evaluate_planned(FFEvalMemo *memo, const FFOverrideSource *source,
				 const FFCachedFlag *flag, const FFContext *ctx)
{
	switch (ff_memo_plan(memo, flag, source))
	{
		case FF_PLAN_UNKNOWN_FLAG:
			return false;
		case FF_PLAN_BY_TENANT:
			return answer(memo, source, flag,
						  ff_tenant_override(ff_memo_tenant(memo, source, ctx->tenant),
											 flag->index),
						  ctx);
		case FF_PLAN_BY_FLAG:
			return answer(memo, source, flag, ff_cache_flag_override(flag, ctx->tenant), ctx);
		case FF_PLAN_UNTARGETED:
			return ff_is_enabled(&flag->def, NULL, ctx);
		case FF_PLAN_UNDECIDED:
			break;
	}
	elog(ERROR, "flagforge: no evaluation plan chosen");
	pg_unreachable();
}

/*
 * The per-row path of a direct plan (see eval_memo.c): the same resolver,
 * given only what can matter, the tenant, user and groups arguments and the
 * flag's override of the tenant.  False when the plan is not direct or the
 * tenant argument is NULL.
 */
static bool
direct_answer(FunctionCallInfo fcinfo, FFEvalMemo *memo, const FFCachedFlag *flag,
			  bool *answer)
{
	FFContext	ctx;

	if (!ff_memo_direct(memo, flag) || !ff_text_arg(fcinfo, 1, &ctx.tenant))
		return false;
	ctx.has_user = ff_text_arg(fcinfo, 2, &ctx.user);
	ctx.groups = ff_groups_arg(fcinfo, 3, &memo->groups);
	ctx.has_environment = false;	/* the flag has no environment list */
	ctx.extra = NULL;
	*answer = ff_is_enabled(&flag->def,
							memo->plan.plan == FF_PLAN_BY_FLAG ?
							ff_cache_flag_override(flag, ctx.tenant) : NULL,
							&ctx);
	return true;
}

/* flagforge_is_enabled in either form. */
static Datum
is_enabled_call(FunctionCallInfo fcinfo, bool from_settings)
{
	FFEvalMemo *memo;
	FFStr		key;
	FFContext	ctx;
	const FFCachedFlag *flag;
	const FFOverrideSource *source;
	bool		answer;

	memo = ff_eval_memo(fcinfo);
	if (memo->key_stable == 0)
		memo->key_stable = get_fn_expr_arg_stable(fcinfo->flinfo, 0) ? 's' : 'v';
	if (memo->key_stable == 's' && memo->flag.valid)
		flag = (const FFCachedFlag *) memo->flag.found; /* the key of every row */
	else if (!ff_text_arg(fcinfo, 0, &key))
		PG_RETURN_NULL();
	else
		flag = ff_memo_flag(memo, key);
	if (!from_settings && direct_answer(fcinfo, memo, flag, &answer))
		PG_RETURN_BOOL(answer);
	source = ff_memo_call_context(fcinfo, memo, 1, from_settings, &ctx);
	PG_RETURN_BOOL(evaluate_planned(memo, source, flag, &ctx));
}

/*
 * flagforge_is_enabled(flag_key, tenant, user_id, groups, environment)
 */
Datum
flagforge_is_enabled(PG_FUNCTION_ARGS)
{
	return is_enabled_call(fcinfo, false);
}

/*
 * flagforge_is_enabled(flag_key): the context from the settings.
 */
Datum
flagforge_is_enabled_from_settings(PG_FUNCTION_ARGS)
{
	return is_enabled_call(fcinfo, true);
}

/*
 * A JsonbPair array for n flags, kept across calls: with thousands of flags
 * a fresh one per call costs more than filling it.
 */
static JsonbPair *
pair_buffer(int n)
{
	static JsonbPair *buffer = NULL;
	static int	capacity = 0;

	if (n > capacity)
	{
		if (buffer)
			pfree(buffer);
		capacity = Max(n, 64);
		buffer = MemoryContextAlloc(TopMemoryContext, sizeof(JsonbPair) * capacity);
	}
	return buffer;
}

/* Every flag (or every public one) in the host's call as a jsonb object (see evaluate.h). */
Datum
ff_evaluate_all_object(FFMemoHost *host, bool public_only)
{
	static const FFTenant no_overrides = {{NULL, 0}, 0, NULL, NULL};
	int			nflags;
	const FFCachedFlag *flags = ff_cache_flags(&nflags);
	const FFContext *ctx = host->ctx;
	const FFTenant *tenant = host->has_tenant ?
		ff_cache_tenant(host->source, ctx->tenant) : &no_overrides;
	JsonbPair  *pairs = pair_buffer(nflags);
	JsonbValue	object;
	int			npairs = 0;
	int			next_override = 0;

	/*
	 * The flags are kept in jsonb key order, so the pairs can be handed to
	 * jsonb as they are; the tenant's overrides are in the same order and
	 * are walked alongside.
	 */
	for (int i = 0; i < nflags; i++)
	{
		const FFOverride *override = NULL;
		JsonbPair  *pair;

		while (next_override < tenant->noverrides &&
			   tenant->overrides[next_override].flag_index < i)
			next_override++;
		if (next_override < tenant->noverrides &&
			tenant->overrides[next_override].flag_index == i)
			override = &tenant->overrides[next_override].override;
		if (public_only && !flags[i].is_public)
			continue;
		if (!host->has_tenant)
			ff_require_tenant_if_needed(&flags[i]);

		pair = &pairs[npairs];
		pair->key.type = jbvString;
		pair->key.val.string.val = (char *) flags[i].def.key.ptr;
		pair->key.val.string.len = (int) flags[i].def.key.len;
		pair->value.type = jbvBool;
		pair->value.val.boolean = flags[i].def.targeting == NULL ?
			ff_is_enabled(&flags[i].def, override, ctx) :
			ff_resolve_with(&flags[i].def, override, ctx, &host->host).value;
		pair->order = npairs;
		npairs++;
	}
	object.type = jbvObject;
	object.val.object.nPairs = npairs;
	object.val.object.pairs = pairs;
	return JsonbPGetDatum(JsonbValueToJsonb(&object));
}

/* evaluate_all in a call whose context and override table are known. */
static Datum
evaluate_all_call(FFEvalMemo *memo, const FFOverrideSource *source, const FFContext *ctx,
				  bool public_only)
{
	FFMemoHost	host;

	ff_memo_host(&host, memo, source, ctx, true);
	return ff_evaluate_all_object(&host, public_only);
}

/*
 * flagforge_evaluate_all(tenant, user_id, groups, environment, public_only)
 */
Datum
flagforge_evaluate_all(PG_FUNCTION_ARGS)
{
	FFEvalMemo *memo = ff_eval_memo(fcinfo);
	FFContext	ctx;
	bool		public_only = PG_NARGS() > 4 && !PG_ARGISNULL(4) && PG_GETARG_BOOL(4);
	const FFOverrideSource *source = ff_memo_call_context(fcinfo, memo, 0, false, &ctx);

	PG_RETURN_DATUM(evaluate_all_call(memo, source, &ctx, public_only));
}

/*
 * flagforge_evaluate_all(): the context from the settings.
 */
Datum
flagforge_evaluate_all_from_settings(PG_FUNCTION_ARGS)
{
	FFEvalMemo *memo = ff_eval_memo(fcinfo);
	FFContext	ctx;
	const FFOverrideSource *source = ff_memo_call_context(fcinfo, memo, 0, true, &ctx);

	PG_RETURN_DATUM(evaluate_all_call(memo, source, &ctx, false));
}

/*
 * flagforge_evaluate_many(flag_keys, tenant, user_id, groups, environment):
 * the named flags, unknown ones present and false, NULL keys skipped.
 */
Datum
flagforge_evaluate_many(PG_FUNCTION_ARGS)
{
	FFEvalMemo *memo;
	FFContext	ctx;
	Datum	   *keys;
	bool	   *nulls;
	int			nkeys;
	FFJsonbBuilder builder = FF_JSONB_BUILDER_INIT;
	JsonbValue *result;

	const FFOverrideSource *source;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	memo = ff_eval_memo(fcinfo);
	source = ff_memo_call_context(fcinfo, memo, 1, false, &ctx);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, -1, false, TYPALIGN_INT,
					  &keys, &nulls, &nkeys);

	ff_jsonb_push(&builder, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < nkeys; i++)
	{
		text	   *key_text;
		FFStr		key;
		JsonbValue	k,
					v;

		if (nulls[i])
			continue;
		key_text = DatumGetTextPP(keys[i]);
		key.ptr = VARDATA_ANY(key_text);
		key.len = VARSIZE_ANY_EXHDR(key_text);
		k.type = jbvString;
		k.val.string.val = (char *) key.ptr;
		k.val.string.len = (int) key.len;
		v.type = jbvBool;
		v.val.boolean = evaluate_planned(memo, source, ff_memo_flag(memo, key), &ctx);
		ff_jsonb_push(&builder, WJB_KEY, &k);
		ff_jsonb_push(&builder, WJB_VALUE, &v);
	}
	result = ff_jsonb_finish(&builder);
	PG_RETURN_DATUM(JsonbPGetDatum(JsonbValueToJsonb(result)));
}

/*
 * flagforge_bucket(tenant, flag_key, user_id): the 0-99 rollout bucket of
 * the UTF-8 bytes (whatever the database encoding).  A NULL tenant or user
 * hashes as the empty string, as in the reference.
 */
Datum
flagforge_bucket(PG_FUNCTION_ARGS)
{
	FFStr		tenant = {NULL, 0};
	FFStr		key;
	FFStr		user = {NULL, 0};

	if (!ff_text_arg(fcinfo, 1, &key))
		PG_RETURN_NULL();
	(void) ff_text_arg(fcinfo, 0, &tenant);
	(void) ff_text_arg(fcinfo, 2, &user);
	PG_RETURN_INT32(ff_resolver_bucket(tenant.ptr, tenant.len, key.ptr, key.len,
									   user.ptr, user.len));
}
