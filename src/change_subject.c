/*
 * change_subject.c
 *      What a row change of a flagforge table is: which table (checked to be
 *      one of flagforge's own before a trigger does anything) and the flag
 *      and tenant the row is about.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "cache_load.h"
#include "catalog.h"
#include "change_subject.h"
#include "table_layout.h"

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

/* Refuse a trigger call that is not one of flagforge's own (see change_subject.h). */
static void
refuse_trigger(const char *function, Relation rel, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("%s() refuses to run on table \"%s\": %s",
					function, RelationGetRelationName(rel), why),
			 errhint("flagforge's trigger functions run only as the triggers flagforge itself creates on its tables.")));
}

/* True when the trigger event is one of firings. */
static bool
firing_allowed(TriggerEvent event, int firings)
{
	if (TRIGGER_FIRED_BY_TRUNCATE(event))
		return (firings & FF_FIRE_TRUNCATE) && TRIGGER_FIRED_AFTER(event) &&
			TRIGGER_FIRED_FOR_STATEMENT(event);
	if (!TRIGGER_FIRED_FOR_ROW(event))
		return false;
	if (TRIGGER_FIRED_BEFORE(event))
		return (firings & FF_FIRE_BEFORE_ROW) != 0;
	if (TRIGGER_FIRED_AFTER(event))
		return (firings & FF_FIRE_AFTER_ROW) != 0;
	return false;				/* INSTEAD OF */
}

/* The kind of flagforge table relid is, or false when it is none. */
static bool
own_table_kind(Oid relid, FFTriggerTable *table)
{
	if (relid == ff_flags_relid())
		*table = FF_TABLE_FLAGS;
	else if (relid == ff_overrides_relid())
		*table = FF_TABLE_OVERRIDES;
	else if (relid == ff_tenant_tables_relid())
		*table = FF_TABLE_REGISTRY;
	else if (ff_is_registered_tenant_table(relid))
		*table = FF_TABLE_TENANT;
	else
		return false;
	return true;
}

/* The layout a kind of table must have. */
static const FFTableLayout *
layout_of(FFTriggerTable table)
{
	switch (table)
	{
		case FF_TABLE_FLAGS:
			return &ff_flags_layout;
		case FF_TABLE_OVERRIDES:
			return &ff_overrides_layout;
		case FF_TABLE_TENANT:
			return &ff_tenant_table_layout;
		case FF_TABLE_REGISTRY:
			return &ff_registry_layout;
	}
	return NULL;				/* keep the compiler quiet */
}

/* The checked trigger data of a flagforge trigger function (see change_subject.h). */
TriggerData *
ff_trigger_on_own_table(FunctionCallInfo fcinfo, const char *function, int firings,
						bool registry_ok, FFTriggerTable *table)
{
	TriggerData *trigger;
	Relation	rel;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as a trigger", function)));
	trigger = (TriggerData *) fcinfo->context;
	rel = trigger->tg_relation;
	if (!firing_allowed(trigger->tg_event, firings) || trigger->tg_trigger->tgnargs != 0)
		refuse_trigger(function, rel, "it was not created to fire this way");
	/*
	 * The extension's tables are its owner's; a registered tenant table is
	 * too once ALTER EXTENSION ... UPDATE has run (a 1.0 one may still
	 * belong to its creator, who could register it only with INSERT on the
	 * registry, an administrator's right).
	 */
	if (!own_table_kind(RelationGetRelid(rel), table) ||
		(*table != FF_TABLE_TENANT && rel->rd_rel->relowner != ff_extension_owner()) ||
		(*table == FF_TABLE_REGISTRY && !registry_ok))
		refuse_trigger(function, rel, "it is not one of flagforge's tables");
	ff_check_layout(rel, layout_of(*table));
	return trigger;
}
