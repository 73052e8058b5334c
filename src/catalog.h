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

/* flagforge_flags and flagforge_overrides; error if missing. */
extern Oid	ff_flags_relid(void);
extern Oid	ff_overrides_relid(void);

/* flagforge_tenant_tables, the registry of tenant schemas' override tables. */
extern Oid	ff_tenant_tables_relid(void);

/*
 * The two signal relations whose relcache invalidation tells every backend
 * that definitions (or the tenant-table registry) or overrides changed.
 * Invalidating them instead of the tables leaves the tables' relcache
 * entries and every plan that uses the tables alone.
 */
extern Oid	ff_signal_definitions_relid(void);
extern Oid	ff_signal_overrides_relid(void);

/* True when relid is the definitions signal. */
extern bool ff_catalog_is_definitions_signal(Oid relid);

/* flagforge_audit */
extern Oid	ff_audit_relid(void);

/* flagforge_tenant_roles and flagforge_tenant_security (tenant-scoped roles) */
extern Oid	ff_tenant_roles_relid(void);
extern Oid	ff_tenant_security_relid(void);

/* The role that owns the extension (writes the audit trail). */
extern Oid	ff_extension_owner(void);

/* True when relid is one of the tables remembered here. */
extern bool ff_catalog_is_ours(Oid relid);

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
