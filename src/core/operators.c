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
	struct
	{
		const char *name;
		bool		present;
		FFStr		value;
	}			fields[] = {
		{"userId", ctx->has_user, ctx->user},
		{"sessionId", ctx->has_session_id, ctx->session_id},
		{"remoteAddress", ctx->has_remote_address, ctx->remote_address},
		{"environment", ctx->has_environment, ctx->environment},
		{"appName", ctx->has_app_name, ctx->app_name},
		{"currentTime", ctx->has_current_time_text, ctx->current_time_text},
		{"tenant", ctx->has_tenant, ctx->tenant},
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
	size_t		lo = 0;
	size_t		hi = ctx->nproperties;

	if (standard_field(ctx, field, value))
		return true;
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		int			c = ff_str_compare(ctx->properties[mid].name, field);

		if (c == 0)
		{
			*value = ctx->properties[mid].value;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
