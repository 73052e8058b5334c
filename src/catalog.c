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
#include "murmur3.h"
#include "citus.h"

#define FF_EXTENSION_NAME "flagforge"

/* The names of the tables of FFRel, in its order. */
static const char *const rel_names[FF_REL_COUNT] = {
	[FF_REL_FLAGS] = "flagforge_flags",
	[FF_REL_OVERRIDES] = "flagforge_overrides",
	[FF_REL_TENANT_TABLES] = "flagforge_tenant_tables",
	[FF_REL_SIGNAL_DEFINITIONS] = "flagforge_signal_definitions",
	[FF_REL_SIGNAL_OVERRIDES] = "flagforge_signal_overrides",
	[FF_REL_AUDIT] = "flagforge_audit",
	[FF_REL_TENANT_ROLES] = "flagforge_tenant_roles",
	[FF_REL_TENANT_SECURITY] = "flagforge_tenant_security",
	[FF_REL_SEGMENTS] = "flagforge_segments",
	[FF_REL_RULES] = "flagforge_rules",
	[FF_REL_PREREQUISITES] = "flagforge_prerequisites",
};

static Oid	remembered_schema = InvalidOid;
static Oid	remembered_owner = InvalidOid;
static Oid	remembered[FF_REL_COUNT];	/* InvalidOid (0): not looked up */
static Oid	remembered_buckets[FF_SIGNAL_BUCKETS];	/* all InvalidOid: not looked up */

/* The seed of ff_signal_bucket (part of what every backend agrees on). */
#define FF_SIGNAL_SEED 0x5167
/* The tables this node's rows are read from: the table itself or its Citus placement. */
static Oid	remembered_read[FF_REL_COUNT];

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

/* The OID of one of the extension's tables, InvalidOid when it is missing. */
Oid
ff_relid_if_exists(FFRel which)
{
	if (!OidIsValid(remembered[which]))
		remembered[which] = get_relname_relid(rel_names[which], ff_extension_schema());
	return remembered[which];
}

/* The OID of one of the extension's tables; errors if it is missing. */
Oid
ff_relid(FFRel which)
{
	Oid			relid = ff_relid_if_exists(which);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s.%s\" of extension \"%s\" does not exist",
						get_namespace_name(ff_extension_schema()), rel_names[which],
						FF_EXTENSION_NAME),
				 errhint("Reinstall the extension with DROP EXTENSION and CREATE EXTENSION, or finish its update with ALTER EXTENSION %s UPDATE.",
						 FF_EXTENSION_NAME)));
	return relid;
}

/* The table this node reads one of the extension's tables' rows from (see catalog.h). */
Oid
ff_read_relid_if_exists(FFRel which)
{
	if (!OidIsValid(remembered_read[which]))
	{
		Oid			relid = ff_relid_if_exists(which);
		Oid			placement = OidIsValid(relid) ? ff_citus_local_placement(relid) : InvalidOid;

		remembered_read[which] = OidIsValid(placement) ? placement : relid;
	}
	return remembered_read[which];
}

/* The same; errors if the table is missing. */
Oid
ff_read_relid(FFRel which)
{
	(void) ff_relid(which);
	return ff_read_relid_if_exists(which);
}

/* True when relid is the definitions signal. */
bool
ff_catalog_is_definitions_signal(Oid relid)
{
	return OidIsValid(relid) && relid == remembered[FF_REL_SIGNAL_DEFINITIONS];
}

/* The bucket of a tenant id or flag key (see catalog.h). */
int
ff_signal_bucket(const char *bytes, size_t len)
{
	return (int) (ff_murmur3_32(bytes, len, FF_SIGNAL_SEED) % FF_SIGNAL_BUCKETS);
}

/* The OIDs of the bucket relations, or NULL when they are missing (see catalog.h). */
const Oid *
ff_signal_bucket_relids(void)
{
	if (!OidIsValid(remembered_buckets[0]))
	{
		Oid			schema = ff_extension_schema();

		for (int b = 0; b < FF_SIGNAL_BUCKETS; b++)
		{
			char		name[NAMEDATALEN];

			snprintf(name, sizeof(name), "flagforge_signal_overrides_%02d", b);
			remembered_buckets[b] = get_relname_relid(name, schema);
		}
	}
	for (int b = 0; b < FF_SIGNAL_BUCKETS; b++)
		if (!OidIsValid(remembered_buckets[b]))
		{
			memset(remembered_buckets, 0, sizeof(remembered_buckets));
			return NULL;
		}
	return remembered_buckets;
}

/* The bucket relid is the signal of, or -1 (see catalog.h). */
int
ff_catalog_signal_bucket(Oid relid)
{
	if (!OidIsValid(relid))
		return -1;
	for (int b = 0; b < FF_SIGNAL_BUCKETS; b++)
		if (remembered_buckets[b] == relid)
			return b;
	return -1;
}

/* The role that owns the extension (writes the audit trail). */
Oid
ff_extension_owner(void)
{
	(void) ff_extension_schema();
	return remembered_owner;
}

/* The table relid is, when it is one remembered here. */
bool
ff_catalog_which(Oid relid, FFRel *which)
{
	if (!OidIsValid(relid))
		return false;
	for (int i = 0; i < FF_REL_COUNT; i++)
		if (remembered[i] == relid || remembered_read[i] == relid)
		{
			*which = (FFRel) i;
			return true;
		}
	return false;
}

/* The extension's table relid is, or is the Citus placement of; else relid itself. */
Oid
ff_catalog_table_of(Oid relid)
{
	FFRel		which;

	return ff_catalog_which(relid, &which) ? ff_relid(which) : relid;
}

/* True when relid is one of the tables remembered here (but the audit trail). */
bool
ff_catalog_is_ours(Oid relid)
{
	FFRel		which;

	return ff_catalog_which(relid, &which) && which != FF_REL_AUDIT;
}

/* True when relid is the remembered flagforge_overrides or the overrides signal. */
bool
ff_catalog_is_overrides(Oid relid)
{
	return OidIsValid(relid) &&
		(relid == remembered[FF_REL_OVERRIDES] || relid == remembered[FF_REL_SIGNAL_OVERRIDES]);
}

/* Forget everything remembered (the next lookup asks the catalogs). */
void
ff_catalog_forget(void)
{
	remembered_schema = InvalidOid;
	remembered_owner = InvalidOid;
	memset(remembered, 0, sizeof(remembered));
	memset(remembered_buckets, 0, sizeof(remembered_buckets));
	memset(remembered_read, 0, sizeof(remembered_read));
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
