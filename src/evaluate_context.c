/*
 * evaluate_context.c
 *      The evaluation functions that take Unleash's context as one jsonb:
 *      flagforge_is_enabled(flag_key, context), flagforge_variant(flag_key,
 *      context) and flagforge_evaluate_all(context).
 *
 * The tenant comes from the context, else flagforge.tenant, else the
 * tenant schema in use; a call with none reads no overrides, and is an
 * error only for a flag that needs a tenant (ff_require_tenant_if_needed).
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "context.h"
#include "context_json.h"
#include "eval_memo.h"
#include "evaluate.h"
#include "evaluate_context.h"
#include "settings.h"
#include "targeting.h"

PG_FUNCTION_INFO_V1(flagforge_is_enabled_context);
PG_FUNCTION_INFO_V1(flagforge_variant_context);
PG_FUNCTION_INFO_V1(flagforge_evaluate_all_context);

/* Set up a call whose jsonb context is argument argno (see evaluate_context.h). */
void
ff_context_call(FunctionCallInfo fcinfo, int argno, FFContextCall *call)
{
	const FFStr *default_tenant;

	call->memo = ff_eval_memo(fcinfo);
	ff_context_from_json(PG_GETARG_JSONB_P(argno), &call->ctx, &call->extra);
	call->source = ff_memo_source(call->memo, &default_tenant);
	if (!call->extra.has_tenant)
	{
		if (ff_setting_value(ff_setting_tenant, &call->ctx.tenant))
			call->extra.has_tenant = true;
		else if (default_tenant != NULL)
		{
			call->ctx.tenant = *default_tenant;
			call->extra.has_tenant = true;
		}
	}
	ff_memo_host(&call->host, call->memo, call->source, &call->ctx, call->extra.has_tenant);
}

/* The decision for flag_key in the call's context, its variant when asked. */
FFDecision
ff_context_decide(FFContextCall *call, const FFCachedFlag *flag, FFVariantResult *variant)
{
	const FFOverride *override;

	if (!call->extra.has_tenant)
		ff_require_tenant_if_needed(flag);
	override = ff_memo_override(&call->host, flag);
	if (variant != NULL)
	{
		FFDecision	d;

		*variant = ff_resolve_variant(&flag->def, override, &call->ctx, &call->host.host, &d);
		return d;
	}
	return ff_resolve_with(&flag->def, override, &call->ctx, &call->host.host);
}

/* A text argument as an FFStr; false when NULL. */
static bool
key_argument(FunctionCallInfo fcinfo, FFStr *key)
{
	return ff_text_arg(fcinfo, 0, key);
}

/* flagforge_is_enabled(flag_key, context jsonb): an unknown flag is off. */
Datum
flagforge_is_enabled_context(PG_FUNCTION_ARGS)
{
	FFContextCall call;
	FFStr		key;
	const FFCachedFlag *flag;

	if (!key_argument(fcinfo, &key) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	ff_context_call(fcinfo, 1, &call);
	flag = ff_memo_flag(call.memo, key);
	if (flag == NULL)
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(ff_context_decide(&call, flag, NULL).value);
}

/* Append key: string to a jsonb object being built. */
static void
push_string(FFJsonbBuilder *builder, const char *key, FFStr value)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) value.ptr;
	v.val.string.len = (int) value.len;
	ff_jsonb_push_field(builder, key, &v);
}

/* Append key: boolean. */
static void
push_bool(FFJsonbBuilder *builder, const char *key, bool value)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = value;
	ff_jsonb_push_field(builder, key, &v);
}

/* {"name", ["payload": {"type", "value"}], "enabled", "feature_enabled"}: Unleash's shape. */
Jsonb *
ff_variant_jsonb(const FFVariantResult *variant)
{
	FFJsonbBuilder builder = FF_JSONB_BUILDER_INIT;

	ff_jsonb_push(&builder, WJB_BEGIN_OBJECT, NULL);
	push_string(&builder, "name", variant->variant.name);
	if (variant->variant.has_payload)
	{
		JsonbValue	k;

		k.type = jbvString;
		k.val.string.val = "payload";
		k.val.string.len = 7;
		ff_jsonb_push(&builder, WJB_KEY, &k);
		ff_jsonb_push(&builder, WJB_BEGIN_OBJECT, NULL);
		push_string(&builder, "type", variant->variant.payload_type);
		push_string(&builder, "value", variant->variant.payload_value);
		ff_jsonb_push(&builder, WJB_END_OBJECT, NULL);
	}
	push_bool(&builder, "enabled", variant->enabled);
	push_bool(&builder, "feature_enabled", variant->feature_enabled);
	return JsonbValueToJsonb(ff_jsonb_finish(&builder));
}

/* flagforge_variant(flag_key, context jsonb): Unleash's getVariant result. */
Datum
flagforge_variant_context(PG_FUNCTION_ARGS)
{
	static const char disabled[] = "disabled";
	FFContextCall call;
	FFStr		key;
	const FFCachedFlag *flag;
	FFVariantResult variant;

	if (!key_argument(fcinfo, &key) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	ff_context_call(fcinfo, 1, &call);
	flag = ff_memo_flag(call.memo, key);
	if (flag == NULL)
	{
		memset(&variant, 0, sizeof(variant));
		variant.variant.name.ptr = disabled;
		variant.variant.name.len = sizeof(disabled) - 1;
	}
	else
		(void) ff_context_decide(&call, flag, &variant);
	PG_RETURN_JSONB_P(ff_variant_jsonb(&variant));
}

/* flagforge_evaluate_all(context jsonb): every flag's answer. */
Datum
flagforge_evaluate_all_context(PG_FUNCTION_ARGS)
{
	FFContextCall call;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	ff_context_call(fcinfo, 0, &call);
	PG_RETURN_DATUM(ff_evaluate_all_object(&call.host, false));
}
