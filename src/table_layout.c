/*
 * table_layout.c
 *      The layouts of flagforge's tables and the check (see table_layout.h).
 *
 * The check compares by column name, type OID and attnotnull, ignoring
 * dropped columns, and refuses any column it does not know: the audit
 * trail turns whole rows into jsonb, and a column of a type someone else
 * defined would run that someone's output function.
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "table_layout.h"

static const FFColumnLayout flags_columns[] = {
	{"key", TEXTOID, true, false},
	{"name", TEXTOID, true, false},
	{"description", TEXTOID, true, false},
	{"default_enabled", BOOLOID, true, false},
	{"is_public", BOOLOID, true, false},
	{"rollout_percentage", INT4OID, true, false},
	{"deprecated", BOOLOID, true, false},
	{"environments", TEXTARRAYOID, false, false},
	{"created_at", TIMESTAMPTZOID, true, false},
	{"updated_at", TIMESTAMPTZOID, true, false},
	/* 1.1: optional, so that a 1.0 table still loads before ALTER EXTENSION UPDATE */
	{"kill_switch", BOOLOID, true, true},
	{"variants", JSONBOID, true, true},
};

/* Overrides; tenant_id is optional only in a tenant schema's table. */
#define OVERRIDE_COLUMNS(tenant_optional) \
	{"tenant_id", TEXTOID, true, tenant_optional}, \
	{"flag_key", TEXTOID, true, false}, \
	{"enabled", BOOLOID, false, false}, \
	{"rollout_percentage", INT4OID, false, false}, \
	{"enabled_for_users", TEXTARRAYOID, true, false}, \
	{"enabled_for_groups", TEXTARRAYOID, true, false}, \
	{"updated_at", TIMESTAMPTZOID, true, false}, \
	{"updated_by", TEXTOID, false, false}

static const FFColumnLayout overrides_columns[] = {OVERRIDE_COLUMNS(false)};
static const FFColumnLayout tenant_table_columns[] = {OVERRIDE_COLUMNS(true)};

static const FFColumnLayout registry_columns[] = {
	{"table_oid", REGCLASSOID, true, false},
	{"has_tenant_id", BOOLOID, true, false},
	{"registered_at", TIMESTAMPTZOID, true, false},
};

static const FFColumnLayout segments_columns[] = {
	{"id", INT4OID, true, false},
	{"name", TEXTOID, true, false},
	{"constraints", JSONBOID, true, false},
	{"updated_at", TIMESTAMPTZOID, true, false},
};

static const FFColumnLayout rules_columns[] = {
	{"flag_key", TEXTOID, true, false},
	{"tenant_id", TEXTOID, false, false},
	{"position", INT4OID, true, false},
	{"strategy", TEXTOID, true, false},
	{"parameters", JSONBOID, true, false},
	{"constraints", JSONBOID, true, false},
	{"segments", INT4ARRAYOID, true, false},
	{"variants", JSONBOID, true, false},
	{"updated_at", TIMESTAMPTZOID, true, false},
};

static const FFColumnLayout prerequisites_columns[] = {
	{"flag_key", TEXTOID, true, false},
	{"parent_key", TEXTOID, true, false},
	{"enabled", BOOLOID, true, false},
	{"variants", TEXTARRAYOID, true, false},
	{"updated_at", TIMESTAMPTZOID, true, false},
};

const FFTableLayout ff_segments_layout = {"segments table", segments_columns, lengthof(segments_columns)};
const FFTableLayout ff_rules_layout = {"rules table", rules_columns, lengthof(rules_columns)};
const FFTableLayout ff_prerequisites_layout = {"prerequisites table", prerequisites_columns, lengthof(prerequisites_columns)};
const FFTableLayout ff_flags_layout = {"flag definitions table", flags_columns, lengthof(flags_columns)};
const FFTableLayout ff_overrides_layout = {"overrides table", overrides_columns, lengthof(overrides_columns)};
const FFTableLayout ff_tenant_table_layout = {"tenant overrides table", tenant_table_columns, lengthof(tenant_table_columns)};
const FFTableLayout ff_registry_layout = {"tenant table registry", registry_columns, lengthof(registry_columns)};

/* The expected column called name, or NULL. */
static const FFColumnLayout *
expected_column(const FFTableLayout *layout, const char *name)
{
	for (int i = 0; i < layout->ncolumns; i++)
		if (strcmp(layout->columns[i].name, name) == 0)
			return &layout->columns[i];
	return NULL;
}

/* Report that rel's layout is not the one flagforge created. */
static void
report_layout(Relation rel, const FFTableLayout *layout, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
			 errmsg("table \"%s\" does not have the layout of a flagforge %s",
					RelationGetRelationName(rel), layout->kind),
			 errdetail_internal("%s", detail),
			 errhint("flagforge reads only tables with the columns it created; restore the column or reinstall the extension.")));
}

/* Error unless rel has exactly the columns of layout (see table_layout.h). */
void
ff_check_layout(Relation rel, const FFTableLayout *layout)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			found_required = 0;
	int			required = 0;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const FFColumnLayout *column;

		if (att->attisdropped)
			continue;
		column = expected_column(layout, NameStr(att->attname));
		if (column == NULL)
			report_layout(rel, layout, psprintf("Column \"%s\" is not one of flagforge's.",
												NameStr(att->attname)));
		if (att->atttypid != column->type)
			report_layout(rel, layout, psprintf("Column \"%s\" has type %s, not %s.",
												column->name, format_type_be(att->atttypid),
												format_type_be(column->type)));
		if (column->not_null && !att->attnotnull)
			report_layout(rel, layout, psprintf("Column \"%s\" lost its NOT NULL constraint.",
												column->name));
		found_required += column->optional ? 0 : 1;
	}
	for (int i = 0; i < layout->ncolumns; i++)
		required += layout->columns[i].optional ? 0 : 1;
	if (found_required < required)
		report_layout(rel, layout, "A column flagforge needs is missing.");
}
