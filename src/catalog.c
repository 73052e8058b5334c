/*
 * catalog.c
 *      Finding the extension's schema and tables.
 *
 * The extension is not relocatable, but CREATE EXTENSION may put it in any
 * schema, so the C code never assumes "public": it asks pg_extension.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "catalog.h"

#define FF_EXTENSION_NAME "flagforge"

static Oid	remembered_schema = InvalidOid;
static Oid	remembered_flags = InvalidOid;
static Oid	remembered_overrides = InvalidOid;
static Oid	remembered_tenant_tables = InvalidOid;
static Oid	remembered_audit = InvalidOid;
static Oid	remembered_signal_definitions = InvalidOid;
static Oid	remembered_signal_overrides = InvalidOid;
static Oid	remembered_owner = InvalidOid;
static Oid	remembered_tenant_roles = InvalidOid;
static Oid	remembered_tenant_security = InvalidOid;

/* The namespace and owner of our pg_extension row, or InvalidOid. */
static Oid
lookup_extension_schema(Oid *owner)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			schema = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(FF_EXTENSION_NAME));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		schema = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
		*owner = ((Form_pg_extension) GETSTRUCT(tuple))->extowner;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return schema;
}

/* The schema CREATE EXTENSION put flagforge in; errors if not installed. */
Oid
ff_extension_schema(void)
{
	if (!OidIsValid(remembered_schema))
	{
		remembered_schema = lookup_extension_schema(&remembered_owner);
		if (!OidIsValid(remembered_schema))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("extension \"%s\" is not installed in this database",
							FF_EXTENSION_NAME),
					 errhint("Run CREATE EXTENSION %s.", FF_EXTENSION_NAME)));
	}
	return remembered_schema;
}

/* A table of the extension by name; errors if it is gone. */
static Oid
lookup_extension_table(const char *relname)
{
	Oid			relid = get_relname_relid(relname, ff_extension_schema());

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s.%s\" of extension \"%s\" does not exist",
						get_namespace_name(ff_extension_schema()), relname,
						FF_EXTENSION_NAME),
				 errhint("Reinstall the extension with DROP EXTENSION and CREATE EXTENSION.")));
	return relid;
}

/* flagforge_flags */
Oid
ff_flags_relid(void)
{
	if (!OidIsValid(remembered_flags))
		remembered_flags = lookup_extension_table("flagforge_flags");
	return remembered_flags;
}

/* flagforge_overrides */
Oid
ff_overrides_relid(void)
{
	if (!OidIsValid(remembered_overrides))
		remembered_overrides = lookup_extension_table("flagforge_overrides");
	return remembered_overrides;
}

/* flagforge_tenant_tables */
Oid
ff_tenant_tables_relid(void)
{
	if (!OidIsValid(remembered_tenant_tables))
		remembered_tenant_tables = lookup_extension_table("flagforge_tenant_tables");
	return remembered_tenant_tables;
}

/* flagforge_signal_definitions */
Oid
ff_signal_definitions_relid(void)
{
	if (!OidIsValid(remembered_signal_definitions))
		remembered_signal_definitions = lookup_extension_table("flagforge_signal_definitions");
	return remembered_signal_definitions;
}

/* flagforge_signal_overrides */
Oid
ff_signal_overrides_relid(void)
{
	if (!OidIsValid(remembered_signal_overrides))
		remembered_signal_overrides = lookup_extension_table("flagforge_signal_overrides");
	return remembered_signal_overrides;
}

/* True when relid is the definitions signal. */
bool
ff_catalog_is_definitions_signal(Oid relid)
{
	return OidIsValid(relid) && relid == remembered_signal_definitions;
}

/* flagforge_audit */
Oid
ff_audit_relid(void)
{
	if (!OidIsValid(remembered_audit))
		remembered_audit = lookup_extension_table("flagforge_audit");
	return remembered_audit;
}

/* flagforge_tenant_roles */
Oid
ff_tenant_roles_relid(void)
{
	if (!OidIsValid(remembered_tenant_roles))
		remembered_tenant_roles = lookup_extension_table("flagforge_tenant_roles");
	return remembered_tenant_roles;
}

/* flagforge_tenant_security */
Oid
ff_tenant_security_relid(void)
{
	if (!OidIsValid(remembered_tenant_security))
		remembered_tenant_security = lookup_extension_table("flagforge_tenant_security");
	return remembered_tenant_security;
}

/* The role that owns the extension (writes the audit trail). */
Oid
ff_extension_owner(void)
{
	(void) ff_extension_schema();
	return remembered_owner;
}

/* True when relid is one of the tables remembered here. */
bool
ff_catalog_is_ours(Oid relid)
{
	return OidIsValid(relid) &&
		(relid == remembered_flags || relid == remembered_overrides ||
		 relid == remembered_tenant_tables || relid == remembered_signal_definitions ||
		 relid == remembered_signal_overrides || relid == remembered_tenant_roles ||
		 relid == remembered_tenant_security);
}

/* True when relid is the remembered flagforge_overrides or the overrides signal. */
bool
ff_catalog_is_overrides(Oid relid)
{
	return OidIsValid(relid) &&
		(relid == remembered_overrides || relid == remembered_signal_overrides);
}

/* Forget everything remembered (the next lookup asks the catalogs). */
void
ff_catalog_forget(void)
{
	remembered_schema = InvalidOid;
	remembered_flags = InvalidOid;
	remembered_overrides = InvalidOid;
	remembered_tenant_tables = InvalidOid;
	remembered_audit = InvalidOid;
	remembered_owner = InvalidOid;
	remembered_tenant_roles = InvalidOid;
	remembered_tenant_security = InvalidOid;
	remembered_signal_definitions = InvalidOid;
	remembered_signal_overrides = InvalidOid;
}

/* "schema.table", quoted, for query text run through SPI. */
char *
ff_qualified_table_name(Oid relid)
{
	char	   *relname = get_rel_name(relid);
	char	   *nspname = get_namespace_name(get_rel_namespace(relid));

	if (relname == NULL || nspname == NULL)
		elog(ERROR, "cache lookup failed for relation %u", relid);
	return quote_qualified_identifier(nspname, relname);
}

/* Check the result of an SPI call (see catalog.h). */
void
ff_spi_check(int rc, int expected, const char *what)
{
	if (rc != expected)
		elog(ERROR, "flagforge: SPI returned %s, not %s, for: %s",
			 SPI_result_code_string(rc), SPI_result_code_string(expected), what);
}

/* Run sql through SPI and check its result (see catalog.h). */
uint64
ff_spi_execute(const char *sql, int nargs, Oid *argtypes, Datum *values,
			   const char *nulls, bool read_only, long count, int expected)
{
	ff_spi_check(SPI_execute_with_args(sql, nargs, argtypes, values, nulls, read_only, count),
				 expected, sql);
	return SPI_processed;
}
