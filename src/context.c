/*
 * context.c
 *      The evaluation context from SQL arguments and settings.
 *
 * Arguments are taken as given (a NULL user is anonymous, NULL groups are
 * none); a NULL tenant or environment falls back to its setting, and a
 * tenant further to the name of the tenant schema in use.  No tenant from
 * any source is an error that says how to give one.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "context.h"
#include "context_json.h"
#include "settings.h"

/* The error for a call that has no tenant from any source. */
static void
report_missing_tenant(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("no tenant given for flagforge"),
			 errdetail("The tenant argument is NULL and the setting flagforge.tenant is empty."),
			 errhint("Pass the tenant as an argument, or set it for the session or transaction: SET LOCAL flagforge.tenant = 'acme'.")));
}

/* The tenant from the settings, else default_tenant, else an error. */
FFStr
ff_tenant_from_settings(const FFStr *default_tenant)
{
	FFStr		tenant = {NULL, 0};

	if (ff_setting_value(ff_setting_tenant, &tenant))
		return tenant;
	if (default_tenant == NULL)
		report_missing_tenant();
	return *default_tenant;
}

/* The tenant: the argument, else the settings, else default_tenant, else an error. */
FFStr
ff_tenant_arg(FunctionCallInfo fcinfo, int argno, const FFStr *default_tenant)
{
	FFStr		tenant = {NULL, 0};

	if (ff_text_arg(fcinfo, argno, &tenant))
		return tenant;
	return ff_tenant_from_settings(default_tenant);
}

/* The non-NULL elements of a text[] as a list, reusing memo when unchanged. */
FFStrList
ff_groups_from_array(Datum array_datum, FFGroupsMemo *memo)
{
	ArrayType  *array = DatumGetArrayTypeP(array_datum);
	Size		raw_len = VARSIZE(array);
	MemoryContext old;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	FFStr	   *items;
	size_t		count = 0;

	if (memo->raw != NULL && memo->raw_len == raw_len &&
		memcmp(memo->raw, array, raw_len) == 0)
		return memo->list;

	if (memo->cxt == NULL)
		memo->cxt = AllocSetContextCreate(CurrentMemoryContext, "flagforge groups",
										  ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(memo->cxt);
	old = MemoryContextSwitchTo(memo->cxt);

	memo->raw = palloc(raw_len);
	memcpy(memo->raw, array, raw_len);
	memo->raw_len = raw_len;
	deconstruct_array((ArrayType *) memo->raw, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &nelems);
	items = palloc(sizeof(FFStr) * Max(nelems, 1));
	for (int i = 0; i < nelems; i++)
	{
		if (nulls[i])
			continue;
		items[count].ptr = VARDATA_ANY(DatumGetPointer(elems[i]));
		items[count].len = VARSIZE_ANY_EXHDR(DatumGetPointer(elems[i]));
		count++;
	}
	memo->list.items = items;
	memo->list.count = count;
	MemoryContextSwitchTo(old);
	return memo->list;
}

/* Fill ctx from the arguments (see context.h). */
void
ff_context_from_args(FunctionCallInfo fcinfo, int tenant_arg,
					 FFGroupsMemo *groups_memo, const FFStr *default_tenant,
					 FFContext *ctx)
{
	int			user_arg = tenant_arg + 1;
	int			groups_arg = tenant_arg + 2;
	int			env_arg = tenant_arg + 3;

	memset(ctx, 0, sizeof(*ctx));
	ctx->tenant = ff_tenant_arg(fcinfo, tenant_arg, default_tenant);
	ctx->has_user = ff_text_arg(fcinfo, user_arg, &ctx->user);
	ctx->groups = ff_groups_arg(fcinfo, groups_arg, groups_memo);
	ctx->has_environment = ff_text_arg(fcinfo, env_arg, &ctx->environment) ||
		ff_setting_value(ff_setting_environment, &ctx->environment);
}

/* Unleash's fields from the settings, for the call being served (one at a time). */
static FFContextExtra settings_extra;

/* Fill ctx from the settings alone (the context forms). */
void
ff_context_from_settings(const FFStr *default_tenant, FFContext *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->tenant = ff_tenant_from_settings(default_tenant);
	ctx->has_user = ff_setting_value(ff_setting_user_id, &ctx->user);
	ctx->groups = ff_setting_group_list();
	ctx->has_environment = ff_setting_value(ff_setting_environment, &ctx->environment);
	/* Unleash's fields (flagforge.session_id, .properties...) when any is set */
	if (ff_context_extra_from_settings(&settings_extra))
		ctx->extra = &settings_extra;
}

/* s itself, or its first 60 characters and "..." (for messages). */
const char *
ff_abbreviate(const char *s)
{
	int			len = (int) strlen(s);
	int			cut;

	if (len <= 64)
		return s;
	cut = pg_mbcliplen(s, len, 60);
	return psprintf("%.*s...", cut, s);
}
