/*
 * yaml_targeting.h
 *      The 1.1 targeting of the flag file in SQL: the JSON-shaped fields
 *      (variants, rules, prerequisites, segments) read from their tables as
 *      the canonical JSON text the reader's values are brought to, and
 *      written back.  Rules and prerequisites are "computed" fields (not
 *      columns of flagforge_flags / flagforge_overrides): read with a
 *      subquery per row, replaced as a whole when they differ.  SPI must be
 *      connected.
 */
#ifndef FLAGFORGE_YAML_TARGETING_H
#define FLAGFORGE_YAML_TARGETING_H

#include "postgres.h"

#include "flag_fields.h"

/*
 * The jsonb expression that reads a computed field of the row aliased f
 * (a flag) or o (an override): its rules or prerequisites, in the canonical
 * form (defaults left out, in position or parent order).
 */
extern char *ff_targeting_read_expr(const FFField *field, bool override);

/*
 * A document's JSON field value (server encoding) in the canonical form the
 * stored rows are read in, palloc'd; what names the flag (or tenant) and
 * line for the error context of a value the server refuses.
 */
extern char *ff_targeting_canonical(const FFField *field, const char *json, const char *what);

/*
 * Replace the rules (tenant_id NULL: the flag's) or the prerequisites of a
 * flag by json (canonical); with json NULL only delete them.
 */
extern void ff_targeting_replace(const FFField *field, const char *flag_key,
								 const char *tenant_id, const char *json, const char *what);

/* The stored segments as canonical JSON text ({"id": {name, constraints}}), palloc'd. */
extern char *ff_targeting_read_segments(void);

/* Insert or update the document's segments (JSON text, server encoding). */
extern void ff_targeting_write_segments(const char *json);

#endif							/* FLAGFORGE_YAML_TARGETING_H */
