/*
 * admin.c
 *      The DBA functions: flagforge_enable, flagforge_disable,
 *      flagforge_set_override and flagforge_clear_override.
 *
 * They are what the reference library's admin endpoints and CLI do to a
 * tenant override.  They run as the caller (privileges on the tables are
 * required) through SPI, with every name in the query text qualified, and
 * they check the flag first so that an unknown key is an error naming it.
 * The table written is the one evaluation would read: a registered tenant
 * schema's on search_path, else the extension's (see tenancy.c).  The cache
 * needs no help: the table trigger invalidates it.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "cache.h"
#include "catalog.h"
#include "context.h"
#include "tenancy.h"
#include "utils/inval.h"

PG_FUNCTION_INFO_V1(flagforge_enable);
PG_FUNCTION_INFO_V1(flagforge_disable);
PG_FUNCTION_INFO_V1(flagforge_set_override);
PG_FUNCTION_INFO_V1(flagforge_clear_override);

/* The override fields to write; a NULL field leaves the stored one as it is. */
typedef struct FFOverrideChange
{
	Datum		enabled;
	bool		enabled_null;
	Datum		rollout;
	bool		rollout_null;
	Datum		users;
	bool		users_null;
	Datum		groups;
	bool		groups_null;
	Datum		updated_by;
} FFOverrideChange;

/* The flag_key argument, which may not be NULL. */
static text *
required_flag_key(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("flag_key must not be NULL")));
	return PG_GETARG_TEXT_PP(0);
}

/* The override table to write and the tenant to write for. */
typedef struct FFAdminTarget
{
	text	   *flag_key;
	text	   *tenant;
	char	   *table;			/* qualified name of the override table */
	bool		has_tenant_id;	/* false: a tenant schema's table without tenant_id */
} FFAdminTarget;

/* Resolve the override table and the tenant (argument, setting or schema). */
static void
resolve_target(FunctionCallInfo fcinfo, FFAdminTarget *target)
{
	FFSourceMemo memo;
	const FFOverrideSource *source;
	FFStr		tenant;

	memset(&memo, 0, sizeof(memo));
	target->flag_key = required_flag_key(fcinfo);
	AcceptInvalidationMessages();
	ff_cache_begin();
	source = ff_resolve_source(&memo, CurrentMemoryContext);
	tenant = ff_tenant_arg(fcinfo, 1, source->is_tenant_schema ? &source->schema_name : NULL);
	target->tenant = cstring_to_text_with_len(tenant.ptr, (int) tenant.len);
	target->has_tenant_id = source->has_tenant_id;
	target->table = ff_qualified_table_name(source->relid);
}

/*
 * In PG_CATCH of a write: when the error is the primary key's index refusing
 * a row (a tenant id and flag key too long to index together, even
 * compressed), replace it by an error that says so in flagforge's terms;
 * any other error is left to be re-thrown.
 */
static void
report_too_long_to_index(const FFAdminTarget *target, MemoryContext cxt)
{
	ErrorData  *edata;

	if (geterrcode() != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
		return;
	MemoryContextSwitchTo(cxt); /* out of ErrorContext, as CopyErrorData needs */
	edata = CopyErrorData();
	FlushErrorState();
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("tenant \"%s\" is too long to store with flag \"%s\"",
					ff_abbreviate(text_to_cstring(target->tenant)),
					ff_abbreviate(text_to_cstring(target->flag_key))),
			 errdetail("%s", edata->message),
			 errhint("Use a shorter tenant id, such as the tenant's primary key.")));
}

/* Error unless the flag is defined (SPI must be connected). */
static void
require_flag(text *flag_key)
{
	char	   *sql = psprintf("SELECT 1 FROM %s WHERE key OPERATOR(pg_catalog.=) $1",
							   ff_qualified_table_name(ff_flags_relid()));
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {PointerGetDatum(flag_key)};

	if (ff_spi_execute(sql, 1, argtypes, values, NULL, true, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("flag \"%s\" does not exist", ff_abbreviate(text_to_cstring(flag_key))),
				 errhint("Define it first with INSERT INTO flagforge_flags (key, name) or flagforge_import_yaml().")));
}

/* Error unless a text[] argument is one-dimensional without NULL elements. */
static void
check_name_list(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	ArrayType  *array;

	if (PG_ARGISNULL(argno))
		return;
	array = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", argname)));
	if (array_contains_nulls(array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain NULL elements", argname)));
}

/* Error unless a rollout argument is NULL or 0..100. */
static void
check_rollout(FunctionCallInfo fcinfo, int argno)
{
	int32		rollout;

	if (PG_ARGISNULL(argno))
		return;
	rollout = PG_GETARG_INT32(argno);
	if (rollout < 0 || rollout > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rollout_percentage must be between 0 and 100, got %d", rollout),
				 errhint("Use NULL to leave the override's rollout as it is.")));
}

/* The user recorded in updated_by when none is given. */
static Datum
current_user_name(void)
{
	return PointerGetDatum(cstring_to_text(GetUserNameFromId(GetUserId(), false)));
}

/* Insert or update the override of (flag_key, tenant) with change. */
static void
upsert_override(const FFAdminTarget *target, const FFOverrideChange *change)
{
	char	   *sql;
	Oid			argtypes[7] = {TEXTOID, TEXTOID, BOOLOID, INT4OID,
	TEXTARRAYOID, TEXTARRAYOID, TEXTOID};
	Datum		values[7];
	char		nulls[7];
	bool		by_tenant = target->has_tenant_id;
	MemoryContext cxt;

	SPI_connect();
	require_flag(target->flag_key);
	sql = psprintf("INSERT INTO %s AS o (%sflag_key, enabled, rollout_percentage,"
				   " enabled_for_users, enabled_for_groups, updated_by)"
				   " VALUES (%s$2, $3, $4, COALESCE($5, '{}'::pg_catalog.text[]),"
				   " COALESCE($6, '{}'::pg_catalog.text[]), $7)"
				   " ON CONFLICT (%sflag_key) DO UPDATE SET"
				   " enabled = COALESCE($3, o.enabled),"
				   " rollout_percentage = COALESCE($4, o.rollout_percentage),"
				   " enabled_for_users = COALESCE($5, o.enabled_for_users),"
				   " enabled_for_groups = COALESCE($6, o.enabled_for_groups),"
				   " updated_by = $7",
				   target->table, by_tenant ? "tenant_id, " : "",
				   by_tenant ? "$1, " : "", by_tenant ? "tenant_id, " : "");
	values[0] = PointerGetDatum(target->tenant);
	values[1] = PointerGetDatum(target->flag_key);
	values[2] = change->enabled;
	values[3] = change->rollout;
	values[4] = change->users;
	values[5] = change->groups;
	values[6] = change->updated_by;
	memset(nulls, ' ', sizeof(nulls));
	nulls[2] = change->enabled_null ? 'n' : ' ';
	nulls[3] = change->rollout_null ? 'n' : ' ';
	nulls[4] = change->users_null ? 'n' : ' ';
	nulls[5] = change->groups_null ? 'n' : ' ';
	cxt = CurrentMemoryContext;
	PG_TRY();
	{
		(void) ff_spi_execute(sql, 7, argtypes, values, nulls, false, 0, SPI_OK_INSERT);
	}
	PG_CATCH();
	{
		report_too_long_to_index(target, cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	SPI_finish();
}

/* Set only the enabled field of an override. */
static void
set_enabled(FunctionCallInfo fcinfo, bool enabled)
{
	FFAdminTarget target;
	FFOverrideChange change = {0};

	resolve_target(fcinfo, &target);
	change.enabled = BoolGetDatum(enabled);
	change.rollout_null = change.users_null = change.groups_null = true;
	change.updated_by = current_user_name();
	upsert_override(&target, &change);
}

/* flagforge_enable(flag_key, tenant): the tenant's override says on. */
Datum
flagforge_enable(PG_FUNCTION_ARGS)
{
	set_enabled(fcinfo, true);
	PG_RETURN_VOID();
}

/* flagforge_disable(flag_key, tenant): the tenant's override says off. */
Datum
flagforge_disable(PG_FUNCTION_ARGS)
{
	set_enabled(fcinfo, false);
	PG_RETURN_VOID();
}

/*
 * flagforge_set_override(flag_key, tenant, enabled, rollout_percentage,
 * enabled_for_users, enabled_for_groups, updated_by)
 */
Datum
flagforge_set_override(PG_FUNCTION_ARGS)
{
	FFAdminTarget target;
	FFOverrideChange change;

	resolve_target(fcinfo, &target);
	check_rollout(fcinfo, 3);
	check_name_list(fcinfo, 4, "enabled_for_users");
	check_name_list(fcinfo, 5, "enabled_for_groups");

	change.enabled_null = PG_ARGISNULL(2);
	change.enabled = change.enabled_null ? (Datum) 0 : PG_GETARG_DATUM(2);
	change.rollout_null = PG_ARGISNULL(3);
	change.rollout = change.rollout_null ? (Datum) 0 : PG_GETARG_DATUM(3);
	change.users_null = PG_ARGISNULL(4);
	change.users = change.users_null ? (Datum) 0 : PG_GETARG_DATUM(4);
	change.groups_null = PG_ARGISNULL(5);
	change.groups = change.groups_null ? (Datum) 0 : PG_GETARG_DATUM(5);
	change.updated_by = PG_ARGISNULL(6) ? current_user_name() : PG_GETARG_DATUM(6);
	upsert_override(&target, &change);
	PG_RETURN_VOID();
}

/* flagforge_clear_override(flag_key, tenant): delete it; true if there was one. */
Datum
flagforge_clear_override(PG_FUNCTION_ARGS)
{
	FFAdminTarget target;
	char	   *sql;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	bool		deleted;

	resolve_target(fcinfo, &target);
	SPI_connect();
	require_flag(target.flag_key);
	sql = psprintf("DELETE FROM %s WHERE flag_key OPERATOR(pg_catalog.=) $2%s",
				   target.table,
				   target.has_tenant_id ? " AND tenant_id OPERATOR(pg_catalog.=) $1" : "");
	values[0] = PointerGetDatum(target.tenant);
	values[1] = PointerGetDatum(target.flag_key);
	(void) ff_spi_execute(sql, 2, argtypes, values, NULL, false, 0, SPI_OK_DELETE);
	deleted = SPI_processed > 0;
	SPI_finish();
	PG_RETURN_BOOL(deleted);
}

