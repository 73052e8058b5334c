/*
 * yaml_rows.h
 *      The stored flag and override rows as the YAML reader's structs, so
 *      that import can compare them with a document and export can write
 *      them.  Read through SPI (connected by the caller), in byte order of
 *      their keys (the key columns are COLLATE "C").
 */
#ifndef FLAGFORGE_YAML_ROWS_H
#define FLAGFORGE_YAML_ROWS_H

#include "postgres.h"

#include "yaml_parse.h"

/* Every row of flags_table, by key; strings are palloc'd. */
extern FFYamlFlag *ff_read_flag_rows(const char *flags_table, int *count);

/*
 * The rows of overrides_table (with tenant_id), by tenant and flag; only
 * the tenants in the text[] tenants when it is not (Datum) 0.  Every field
 * is marked present.
 */
extern FFYamlOverride *ff_read_override_rows(const char *overrides_table, Datum tenants,
											 int *count);

#endif							/* FLAGFORGE_YAML_ROWS_H */
