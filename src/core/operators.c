/*
 * operators.c
 *      The names of Unleash's constraint operators, and the value of a
 *      context field as Unleash's resolveContextValue finds it: a standard
 *      field of the context (userId, sessionId, remoteAddress, environment,
 *      appName, currentTime as given, and flagforge's tenant) when it is
 *      present, else the property of that name.
 */
#include <string.h>

#include "targeting_internal.h"

/* The operators by name, in FFOperator order. */
static const char *const operator_names[] = {
	"UNKNOWN", "IN", "NOT_IN", "STR_STARTS_WITH", "STR_ENDS_WITH", "STR_CONTAINS",
	"NUM_EQ", "NUM_GT", "NUM_GTE", "NUM_LT", "NUM_LTE", "DATE_AFTER", "DATE_BEFORE",
	"SEMVER_EQ", "SEMVER_GT", "SEMVER_LT", "SEMVER_GTE", "SEMVER_LTE", "REGEX", "IN_CIDR"
};

#define NOPERATORS (sizeof(operator_names) / sizeof(operator_names[0]))

/* The operator of a name, FF_OP_UNKNOWN when it is none of Unleash's. */
FFOperator
ff_operator_from_name(FFStr name)
{
	for (size_t i = 1; i < NOPERATORS; i++)
		if (ff_str_is(name, operator_names[i]))
			return (FFOperator) i;
	return FF_OP_UNKNOWN;
}

/* The name of an operator ("IN", ...; "UNKNOWN"). */
const char *
ff_operator_name(FFOperator op)
{
	return ((size_t) op < NOPERATORS) ? operator_names[op] : operator_names[0];
}

/* The standard field called field, when ctx has it. */
static bool
standard_field(const FFContext *ctx, FFStr field, FFStr *value)
{
	const FFContextExtra *x = ff_context_extra(ctx);
	struct
	{
		const char *name;
		bool		present;
		FFStr		value;
	}			fields[] = {
		{"userId", ctx->has_user, ctx->user},
		{"sessionId", x->has_session_id, x->session_id},
		{"remoteAddress", x->has_remote_address, x->remote_address},
		{"environment", ctx->has_environment, ctx->environment},
		{"appName", x->has_app_name, x->app_name},
		{"currentTime", x->has_current_time, x->current_time_text},
		/* the FlagForge forms always have a tenant; the jsonb form says */
		{"tenant", ctx->extra == NULL || x->has_tenant, ctx->tenant},
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].present && ff_str_is(field, fields[i].name))
		{
			*value = fields[i].value;
			return true;
		}
	return false;
}

/* The value of a context field as Unleash resolves it: a standard field, else a property. */
bool
ff_context_value(const FFContext *ctx, FFStr field, FFStr *value)
{
	const FFContextExtra *x = ff_context_extra(ctx);
	size_t		lo = 0;
	size_t		hi = x->nproperties;

	if (standard_field(ctx, field, value))
		return true;
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		int			c = ff_str_compare(x->properties[mid].name, field);

		if (c == 0)
		{
			*value = x->properties[mid].value;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The Unleash fields of ctx: its own, or none. */
const FFContextExtra *
ff_context_extra(const FFContext *ctx)
{
	static const FFContextExtra none;

	return ctx->extra ? ctx->extra : &none;
}

/* The host's clock when the context gives no time (see targeting.h); 0 until set. */
static int64_t
no_clock(void)
{
	return 0;
}

int64_t		(*ff_targeting_now) (void) = no_clock;

/* The time date constraints compare with (see targeting.h). */
int64_t
ff_context_now(const FFContext *ctx)
{
	const FFContextExtra *x = ff_context_extra(ctx);

	return x->has_current_time ? x->current_time : ff_targeting_now();
}
