/*
 * explain.c
 *      flagforge_explain and flagforge_status: not just the answer but why,
 *      in OpenFeature's vocabulary of resolution reasons.
 *
 * Both go through the same memo, cache and resolver as
 * flagforge_is_enabled, so their value always equals its answer; the
 * resolver reports the step that decided (resolver.h, FFStep).
 */
#include "postgres.h"

#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "eval_memo.h"
#include "evaluate_context.h"
#include "targeting.h"

PG_FUNCTION_INFO_V1(flagforge_explain);
PG_FUNCTION_INFO_V1(flagforge_explain_from_settings);
PG_FUNCTION_INFO_V1(flagforge_explain_context);
PG_FUNCTION_INFO_V1(flagforge_status);
PG_FUNCTION_INFO_V1(flagforge_status_from_settings);

/* Append key: string to a jsonb object being built (len -1: up to the NUL). */
static void
push_string(FFJsonbBuilder *builder, const char *key, const char *value, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) value;
	v.val.string.len = len < 0 ? (int) strlen(value) : len;
	ff_jsonb_push_field(builder, key, &v);
}

/* "below" or "not below": how a bucket compares with the rollout percentage. */
static const char *
bucket_outcome(const FFDecision *d, int percentage)
{
	return d->bucket < percentage ? "below" : "not below";
}

/* A sentence naming the step that decided. */
static char *
describe(const FFCachedFlag *flag, const FFOverride *override, const FFContext *ctx,
		 const FFDecision *d)
{
	StringInfoData buf;
	const char *which = d->had_override ? "the tenant's override has no opinion" : "no tenant override";

	initStringInfo(&buf);
	switch (d->step)
	{
		case FF_STEP_ENVIRONMENT_GATE:
			if (ctx->has_environment)
				appendStringInfo(&buf, "environment \"%.*s\" is not one of the flag's environments",
								 (int) ctx->environment.len, ctx->environment.ptr);
			else
				appendStringInfoString(&buf, "no environment given and the flag is limited to environments");
			break;
		case FF_STEP_DEFAULT_OFF:
			appendStringInfo(&buf, "%s and default_enabled is false", which);
			if (flag->def.rollout_percentage > 0)
				appendStringInfo(&buf, " (rollout_percentage %d only narrows a flag that is on)",
								 flag->def.rollout_percentage);
			break;
		case FF_STEP_DEFAULT_ON:
			appendStringInfo(&buf, "%s and default_enabled is true with rollout_percentage %d (everyone)",
							 which, flag->def.rollout_percentage);
			break;
		case FF_STEP_DEFAULT_ROLLOUT:
			appendStringInfo(&buf, "%s, default_enabled is true and bucket %d is %s rollout_percentage %d",
							 which, d->bucket, bucket_outcome(d, flag->def.rollout_percentage),
							 flag->def.rollout_percentage);
			break;
		case FF_STEP_USER_TARGET:
			appendStringInfo(&buf, "user \"%.*s\" is in the tenant's enabled_for_users",
							 (int) ctx->user.len, ctx->user.ptr);
			break;
		case FF_STEP_GROUP_TARGET:
			appendStringInfoString(&buf, "one of the user's groups is in the tenant's enabled_for_groups");
			break;
		case FF_STEP_OVERRIDE_OFF:
			appendStringInfoString(&buf, "the tenant's override sets enabled to false");
			break;
		case FF_STEP_OVERRIDE_ON:
			appendStringInfoString(&buf, "the tenant's override sets enabled to true (no rollout)");
			break;
		case FF_STEP_OVERRIDE_ROLLOUT:
			appendStringInfo(&buf, "the tenant's override sets enabled to true and bucket %d is %s its rollout_percentage %d",
							 d->bucket, bucket_outcome(d, override->rollout_percentage),
							 override->rollout_percentage);
			break;
		case FF_STEP_KILL_SWITCH:
			appendStringInfoString(&buf, "the flag's kill switch is on");
			break;
		case FF_STEP_PREREQUISITE:
			{
				const FFPrerequisite *p = &flag->def.targeting->prerequisites[d->prerequisite_index];

				appendStringInfo(&buf, "prerequisite \"%.*s\" is not met: it must be %s%s",
								 (int) p->parent_key.len, p->parent_key.ptr,
								 p->parent == NULL ? "an existing flag, " : "",
								 p->enabled ? (p->variants.count > 0 ? "on with one of its listed variants" : "on") : "off");
				break;
			}
		case FF_STEP_OVERRIDE_RULE:
			appendStringInfo(&buf, "rule %d (%.*s) of the tenant's override matched",
							 d->rule_index + 1, (int) ff_rule_name(d->rule).len,
							 ff_rule_name(d->rule).ptr);
			break;
		case FF_STEP_RULE:
			appendStringInfo(&buf, "%s, and the flag's rule %d (%.*s) matched", which,
							 d->rule_index + 1, (int) ff_rule_name(d->rule).len,
							 ff_rule_name(d->rule).ptr);
			break;
		case FF_STEP_NO_RULE:
			appendStringInfo(&buf, "%s, and none of the flag's %zu rules matched", which,
							 flag->def.targeting->nrules);
			break;
		case FF_STEP_UNKNOWN_FLAG:
			break;
	}
	return buf.data;
}


/* The explain document of a decision (flag NULL: no such key). */
static Datum
explain_document(FFStr key, const FFCachedFlag *flag, const FFOverride *override,
				 const FFContext *ctx, const FFDecision *d)
{
	FFJsonbBuilder builder = FF_JSONB_BUILDER_INIT;
	JsonbValue	v;

	ff_jsonb_push(&builder, WJB_BEGIN_OBJECT, NULL);
	v.type = jbvBool;
	v.val.boolean = d->value;
	ff_jsonb_push_field(&builder, "value", &v);
	push_string(&builder, "reason", ff_step_reason(d->step), -1);
	push_string(&builder, "step", ff_step_name(d->step), -1);
	push_string(&builder, "tenant", ctx->tenant.ptr ? ctx->tenant.ptr : "", (int) ctx->tenant.len);
	if (flag)
		push_string(&builder, "detail", describe(flag, override, ctx, d), -1);
	else
	{
		push_string(&builder, "detail",
					psprintf("flag \"%s\" does not exist",
							 ff_abbreviate(pnstrdup(key.ptr, key.len))), -1);
		push_string(&builder, "error_code", "FLAG_NOT_FOUND", -1);
	}
	if (d->bucket >= 0)
	{
		v.type = jbvNumeric;
		v.val.numeric = int64_to_numeric(d->bucket);
		ff_jsonb_push_field(&builder, "bucket", &v);
	}
	if (d->rule != NULL)
	{
		v.type = jbvNumeric;
		v.val.numeric = int64_to_numeric(d->rule_index + 1);
		ff_jsonb_push_field(&builder, "rule", &v);
		push_string(&builder, "strategy", ff_rule_name(d->rule).ptr,
					(int) ff_rule_name(d->rule).len);
	}
	PG_RETURN_DATUM(JsonbPGetDatum(JsonbValueToJsonb(ff_jsonb_finish(&builder))));
}

/* The explain document of flag_key (argument 0) in this call's context. */
static Datum
explain_flag(FunctionCallInfo fcinfo, bool from_settings)
{
	FFEvalMemo *memo;
	const FFOverrideSource *source;
	FFContext	ctx;
	FFStr		key;
	const FFCachedFlag *flag;
	const FFOverride *override = NULL;
	FFDecision	d = {false, FF_STEP_UNKNOWN_FLAG, false, -1, -1, -1, NULL};

	if (!ff_text_arg(fcinfo, 0, &key))
		PG_RETURN_NULL();
	memo = ff_eval_memo(fcinfo);
	source = ff_memo_call_context(fcinfo, memo, 1, from_settings, &ctx);
	flag = ff_memo_flag(memo, key);
	if (flag)
	{
		FFMemoHost	host;

		ff_memo_host(&host, memo, source, &ctx, true);
		override = ff_memo_override(&host, flag);
		d = ff_resolve_with(&flag->def, override, &ctx, &host.host);
	}
	return explain_document(key, flag, override, &ctx, &d);
}

/* flagforge_explain(flag_key, context jsonb): the same document for Unleash's context. */
Datum
flagforge_explain_context(PG_FUNCTION_ARGS)
{
	FFContextCall call;
	FFStr		key;
	const FFCachedFlag *flag;
	const FFOverride *override = NULL;
	FFDecision	d = {false, FF_STEP_UNKNOWN_FLAG, false, -1, -1, -1, NULL};

	if (!ff_text_arg(fcinfo, 0, &key) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	ff_context_call(fcinfo, 1, &call);
	flag = ff_memo_flag(call.memo, key);
	if (flag)
	{
		d = ff_context_decide(&call, flag, NULL);
		override = ff_memo_override(&call.host, flag);
	}
	return explain_document(key, flag, override, &call.ctx, &d);
}

/*
 * flagforge_explain(flag_key, tenant, user_id, groups, environment) → jsonb
 * {"value", "reason", "step", "detail", "tenant", ["bucket"], ["error_code"]}
 */
Datum
flagforge_explain(PG_FUNCTION_ARGS)
{
	return explain_flag(fcinfo, false);
}

/* flagforge_explain(flag_key): the context from the settings. */
Datum
flagforge_explain_from_settings(PG_FUNCTION_ARGS)
{
	return explain_flag(fcinfo, true);
}

/* qsort: flags by key, byte order. */
static int
compare_flag_ptr_keys(const void *a, const void *b)
{
	return ff_str_compare((*(const FFCachedFlag *const *) a)->def.key,
						  (*(const FFCachedFlag *const *) b)->def.key);
}

/* Every flag's status in this call's context, as result rows by key. */
static Datum
status_rows(FunctionCallInfo fcinfo, bool from_settings)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FFEvalMemo *memo = ff_eval_memo(fcinfo);
	const FFOverrideSource *source;
	FFContext	ctx;
	const FFTenant *tenant;
	int			nflags;
	const FFCachedFlag *flags = ff_cache_flags(&nflags);
	const FFCachedFlag **sorted;
	FFMemoHost	host;

	InitMaterializedSRF(fcinfo, 0);
	source = ff_memo_call_context(fcinfo, memo, 0, from_settings, &ctx);
	tenant = ff_memo_tenant(memo, source, ctx.tenant);
	ff_memo_host(&host, memo, source, &ctx, true);
	sorted = palloc(sizeof(FFCachedFlag *) * Max(nflags, 1));
	for (int i = 0; i < nflags; i++)
		sorted[i] = &flags[i];
	if (nflags > 1)
		qsort(sorted, nflags, sizeof(FFCachedFlag *), compare_flag_ptr_keys);

	for (int i = 0; i < nflags; i++)
	{
		const FFCachedFlag *flag = sorted[i];
		FFDecision	d = ff_resolve_with(&flag->def, ff_tenant_override(tenant, flag->index), &ctx,
										&host.host);
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = PointerGetDatum(cstring_to_text_with_len(flag->def.key.ptr, (int) flag->def.key.len));
		values[1] = PointerGetDatum(cstring_to_text_with_len(flag->name.ptr, (int) flag->name.len));
		values[2] = BoolGetDatum(d.value);
		values[3] = CStringGetTextDatum(ff_step_reason(d.step));
		values[4] = BoolGetDatum(flag->deprecated);
		values[5] = BoolGetDatum(flag->is_public);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * flagforge_status(tenant, user_id, groups, environment)
 * RETURNS TABLE(key, name, value, reason, deprecated, is_public), by key.
 */
Datum
flagforge_status(PG_FUNCTION_ARGS)
{
	return status_rows(fcinfo, false);
}

/* flagforge_status(): the context from the settings. */
Datum
flagforge_status_from_settings(PG_FUNCTION_ARGS)
{
	return status_rows(fcinfo, true);
}
