/*
 * catalog.h
 *      Where the extension's tables are: its schema and their OIDs.
 *
 * Looked up once and remembered until a relcache invalidation names one
 * of them (DROP/CREATE EXTENSION), see cache.c.
 */
#ifndef FLAGFORGE_CATALOG_H
#define FLAGFORGE_CATALOG_H

#include "postgres.h"

/* The schema CREATE EXTENSION put flagforge in; errors if not installed. */
extern Oid	ff_extension_schema(void);

/* The extension's tables, by what they hold. */
typedef enum FFRel
{
	FF_REL_FLAGS,				/* flagforge_flags */
	FF_REL_OVERRIDES,			/* flagforge_overrides */
	FF_REL_TENANT_TABLES,		/* the registry of tenant schemas' override tables */
	/*
	 * The two signal relations whose relcache invalidation tells every
	 * backend that definitions (or the tenant-table registry) or overrides
	 * changed.  Invalidating them instead of the tables leaves the tables'
	 * relcache entries and every plan that uses the tables alone.
	 */
	FF_REL_SIGNAL_DEFINITIONS,
	FF_REL_SIGNAL_OVERRIDES,
	FF_REL_AUDIT,				/* flagforge_audit */
	FF_REL_TENANT_ROLES,		/* tenant-scoped roles */
	FF_REL_TENANT_SECURITY,
	FF_REL_SEGMENTS,			/* targeting (1.1): flagforge_segments */
	FF_REL_RULES,				/* flagforge_rules */
	FF_REL_PREREQUISITES,		/* flagforge_prerequisites */
	FF_REL_COUNT
} FFRel;

/* The OID of one of the extension's tables; errors if it is missing. */
extern Oid	ff_relid(FFRel which);

/* The same, InvalidOid when it is missing (a table a later version adds). */
extern Oid	ff_relid_if_exists(FFRel which);

/*
 * The table this node reads the rows of one of the extension's tables from:
 * the table itself, or its local placement when it is a Citus reference
 * table (see citus.h).  Writes go to the table itself (ff_relid), which
 * Citus sends to every placement.
 */
extern Oid	ff_read_relid(FFRel which);

/* The same, InvalidOid when the table is missing. */
extern Oid	ff_read_relid_if_exists(FFRel which);

/* Shorthands for the tables most code names. */
#define ff_flags_relid() ff_relid(FF_REL_FLAGS)
#define ff_overrides_relid() ff_relid(FF_REL_OVERRIDES)
#define ff_tenant_tables_relid() ff_relid(FF_REL_TENANT_TABLES)
#define ff_signal_definitions_relid() ff_relid(FF_REL_SIGNAL_DEFINITIONS)
#define ff_signal_overrides_relid() ff_relid(FF_REL_SIGNAL_OVERRIDES)
#define ff_audit_relid() ff_relid(FF_REL_AUDIT)
#define ff_tenant_roles_relid() ff_relid(FF_REL_TENANT_ROLES)
#define ff_tenant_security_relid() ff_relid(FF_REL_TENANT_SECURITY)

/* True when relid is the definitions signal. */
extern bool ff_catalog_is_definitions_signal(Oid relid);

/*
 * The override signal buckets (1.1): flagforge_signal_overrides_00 .. _31.
 * A change of an override of flag F for tenant T invalidates the buckets
 * of F and of T, so other backends drop only the tenants and flag maps of
 * those buckets (cache.c) rather than every tenant.
 */
#define FF_SIGNAL_BUCKETS 32

/* The bucket of a tenant id or flag key (the same on every backend). */
extern int	ff_signal_bucket(const char *bytes, size_t len);

/*
 * The OIDs of the bucket relations, or NULL when they are missing (an
 * extension not yet updated to 1.1): then signal everything.
 */
extern const Oid *ff_signal_bucket_relids(void);

/*
 * The bucket relid is the signal of, or -1.  Reads only what
 * ff_signal_bucket_relids remembered (it runs in an invalidation callback).
 */
extern int	ff_catalog_signal_bucket(Oid relid);

/* The role that owns the extension (writes the audit trail). */
extern Oid	ff_extension_owner(void);

/* True when relid is one of the tables remembered here. */
extern bool ff_catalog_is_ours(Oid relid);

/* The table relid is (or is the placement of), when it is one remembered here. */
extern bool ff_catalog_which(Oid relid, FFRel *which);

/* The extension's table relid is, or is the Citus placement of; else relid itself. */
extern Oid	ff_catalog_table_of(Oid relid);

/* True when relid is the remembered flagforge_overrides or the overrides signal. */
extern bool ff_catalog_is_overrides(Oid relid);

/* Forget everything remembered (the next lookup asks the catalogs). */
extern void ff_catalog_forget(void);

/* "schema.table", quoted, for query text run through SPI. */
extern char *ff_qualified_table_name(Oid relid);

/*
 * Run sql with its arguments through SPI (connected) and check that it
 * returned expected (SPI_OK_SELECT, SPI_OK_INSERT...); anything else is an
 * internal error naming the statement.  Returns SPI_processed.
 */
extern uint64 ff_spi_execute(const char *sql, int nargs, Oid *argtypes, Datum *values,
							 const char *nulls, bool read_only, long count, int expected);

/* Check the result rc of an SPI call (what) against expected, as ff_spi_execute does. */
extern void ff_spi_check(int rc, int expected, const char *what);

#endif							/* FLAGFORGE_CATALOG_H */
