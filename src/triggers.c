/*
 * triggers.c
 *      flagforge_row_changed(): the trigger on every flagforge table.
 *
 * It keeps updated_at current and raises a relcache invalidation of the
 * table, which is what tells every backend's cache (cache.c) that flags
 * changed: at once in this transaction, at commit in other sessions, on
 * standbys when the commit record is replayed.  It is a BEFORE ROW trigger
 * (no after-trigger queue on bulk loads) plus a TRUNCATE statement trigger,
 * and is enabled ALWAYS so that logical replication's apply worker, which
 * fires only row triggers, keeps subscribers' caches fresh too.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(flagforge_row_changed);

/* The new row with updated_at set to the transaction's timestamp. */
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

/*
 * flagforge_row_changed(): invalidate caches; on UPDATE also set updated_at
 * (except when applying logical replication, which carries the publisher's).
 */
Datum
flagforge_row_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigger = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("flagforge_row_changed() must be called as a trigger")));

	CacheInvalidateRelcache(trigger->tg_relation);

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
