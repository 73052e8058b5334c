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
#include "utils/relcache.h"

/*
 * The flag key (flag_key, or key for definitions) and the tenant (tenant_id,
 * or the schema's name for a tenant schema's table) of row in rel, as
 * palloc'd strings; NULL when the row (NULL for TRUNCATE) has none.
 */
extern void ff_change_subject(Relation rel, HeapTuple row, char **flag_key, char **tenant_id);

/* The operation of a trigger event: INSERT, UPDATE, DELETE or TRUNCATE. */
extern const char *ff_change_operation(TriggerEvent event);

#endif							/* FLAGFORGE_CHANGE_SUBJECT_H */
