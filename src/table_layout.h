/*
 * table_layout.h
 *      The column layout flagforge relies on in each of its tables, and the
 *      check that a table still has it.
 *
 * Every C path that reads a row of a flagforge table (the cache loader, the
 * triggers, the audit trail) checks the layout first, so a table whose
 * owner changed a column's type or nullability, or a look-alike table a
 * trigger was attached to, gives a clean error instead of a crash.
 */
#ifndef FLAGFORGE_TABLE_LAYOUT_H
#define FLAGFORGE_TABLE_LAYOUT_H

#include "postgres.h"

#include "utils/relcache.h"

/* One column: its name, type, whether it must be NOT NULL, whether it may be absent. */
typedef struct FFColumnLayout
{
	const char *name;
	Oid			type;
	bool		not_null;
	bool		optional;
} FFColumnLayout;

/* The columns of one kind of table (no other column is allowed). */
typedef struct FFTableLayout
{
	const char *kind;			/* for messages: "flag definitions table", ... */
	const FFColumnLayout *columns;
	int			ncolumns;
} FFTableLayout;

extern const FFTableLayout ff_flags_layout;
extern const FFTableLayout ff_overrides_layout;		/* flagforge_overrides */
extern const FFTableLayout ff_tenant_table_layout;	/* a tenant schema's table */
extern const FFTableLayout ff_registry_layout;	/* flagforge_tenant_tables */
extern const FFTableLayout ff_segments_layout;	/* targeting: flagforge_segments */
extern const FFTableLayout ff_rules_layout; /* flagforge_rules */
extern const FFTableLayout ff_prerequisites_layout;	/* flagforge_prerequisites */

/*
 * Error (ERRCODE_INVALID_TABLE_DEFINITION)
 * unless rel has exactly layout's columns with their types and NOT NULLs.
 */
extern void ff_check_layout(Relation rel, const FFTableLayout *layout);

#endif							/* FLAGFORGE_TABLE_LAYOUT_H */
