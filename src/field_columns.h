/*
 * field_columns.h
 *      The field table (src/core/flag_fields.h) in SQL terms: each field's
 *      column type, column lists for the statements that read and write
 *      flags and overrides, and a field's value from a result column.  The
 *      row readers (yaml_rows.c) and the import (yaml_import.c) build their
 *      SQL from these, so a new field needs no new SQL text.
 */
#ifndef FLAGFORGE_FIELD_COLUMNS_H
#define FLAGFORGE_FIELD_COLUMNS_H

#include "postgres.h"

#include "flag_fields.h"

/* The type of the field's column: text, boolean, integer, text[] or jsonb. */
extern Oid	ff_field_column_type(const FFField *field);

/*
 * The columns of the fields in mask (bit i: field i; ~0u for all), each
 * written with format (its one argument, %1$s, the column, which it may
 * use more than once), separated by ", " and each preceded by ", " when
 * leading is true.  palloc'd.
 */
extern char *ff_field_columns(const FFFieldSet *set, const char *format, unsigned mask,
							  bool leading);

/*
 * Set a field of a record from a result column (strings and lists are
 * palloc'd).  SQL NULL is the field's null (an absent environments, -1, an
 * empty list, "").  With every_present (overrides read from the table)
 * the field is marked given even when NULL; else only when not NULL.
 */
extern void ff_field_from_datum(const FFField *field, void *record, Datum value,
								bool isnull, bool every_present);

/*
 * The columns of the set's computed fields (1.1: rules, prerequisites),
 * read by subqueries of the row aliased f (a flag) or o (an override),
 * each preceded by ", ": they follow the column fields (ff_field_columns
 * leaves them out), as they follow them in the field table.
 */
extern char *ff_field_computed_reads(const FFFieldSet *set, bool override);

/* The non-NULL elements of a text[] datum as a list of palloc'd C strings. */
extern FFYamlStringList ff_text_array_list(Datum datum);

#endif							/* FLAGFORGE_FIELD_COLUMNS_H */
