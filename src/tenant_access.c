/*
 * tenant_access.c
 *      Who may manage which tenant: the row-level security predicate of
 *      flagforge_overrides and the creation of tenant schemas' tables.
 *
 * Binding (flagforge_tenant_roles): a role is restricted to its bound
 * tenants when the session user or the current user is a member of a bound
 * role (directly, through role membership, or by being it).  So a bound
 * login cannot leave its tenants with SET ROLE to a group it belongs to,
 * and binding a group role binds its members.  Superuser status does not
 * count as membership here.  The predicate answers only about the caller,
 * so no role can probe another's binding.
 *
 * Tenant schemas' tables are created by the extension's owner (and owned
 * by it, so that their creator cannot switch off their triggers), after
 * checking that the caller could have created them: CREATE on the schema,
 * or on the database when the schema is new (then owned by the extension
 * owner too, so that nobody can plant functions in it that the tenant's
 * sessions would find first on their search_path).  A schema named like a
 * role is refused: it would be first on that role's search_path (and on
 * the path of whoever does SET ROLE to it).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "catalog.h"
#include "compat.h"

PG_FUNCTION_INFO_V1(flagforge_tenant_allowed);
PG_FUNCTION_INFO_V1(flagforge_create_tenant_schema);

/* The tenants the caller is bound to, worked out once per query and caller. */
typedef struct TenantScope
{
	Oid			session_user;
	Oid			current_user;
	char	   *setting_tenant; /* flagforge.tenant it was worked out with */
	bool		restricted;		/* false: not bound (or security is off) */
	List	   *tenants;		/* char * */
} TenantScope;

/* The value of a text or name column of a row, or NULL. */
static char *
column_string(HeapTuple tuple, TupleDesc desc, const char *column)
{
	int			attnum = SPI_fnumber(desc, column);
	bool		isnull;
	Datum		value;
	Oid			type;

	if (attnum <= 0)
		return NULL;
	value = heap_getattr(tuple, attnum, desc, &isnull);
	if (isnull)
		return NULL;
	type = TupleDescAttr(desc, attnum - 1)->atttypid;
	if (type == NAMEOID)
		return pstrdup(NameStr(*DatumGetName(value)));
	if (type == TEXTOID)
		return TextDatumGetCString(value);
	return NULL;
}

/*
 * True when flagforge_tenant_security says the binding is enforced: it has
 * a row (its constraints allow only one, true).
 */
static bool
tenant_security_enabled(void)
{
	Relation	rel = table_open(ff_read_relid(FF_REL_TENANT_SECURITY), AccessShareLock);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	bool		enabled = HeapTupleIsValid(systable_getnext(scan));

	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return enabled;
}

/* True when the session or current user is a member of role_name (an existing role). */
static bool
caller_is_member(const char *role_name)
{
	Oid			role = get_role_oid(role_name, true);

	return OidIsValid(role) &&
		(is_member_of_role_nosuper(GetSessionUserId(), role) ||
		 is_member_of_role_nosuper(GetUserId(), role));
}

/* Work out the caller's tenants from flagforge_tenant_roles into scope (in its context). */
static void
load_scope(TenantScope *scope)
{
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;

	scope->restricted = false;
	scope->tenants = NIL;
	if (!tenant_security_enabled())
		return;
	rel = table_open(ff_read_relid(FF_REL_TENANT_ROLES), AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		char	   *role_name = column_string(tuple, RelationGetDescr(rel), "role_name");
		char	   *tenant = column_string(tuple, RelationGetDescr(rel), "tenant_id");

		if (role_name == NULL || !caller_is_member(role_name))
			continue;
		scope->restricted = true;
		if (tenant == NULL)
			tenant = scope->setting_tenant; /* bound to flagforge.tenant */
		if (tenant != NULL)
			scope->tenants = lappend(scope->tenants, tenant);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* The caller's scope, from the call site's memo when the caller is unchanged. */
static TenantScope *
caller_scope(FunctionCallInfo fcinfo)
{
	TenantScope *scope = (TenantScope *) fcinfo->flinfo->fn_extra;
	const char *setting = GetConfigOption("flagforge.tenant", true, false);
	MemoryContext old;

	if (setting != NULL && setting[0] == '\0')
		setting = NULL;
	if (scope != NULL && scope->session_user == GetSessionUserId() &&
		scope->current_user == GetUserId() &&
		((setting == NULL && scope->setting_tenant == NULL) ||
		 (setting != NULL && scope->setting_tenant != NULL &&
		  strcmp(setting, scope->setting_tenant) == 0)))
		return scope;

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	scope = palloc0(sizeof(TenantScope));
	scope->session_user = GetSessionUserId();
	scope->current_user = GetUserId();
	scope->setting_tenant = setting ? pstrdup(setting) : NULL;
	load_scope(scope);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = scope;
	return scope;
}

/*
 * flagforge_tenant_allowed(tenant text) RETURNS boolean: may the caller
 * see and change this tenant's overrides?  The row-level security
 * predicate of flagforge_overrides (see the file header).
 */
Datum
flagforge_tenant_allowed(PG_FUNCTION_ARGS)
{
	TenantScope *scope = caller_scope(fcinfo);
	char	   *tenant;
	ListCell   *lc;

	if (!scope->restricted)
		PG_RETURN_BOOL(true);
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	tenant = text_to_cstring(PG_GETARG_TEXT_PP(0));
	foreach(lc, scope->tenants)
		if (strcmp((char *) lfirst(lc), tenant) == 0)
			PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(false);
}

/*
 * Error when the caller is bound to tenants: tenant tables have no
 * row-level security, so a bound role may not create (and so write) one.
 */
static void
check_caller_unbound(void)
{
	TenantScope scope;

	memset(&scope, 0, sizeof(scope));
	load_scope(&scope);
	if (scope.restricted)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("a role bound to tenants cannot create tenant schemas"),
				 errdetail("Tenant tables have no row-level security, and their creator may change them."),
				 errhint("Create tenant schemas as a role that flagforge_tenant_roles does not bind.")));
}

/* Error unless the caller may create a table in the schema (or the schema itself). */
static void
check_may_create(const char *schema_name)
{
	Oid			namespace = get_namespace_oid(schema_name, true);
	Oid			role = get_role_oid(schema_name, true);
	AclResult	result;

	if (strcmp(schema_name, "public") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_SCHEMA_NAME),
				 errmsg("schema \"public\" cannot be a tenant schema"),
				 errdetail("public is on every role's default search_path, so its overrides would replace everyone's."),
				 errhint("Give each tenant a schema of its own.")));
	if (OidIsValid(role))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_SCHEMA_NAME),
				 errmsg("tenant schema name \"%s\" is the name of a role", schema_name),
				 errdetail("A schema named like a role comes first on that role's search_path (\"$user\"), so its overrides would replace the role's own in every evaluation."),
				 errhint("Choose a tenant schema name that is not a role name.")));

	if (OidIsValid(namespace))
	{
		result = ff_namespace_aclcheck(namespace, GetUserId(), ACL_CREATE);
		if (result != ACLCHECK_OK)
			aclcheck_error(result, OBJECT_SCHEMA, schema_name);
	}
	else
	{
		result = ff_database_aclcheck(MyDatabaseId, GetUserId(), ACL_CREATE);
		if (result != ACLCHECK_OK)
			aclcheck_error(result, OBJECT_DATABASE, get_database_name(MyDatabaseId));
	}
}

/*
 * flagforge_create_tenant_schema(schema_name text, with_tenant_id boolean)
 * RETURNS regclass: check the caller's rights, then create the registered
 * table as the extension's owner through flagforge_create_tenant_table
 * (the schema, when missing, is created for the caller).
 */
Datum
flagforge_create_tenant_schema(PG_FUNCTION_ARGS)
{
	Oid			caller = GetUserId();
	Oid			save_userid;
	int			save_sec_context;
	Oid			argtypes[3] = {TEXTOID, BOOLOID, OIDOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	Datum		result = (Datum) 0;
	bool		isnull = true;
	char	   *sql;

	check_caller_unbound();
	if (!PG_ARGISNULL(0))
	{
		char	   *schema_name = text_to_cstring(PG_GETARG_TEXT_PP(0));

		if (schema_name[0] != '\0' && strlen(schema_name) < NAMEDATALEN)
			check_may_create(schema_name);
	}
	values[0] = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
	nulls[0] = PG_ARGISNULL(0) ? 'n' : ' ';
	values[1] = PG_ARGISNULL(1) ? BoolGetDatum(false) : PG_GETARG_DATUM(1);
	values[2] = ObjectIdGetDatum(caller);
	sql = psprintf("SELECT %s.flagforge_create_tenant_table($1, $2, $3)",
				   quote_identifier(get_namespace_name(ff_extension_schema())));

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(ff_extension_owner(), save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	SPI_connect();
	if (ff_spi_execute(sql, 3, argtypes, values, nulls, false, 1, SPI_OK_SELECT) != 1)
		elog(ERROR, "flagforge: no row from: %s", sql);
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec_context);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}
