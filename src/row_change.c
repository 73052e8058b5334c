/*
 * row_change.c
 *      What a row change of a flagforge table sets off: the check that a
 *      trigger fired on one of flagforge's own tables, the cache signal and
 *      updated_at, the NOTIFY, and the audit trail (its row, its guard, its
 *      pruning and the record of dropped tenant tables).
 *
 * Every trigger function first checks that it fired on one of flagforge's
 * own tables with the layout flagforge created (trigger_on_own_table),
 * so the jsonb of a row only ever runs built-in output functions under the
 * owner's rights, and no other table can flush every cache or write the
 * trail.
 *
 * flagforge_row_changed() keeps updated_at current and raises a relcache
 * invalidation of a signal relation (signal_change), which is what tells
 * every backend's cache (cache.c) that flags changed: at once in this
 * transaction, at commit in other sessions, on standbys when the commit
 * record is replayed.  It is a BEFORE ROW trigger (no after-trigger queue
 * on bulk loads) plus a TRUNCATE statement trigger, and is enabled ALWAYS
 * so that logical replication's apply worker, which fires only row
 * triggers, keeps subscribers' caches fresh too.
 *
 * flagforge_notify_change(), an AFTER trigger (so that an INSERT turned
 * into an UPDATE by ON CONFLICT is reported once, as what happened), queues
 * NOTIFY flagforge_changed with {"flag_key", "tenant_id", "operation"},
 * which PostgreSQL delivers at commit only (never for a rolled-back
 * change), so application-side caches can drop what changed.
 *
 * flagforge_audit_row() records every INSERT, UPDATE, DELETE and TRUNCATE
 * of the definitions, the overrides and the tenant tables in the same
 * transaction (so a rollback leaves no row), whether it came from a
 * function or plain SQL.  The row is written with the extension owner's
 * rights, the way a SECURITY DEFINER function would be, so that writers
 * need no privilege on the audit table and only administrators can read
 * it; but the actor recorded is the role that made the change (current_user
 * before the switch), plus the application's flagforge.actor when set.  The
 * insert is a prepared plan per audited table, with every name qualified.
 *
 * The trail is append-only: a guard trigger (flagforge_audit_guard) refuses
 * UPDATE, DELETE and TRUNCATE of flagforge_audit, and INSERTs that do not
 * come from flagforge (but for a superuser's restore); the only way to
 * remove rows is flagforge_prune_audit(), which records itself.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "cache_load.h"
#include "catalog.h"
#include "citus.h"
#include "settings.h"
#include "table_layout.h"

PG_FUNCTION_INFO_V1(flagforge_row_changed);
PG_FUNCTION_INFO_V1(flagforge_notify_change);
PG_FUNCTION_INFO_V1(flagforge_audit_row);
PG_FUNCTION_INFO_V1(flagforge_audit_guard);
PG_FUNCTION_INFO_V1(flagforge_prune_audit);
PG_FUNCTION_INFO_V1(flagforge_forget_dropped_tables);

/* The flagforge table a trigger fired on. */
typedef enum FFTriggerTable
{
	FF_TABLE_FLAGS,				/* flagforge_flags */
	FF_TABLE_OVERRIDES,			/* flagforge_overrides */
	FF_TABLE_TENANT,			/* a registered tenant schema's table */
	FF_TABLE_REGISTRY,			/* flagforge_tenant_tables */
	FF_TABLE_SEGMENTS,			/* flagforge_segments */
	FF_TABLE_RULES,				/* flagforge_rules */
	FF_TABLE_PREREQUISITES		/* flagforge_prerequisites */
} FFTriggerTable;

/* Where the tenant a row is about comes from. */
typedef enum FFTenantFrom
{
	FF_TENANT_NONE,				/* no tenant (definitions and their parts) */
	FF_TENANT_COLUMN,			/* tenant_id */
	FF_TENANT_COLUMN_OR_SCHEMA	/* tenant_id if the table has it, else the schema's name */
} FFTenantFrom;

/* What each kind of table is: its layout, what its rows are about, what a change reloads. */
static const struct
{
	const FFTableLayout *layout;
	const char *flag_column;	/* the flag a row is about, or NULL */
	FFTenantFrom tenant;
	bool		definitions;	/* a change reloads definitions (else only tenants) */
}			table_kinds[] =
{
	[FF_TABLE_FLAGS] = {&ff_flags_layout, "key", FF_TENANT_NONE, true},
	[FF_TABLE_OVERRIDES] = {&ff_overrides_layout, "flag_key", FF_TENANT_COLUMN, false},
	[FF_TABLE_TENANT] = {&ff_tenant_table_layout, "flag_key", FF_TENANT_COLUMN_OR_SCHEMA, false},
	[FF_TABLE_REGISTRY] = {&ff_registry_layout, NULL, FF_TENANT_NONE, true},
	[FF_TABLE_SEGMENTS] = {&ff_segments_layout, NULL, FF_TENANT_NONE, true},
	[FF_TABLE_RULES] = {&ff_rules_layout, "flag_key", FF_TENANT_COLUMN, true},
	[FF_TABLE_PREREQUISITES] = {&ff_prerequisites_layout, "flag_key", FF_TENANT_NONE, true},
};

/* The firings a trigger function accepts (trigger_on_own_table). */
#define FF_FIRE_BEFORE_ROW	0x01	/* BEFORE INSERT/UPDATE/DELETE FOR EACH ROW */
#define FF_FIRE_AFTER_ROW	0x02	/* AFTER INSERT/UPDATE/DELETE FOR EACH ROW */
#define FF_FIRE_TRUNCATE	0x04	/* AFTER TRUNCATE FOR EACH STATEMENT */


/* Where a row change came from and what it was about. */

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

/*
 * The flag key and the tenant a row of a kind of table is about (see
 * table_kinds), as palloc'd strings; NULL when the row (NULL for TRUNCATE)
 * has none.
 */
static void
change_subject(Relation rel, FFTriggerTable table, HeapTuple row, char **flag_key,
			   char **tenant_id)
{
	const char *flag_column = table_kinds[table].flag_column;

	*flag_key = flag_column ? column_text(rel, row, flag_column) : NULL;
	switch (table_kinds[table].tenant)
	{
		case FF_TENANT_NONE:
			*tenant_id = NULL;
			break;
		case FF_TENANT_COLUMN:
			*tenant_id = column_text(rel, row, "tenant_id");
			break;
		case FF_TENANT_COLUMN_OR_SCHEMA:
			*tenant_id = SPI_fnumber(RelationGetDescr(rel), "tenant_id") > 0 ?
				column_text(rel, row, "tenant_id") :
				get_namespace_name(RelationGetNamespace(rel));
			break;
	}
}

/* The operation of a trigger event: INSERT, UPDATE, DELETE or TRUNCATE. */
static const char *
change_operation(TriggerEvent event)
{
	if (TRIGGER_FIRED_BY_INSERT(event))
		return "INSERT";
	if (TRIGGER_FIRED_BY_UPDATE(event))
		return "UPDATE";
	if (TRIGGER_FIRED_BY_DELETE(event))
		return "DELETE";
	return "TRUNCATE";
}

/* Refuse a trigger call that is not one of flagforge's own. */
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
	static const struct
	{
		FFRel		rel;
		FFTriggerTable table;
	}			own[] =
	{
		{FF_REL_FLAGS, FF_TABLE_FLAGS},
		{FF_REL_OVERRIDES, FF_TABLE_OVERRIDES},
		{FF_REL_TENANT_TABLES, FF_TABLE_REGISTRY},
		{FF_REL_SEGMENTS, FF_TABLE_SEGMENTS},
		{FF_REL_RULES, FF_TABLE_RULES},
		{FF_REL_PREREQUISITES, FF_TABLE_PREREQUISITES},
	};

	/* The table itself, or its Citus placement on this node (citus.c checks it). */
	for (size_t i = 0; i < lengthof(own); i++)
		if (relid == ff_relid_if_exists(own[i].rel) || relid == ff_read_relid_if_exists(own[i].rel))
		{
			*table = own[i].table;
			return true;
		}
	if (!ff_is_registered_tenant_table(relid))
		return false;
	*table = FF_TABLE_TENANT;
	return true;
}

/*
 * The trigger data of a flagforge trigger function, after checking that it
 * fired as one of firings, with no arguments, on one of flagforge's own
 * tables (owned by the extension's owner, with the layout flagforge
 * created; the registry only when registry_ok).  Anything else is refused
 * with an error: attached to another table, these functions would write
 * the audit trail, flush every cache or read columns of unknown types.
 */
static TriggerData *
trigger_on_own_table(FunctionCallInfo fcinfo, const char *function, int firings,
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
	ff_check_layout(rel, table_kinds[*table].layout);
	return trigger;
}


/* The cache signal, updated_at and NOTIFY. */

/* The channel applications LISTEN on. */
#define FF_NOTIFY_CHANNEL "flagforge_changed"
/* Payloads must stay under PostgreSQL's limit of 8000 bytes. */
#define FF_NOTIFY_PAYLOAD_MAX 7900


/* Invalidate the bucket signals of the tenant and the flag a row is about. */
static void
signal_row_buckets(Relation rel, HeapTuple row, const Oid *buckets)
{
	char	   *flag_key;
	char	   *tenant_id;

	change_subject(rel, FF_TABLE_OVERRIDES, row, &flag_key, &tenant_id);
	if (flag_key != NULL)
		CacheInvalidateRelcacheByRelid(buckets[ff_signal_bucket(flag_key, strlen(flag_key))]);
	if (tenant_id != NULL)
		CacheInvalidateRelcacheByRelid(buckets[ff_signal_bucket(tenant_id, strlen(tenant_id))]);
}

/*
 * Tell every backend's cache what changed, through the relcache
 * invalidation of a signal relation (see catalog.h): definitions (with
 * their targeting) and the tenant-table registry need a full reload.  A
 * row of flagforge_overrides signals the buckets of its tenant and its
 * flag (both rows of an UPDATE), so that other backends drop only those
 * tenants and flag maps; a TRUNCATE, a tenant table's row, or an
 * extension not yet updated (no bucket relations) signals every override.
 */
static void
signal_change(TriggerData *trigger, FFTriggerTable table)
{
	const Oid  *buckets;

	if (table_kinds[table].definitions)
	{
		CacheInvalidateRelcacheByRelid(ff_signal_definitions_relid());
		return;
	}
	if (table == FF_TABLE_OVERRIDES && TRIGGER_FIRED_FOR_ROW(trigger->tg_event) &&
		(buckets = ff_signal_bucket_relids()) != NULL)
	{
		signal_row_buckets(trigger->tg_relation, trigger->tg_trigtuple, buckets);
		if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event))
			signal_row_buckets(trigger->tg_relation, trigger->tg_newtuple, buckets);
		return;
	}
	CacheInvalidateRelcacheByRelid(ff_signal_overrides_relid());
}

/*
 * The new row with updated_at (a timestamptz column of every table but the
 * registry, checked by trigger_on_own_table) set to the transaction's
 * timestamp.
 */
static HeapTuple
touch_updated_at(TriggerData *trigger, HeapTuple row)
{
	TupleDesc	desc = RelationGetDescr(trigger->tg_relation);
	int			column = SPI_fnumber(desc, "updated_at");
	Datum		value = TimestampTzGetDatum(ff_citus_change_timestamp());
	bool		isnull = false;

	if (column <= 0)
		return row;
	return heap_modify_tuple_by_cols(row, desc, 1, &column, &value, &isnull);
}


/* Append "name": string-or-null. */
static void
json_field(StringInfo buf, const char *name, const char *value)
{
	appendStringInfo(buf, "%s\"%s\": ", buf->len > 1 ? ", " : "", name);
	if (value)
		escape_json(buf, value);
	else
		appendStringInfoString(buf, "null");
}


/* Queue NOTIFY flagforge_changed for this change (sent at commit). */
static void
notify_change(TriggerData *trigger, FFTriggerTable table, HeapTuple row)
{
	Relation	rel = trigger->tg_relation;
	char	   *flag_key;
	char	   *tenant_id;
	StringInfoData payload;

	change_subject(rel, table, row, &flag_key, &tenant_id);

	initStringInfo(&payload);
	appendStringInfoChar(&payload, '{');
	json_field(&payload, "flag_key", flag_key);
	json_field(&payload, "tenant_id", tenant_id);
	json_field(&payload, "operation", change_operation(trigger->tg_event));
	appendStringInfoChar(&payload, '}');
	if (payload.len > FF_NOTIFY_PAYLOAD_MAX)
	{
		/* Huge keys: say what changed without them. */
		resetStringInfo(&payload);
		appendStringInfo(&payload, "{\"flag_key\": null, \"tenant_id\": null, \"operation\": \"%s\", \"truncated\": true}",
						 change_operation(trigger->tg_event));
	}
	Async_Notify(FF_NOTIFY_CHANNEL, payload.data);
}

/*
 * flagforge_row_changed(): invalidate caches; on UPDATE also set updated_at
 * (except when applying logical replication, which carries the publisher's).
 */
Datum
flagforge_row_changed(PG_FUNCTION_ARGS)
{
	FFTriggerTable table;
	TriggerData *trigger = trigger_on_own_table(fcinfo, "flagforge_row_changed",
												   FF_FIRE_BEFORE_ROW | FF_FIRE_TRUNCATE,
												   true, &table);

	signal_change(trigger, table);

	if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event))
	{
		if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
			return PointerGetDatum(trigger->tg_newtuple);
		return PointerGetDatum(touch_updated_at(trigger, trigger->tg_newtuple));
	}
	return PointerGetDatum(trigger->tg_trigtuple);
}

/*
 * flagforge_notify_change(): AFTER ROW and AFTER TRUNCATE trigger that
 * queues NOTIFY flagforge_changed (sent at commit).
 */
Datum
flagforge_notify_change(PG_FUNCTION_ARGS)
{
	FFTriggerTable table;
	TriggerData *trigger = trigger_on_own_table(fcinfo, "flagforge_notify_change",
												   FF_FIRE_AFTER_ROW | FF_FIRE_TRUNCATE,
												   false, &table);

	if (ff_citus_change_told_elsewhere(RelationGetRelid(trigger->tg_relation)))
		return PointerGetDatum(NULL);	/* the node that started it notifies */
	if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
		notify_change(trigger, table, NULL);
	else
		notify_change(trigger, table, TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ?
					  trigger->tg_newtuple : trigger->tg_trigtuple);
	return PointerGetDatum(NULL);
}


/* The audit trail. */

/*
 * True while flagforge itself writes or prunes the trail: the guard trigger
 * on flagforge_audit lets only these changes through.
 */
static bool audit_writing = false;

/* The prepared INSERT for one row type. */
typedef struct AuditPlan
{
	Oid			row_type;
	Oid			audit_relid;	/* the audit table it was prepared for */
	SPIPlanPtr	plan;
} AuditPlan;

static AuditPlan *audit_plans = NULL;
static int	naudit_plans = 0;

/* The prepared INSERT for rows of row_type (SPI connected). */
static SPIPlanPtr
audit_plan_for(Oid row_type)
{
	Oid			audit_relid = ff_audit_relid();
	Oid			argtypes[8] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	row_type, row_type};
	char	   *sql;
	SPIPlanPtr	plan;

	for (int i = 0; i < naudit_plans; i++)
		if (audit_plans[i].row_type == row_type && audit_plans[i].audit_relid == audit_relid)
			return audit_plans[i].plan;

	sql = psprintf("INSERT INTO %s (actor, app_actor, action, table_name, flag_key, tenant_id,"
				   " old_row, new_row) VALUES ($1, $2, $3, $4, $5, $6,"
				   " pg_catalog.to_jsonb($7), pg_catalog.to_jsonb($8))",
				   ff_qualified_table_name(audit_relid));
	plan = SPI_prepare(sql, 8, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", sql);
	SPI_keepplan(plan);
	audit_plans = audit_plans == NULL ?
		MemoryContextAlloc(TopMemoryContext, sizeof(AuditPlan)) :
		repalloc(audit_plans, sizeof(AuditPlan) * (naudit_plans + 1));
	audit_plans[naudit_plans].row_type = row_type;
	audit_plans[naudit_plans].audit_relid = audit_relid;
	audit_plans[naudit_plans].plan = plan;
	naudit_plans++;
	return plan;
}

/* Run SPI statement(s) through fn as the extension owner, with the guard open. */
static void
as_owner_writing_trail(void (*fn) (void *), void *arg)
{
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(ff_extension_owner(),
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	audit_writing = true;
	PG_TRY();
	{
		SPI_connect();
		fn(arg);
		SPI_finish();
	}
	PG_FINALLY();
	{
		audit_writing = false;
	}
	PG_END_TRY();
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/* An audit row about to be written: its values and the plan for its row type. */
typedef struct AuditRow
{
	Oid			row_type;
	Datum		values[8];
	char		nulls[8];
} AuditRow;

/* Insert one audit row (SPI connected, as the owner). */
static void
insert_audit_row(void *arg)
{
	AuditRow   *row = arg;

	ff_spi_check(SPI_execute_plan(audit_plan_for(row->row_type), row->values, row->nulls, false, 0),
				 SPI_OK_INSERT, "INSERT INTO flagforge_audit");
}

/* Fill the fields every audit row has: who, the operation and the table. */
static void
audit_row_header(AuditRow *row, const char *action, Oid relid)
{
	memset(row->nulls, ' ', sizeof(row->nulls));
	row->values[0] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	if (ff_setting_actor && ff_setting_actor[0])
		row->values[1] = CStringGetTextDatum(ff_setting_actor);
	else
		row->nulls[1] = 'n';
	row->values[2] = CStringGetTextDatum(action);
	row->values[3] = CStringGetTextDatum(ff_qualified_table_name(ff_catalog_table_of(relid)));
}

/* Set a text field of an audit row, NULL for a NULL string. */
static void
audit_row_text(AuditRow *row, int field, const char *value)
{
	row->values[field] = value ? CStringGetTextDatum(value) : (Datum) 0;
	row->nulls[field] = value ? ' ' : 'n';
}

/*
 * flagforge_audit_row(): AFTER ROW (and AFTER TRUNCATE) trigger.  The
 * tenant of a tenant schema's table (no tenant_id column) is the schema's
 * current name.
 */
Datum
flagforge_audit_row(PG_FUNCTION_ARGS)
{
	FFTriggerTable table;
	TriggerData *trigger = trigger_on_own_table(fcinfo, "flagforge_audit_row",
												   FF_FIRE_AFTER_ROW | FF_FIRE_TRUNCATE,
												   false, &table);
	Relation	rel = trigger->tg_relation;
	HeapTuple	old_row = NULL;
	HeapTuple	new_row = NULL;
	char	   *flag_key;
	char	   *tenant_id;
	AuditRow	row;

	if (ff_citus_change_told_elsewhere(RelationGetRelid(trigger->tg_relation)))
		return PointerGetDatum(NULL);	/* the node that started it records it */
	if (TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
	{
		if (!TRIGGER_FIRED_BY_INSERT(trigger->tg_event))
			old_row = trigger->tg_trigtuple;
		if (TRIGGER_FIRED_BY_INSERT(trigger->tg_event))
			new_row = trigger->tg_trigtuple;
		else if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event))
			new_row = trigger->tg_newtuple;
	}

	audit_row_header(&row, change_operation(trigger->tg_event), RelationGetRelid(rel));
	change_subject(rel, table, new_row ? new_row : old_row, &flag_key, &tenant_id);
	audit_row_text(&row, 4, flag_key);
	audit_row_text(&row, 5, tenant_id);
	row.values[6] = old_row ? heap_copy_tuple_as_datum(old_row, RelationGetDescr(rel)) : (Datum) 0;
	row.nulls[6] = old_row ? ' ' : 'n';
	row.values[7] = new_row ? heap_copy_tuple_as_datum(new_row, RelationGetDescr(rel)) : (Datum) 0;
	row.nulls[7] = new_row ? ' ' : 'n';
	row.row_type = rel->rd_rel->reltype;

	as_owner_writing_trail(insert_audit_row, &row);
	return PointerGetDatum(NULL);
}

/*
 * flagforge_audit_guard(): BEFORE ROW and BEFORE TRUNCATE trigger of
 * flagforge_audit that keeps the trail append-only (see the file header).
 */
Datum
flagforge_audit_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigger;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("flagforge_audit_guard() must be called as a trigger")));
	trigger = (TriggerData *) fcinfo->context;
	if (RelationGetRelid(trigger->tg_relation) != ff_audit_relid())
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("flagforge_audit_guard() refuses to run on table \"%s\": it guards flagforge_audit only",
						RelationGetRelationName(trigger->tg_relation))));
	if (audit_writing ||
		(TRIGGER_FIRED_BY_INSERT(trigger->tg_event) && superuser()))
		return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ?
							   trigger->tg_newtuple : trigger->tg_trigtuple);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("flagforge_audit is append-only: %s is not allowed",
					change_operation(trigger->tg_event)),
			 errdetail("Rows are written only by flagforge's audit trigger."),
			 errhint("Remove old rows with flagforge_prune_audit(older_than), which is recorded in the trail.")));
	PG_RETURN_NULL();			/* not reached */
}

/* What a prune deletes, who asked, and how many it deleted. */
typedef struct AuditPrune
{
	Datum		older_than;
	AuditRow	record;			/* header of its PRUNE row, filled as the caller */
	uint64		deleted;
} AuditPrune;

/* Delete the rows older than the interval and record the prune (SPI connected, as the owner). */
static void
delete_and_record(void *arg)
{
	AuditPrune *prune = arg;
	Oid			audit = ff_audit_relid();
	Oid			argtypes[1] = {INTERVALOID};
	Datum		values[1] = {prune->older_than};
	AuditRow   *row = &prune->record;
	Oid			types[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INTERVALOID, INT8OID};
	Datum		args[6];
	char	   *sql;

	sql = psprintf("DELETE FROM %s a WHERE a.changed_at OPERATOR(pg_catalog.<)"
				   " (pg_catalog.now() OPERATOR(pg_catalog.-) $1)",
				   ff_qualified_table_name(audit));
	(void) ff_spi_execute(sql, 1, argtypes, values, NULL, false, 0, SPI_OK_DELETE);
	prune->deleted = SPI_processed;

	memcpy(args, row->values, sizeof(Datum) * 4);
	args[4] = prune->older_than;
	args[5] = Int64GetDatum((int64) prune->deleted);
	sql = psprintf("INSERT INTO %s (actor, app_actor, action, table_name, new_row)"
				   " VALUES ($1, $2, $3, $4, pg_catalog.jsonb_build_object("
				   "'older_than', $5::pg_catalog.text, 'deleted', $6))",
				   ff_qualified_table_name(audit));
	(void) ff_spi_execute(sql, 6, types, args, row->nulls, false, 0, SPI_OK_INSERT);
}

/*
 * flagforge_prune_audit(older_than interval) RETURNS bigint: delete the
 * audit rows older than the interval, as the extension owner, and record
 * the prune itself in the trail (action PRUNE, who, the interval, how many).
 */
Datum
flagforge_prune_audit(PG_FUNCTION_ARGS)
{
	AuditPrune	prune;
	Interval   *older_than;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("older_than must not be NULL"),
				 errhint("Pass how old the rows to delete are, e.g. interval '90 days'.")));
	older_than = PG_GETARG_INTERVAL_P(0);
	if (older_than->month < 0 || older_than->day < 0 || older_than->time < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("older_than must not be negative"),
				 errhint("Pass how old the rows to delete are, e.g. interval '90 days'.")));
	prune.older_than = PG_GETARG_DATUM(0);
	prune.deleted = 0;
	audit_row_header(&prune.record, "PRUNE", ff_audit_relid());
	as_owner_writing_trail(delete_and_record, &prune);
	PG_RETURN_INT64((int64) prune.deleted);
}

/* Who dropped tenant tables: the role whose rights did it, and the application's actor. */
typedef struct AuditDrop
{
	Datum		actor;
	Datum		app_actor;
	bool		has_app_actor;
} AuditDrop;

/* Forget dropped registered tables and record each drop (SPI connected, as the owner). */
static void
forget_and_record(void *arg)
{
	AuditDrop  *drop = arg;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {drop->actor, drop->app_actor};
	char		nulls[2] = {' ', drop->has_app_actor ? ' ' : 'n'};
	char	   *sql;

	sql = psprintf("WITH gone AS (DELETE FROM %s t USING pg_catalog.pg_event_trigger_dropped_objects() d"
				   " WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
				   " AND d.objid OPERATOR(pg_catalog.=) t.table_oid::pg_catalog.oid"
				   " RETURNING d.object_identity, d.schema_name)"
				   " INSERT INTO %s (actor, app_actor, action, table_name, tenant_id)"
				   " SELECT $1, $2, 'DROP', gone.object_identity, gone.schema_name FROM gone",
				   ff_qualified_table_name(ff_tenant_tables_relid()),
				   ff_qualified_table_name(ff_audit_relid()));
	(void) ff_spi_execute(sql, 2, argtypes, values, nulls, false, 0, SPI_OK_INSERT);
}

/*
 * flagforge_forget_dropped_tables(): sql_drop event trigger.  Forgets
 * dropped tenant tables (so a new table reusing an OID is never trusted)
 * and records each drop in the trail, with the role that dropped it
 * (captured here, before writing as the extension owner).  Nothing to do
 * when the extension itself is being dropped.
 */
Datum
flagforge_forget_dropped_tables(PG_FUNCTION_ARGS)
{
	AuditDrop	drop;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("flagforge_forget_dropped_tables() must be called as an event trigger")));
	if (!OidIsValid(get_extension_oid("flagforge", true)))
		PG_RETURN_VOID();
	if (!OidIsValid(get_relname_relid("flagforge_tenant_tables", ff_extension_schema())) ||
		!OidIsValid(get_relname_relid("flagforge_audit", ff_extension_schema())))
		PG_RETURN_VOID();
	drop.actor = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	drop.has_app_actor = ff_setting_actor != NULL && ff_setting_actor[0] != '\0';
	drop.app_actor = drop.has_app_actor ? CStringGetTextDatum(ff_setting_actor) : (Datum) 0;
	as_owner_writing_trail(forget_and_record, &drop);
	PG_RETURN_VOID();
}
