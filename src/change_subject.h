/*
 * change_subject.h
 *      What a changed row of a flagforge table is about: its flag and its
 *      tenant (for the audit trail and change notifications).
 */
#ifndef FLAGFORGE_CHANGE_SUBJECT_H
#define FLAGFORGE_CHANGE_SUBJECT_H

#include "postgres.h"

#include "access/htup.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/relcache.h"

/* The flagforge table a trigger fired on. */
typedef enum FFTriggerTable
{
	FF_TABLE_FLAGS,				/* flagforge_flags */
	FF_TABLE_OVERRIDES,			/* flagforge_overrides */
	FF_TABLE_TENANT,			/* a registered tenant schema's table */
	FF_TABLE_REGISTRY			/* flagforge_tenant_tables */
} FFTriggerTable;

/* The firings a trigger function accepts (ff_trigger_on_own_table). */
#define FF_FIRE_BEFORE_ROW	0x01	/* BEFORE INSERT/UPDATE/DELETE FOR EACH ROW */
#define FF_FIRE_AFTER_ROW	0x02	/* AFTER INSERT/UPDATE/DELETE FOR EACH ROW */
#define FF_FIRE_TRUNCATE	0x04	/* AFTER TRUNCATE FOR EACH STATEMENT */

/*
 * The trigger data of a flagforge trigger function, after checking that it
 * fired as one of firings, with no arguments, on one of flagforge's own
 * tables (owned by the extension's owner, with the layout flagforge
 * created; the registry only when registry_ok).  Anything else is refused
 * with an error: attached to another table, these functions would write
 * the audit trail, flush every cache or read columns of unknown types.
 */
extern TriggerData *ff_trigger_on_own_table(FunctionCallInfo fcinfo, const char *function,
											int firings, bool registry_ok,
											FFTriggerTable *table);

/*
 * The flag key (flag_key, or key for definitions) and the tenant (tenant_id,
 * or the schema's name for a tenant schema's table) of row in rel, as
 * palloc'd strings; NULL when the row (NULL for TRUNCATE) has none.
 */
extern void ff_change_subject(Relation rel, HeapTuple row, char **flag_key, char **tenant_id);

/* The operation of a trigger event: INSERT, UPDATE, DELETE or TRUNCATE. */
extern const char *ff_change_operation(TriggerEvent event);

#endif							/* FLAGFORGE_CHANGE_SUBJECT_H */
