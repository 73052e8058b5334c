/*
 * triggers.c
 *      flagforge_row_changed(): the trigger on every flagforge table.
 *
 * It keeps updated_at current and raises a relcache invalidation of a
 * signal relation (signal_change), which is what tells every backend's
 * cache (cache.c) that flags changed: at once in this transaction, at commit in other sessions, on
 * standbys when the commit record is replayed.  It is a BEFORE ROW trigger
 * (no after-trigger queue on bulk loads) plus a TRUNCATE statement trigger,
 * and is enabled ALWAYS so that logical replication's apply worker, which
 * fires only row triggers, keeps subscribers' caches fresh too.
 *
 * flagforge_notify_change(), an AFTER trigger (so that an INSERT turned
 * into an UPDATE by ON CONFLICT is reported once, as what happened), queues
 * NOTIFY flagforge_changed with {"flag_key", "tenant_id", "operation"},
 * which PostgreSQL delivers at commit only (never for a rolled-back
 * change), so application-side caches can drop what changed.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "change_subject.h"

/* The channel applications LISTEN on. */
#define FF_NOTIFY_CHANNEL "flagforge_changed"
/* Payloads must stay under PostgreSQL's limit of 8000 bytes. */
#define FF_NOTIFY_PAYLOAD_MAX 7900

PG_FUNCTION_INFO_V1(flagforge_row_changed);
PG_FUNCTION_INFO_V1(flagforge_notify_change);

/*
 * Tell every backend's cache what changed, through the relcache
 * invalidation of a signal relation (see catalog.h): definitions and the
 * tenant-table registry need a full reload, overrides only the tenant data.
 */
static void
signal_change(FFTriggerTable table)
{
	bool		definitions = table == FF_TABLE_FLAGS || table == FF_TABLE_REGISTRY;

	CacheInvalidateRelcacheByRelid(definitions ? ff_signal_definitions_relid()
								   : ff_signal_overrides_relid());
}

/*
 * The new row with updated_at (a timestamptz column of every table but the
 * registry, checked by ff_trigger_on_own_table) set to the transaction's
 * timestamp.
 */
static HeapTuple
touch_updated_at(TriggerData *trigger, HeapTuple row)
{
	TupleDesc	desc = RelationGetDescr(trigger->tg_relation);
	int			column = SPI_fnumber(desc, "updated_at");
	Datum		value = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
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
notify_change(TriggerData *trigger, HeapTuple row)
{
	Relation	rel = trigger->tg_relation;
	char	   *flag_key;
	char	   *tenant_id;
	StringInfoData payload;

	ff_change_subject(rel, row, &flag_key, &tenant_id);

	initStringInfo(&payload);
	appendStringInfoChar(&payload, '{');
	json_field(&payload, "flag_key", flag_key);
	json_field(&payload, "tenant_id", tenant_id);
	json_field(&payload, "operation", ff_change_operation(trigger->tg_event));
	appendStringInfoChar(&payload, '}');
	if (payload.len > FF_NOTIFY_PAYLOAD_MAX)
	{
		/* Huge keys: say what changed without them. */
		resetStringInfo(&payload);
		appendStringInfo(&payload, "{\"flag_key\": null, \"tenant_id\": null, \"operation\": \"%s\", \"truncated\": true}",
						 ff_change_operation(trigger->tg_event));
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
	TriggerData *trigger = ff_trigger_on_own_table(fcinfo, "flagforge_row_changed",
												   FF_FIRE_BEFORE_ROW | FF_FIRE_TRUNCATE,
												   true, &table);

	signal_change(table);

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
	TriggerData *trigger = ff_trigger_on_own_table(fcinfo, "flagforge_notify_change",
												   FF_FIRE_AFTER_ROW | FF_FIRE_TRUNCATE,
												   false, &table);

	if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
		notify_change(trigger, NULL);
	else
		notify_change(trigger, TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ?
					  trigger->tg_newtuple : trigger->tg_trigtuple);
	return PointerGetDatum(NULL);
}
