/*
 * change_subject.c
 *      The flag and tenant a changed row is about.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "change_subject.h"

/* A text column of a row as a C string, or NULL (no row, no column, NULL). */
static char *
column_text(Relation rel, HeapTuple row, const char *column)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			attnum = SPI_fnumber(desc, column);
	bool		isnull;
	Datum		value;

	if (row == NULL || attnum <= 0)
		return NULL;
	value = heap_getattr(row, attnum, desc, &isnull);
	return isnull ? NULL : TextDatumGetCString(value);
}

/* The flag and tenant of a changed row (see change_subject.h). */
void
ff_change_subject(Relation rel, HeapTuple row, char **flag_key, char **tenant_id)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		has_flag_key = SPI_fnumber(desc, "flag_key") > 0;
	bool		has_tenant_id = SPI_fnumber(desc, "tenant_id") > 0;

	*flag_key = has_flag_key ? column_text(rel, row, "flag_key") : column_text(rel, row, "key");
	if (has_tenant_id)
		*tenant_id = column_text(rel, row, "tenant_id");
	else if (has_flag_key)
		*tenant_id = get_namespace_name(RelationGetNamespace(rel)); /* a tenant schema */
	else
		*tenant_id = NULL;		/* a definition */
}

/* The operation of a trigger event: INSERT, UPDATE, DELETE or TRUNCATE. */
const char *
ff_change_operation(TriggerEvent event)
{
	if (TRIGGER_FIRED_BY_INSERT(event))
		return "INSERT";
	if (TRIGGER_FIRED_BY_UPDATE(event))
		return "UPDATE";
	if (TRIGGER_FIRED_BY_DELETE(event))
		return "DELETE";
	return "TRUNCATE";
}
