/*
 * citus.h
 *      flagforge's tables as Citus reference tables (citus.c).
 *
 * With Citus, flagforge_citus_distribute() makes the configuration tables
 * reference tables: every node holds a copy of their rows in a placement,
 * a table named <table>_<shardid> beside the extension's table (which Citus
 * keeps as an empty "shell").  Evaluation reads the placement of the node
 * it runs on; the triggers fire on every node's placement.  Nothing here
 * links with Citus: its metadata is read with SQL, and without Citus every
 * function answers as if no table were distributed.
 */
#ifndef FLAGFORGE_CITUS_H
#define FLAGFORGE_CITUS_H

#include "postgres.h"

#include "datatype/timestamp.h"

/*
 * The table of this node that holds relid's rows: its local placement when
 * relid is a Citus reference table, else InvalidOid.  A reference table
 * without a valid placement here (a coordinator missing from the Citus
 * metadata, or a table of that name that Citus did not create) is an
 * error: reading the empty shell would answer false for every flag.
 */
extern Oid	ff_citus_local_placement(Oid relid);

/*
 * True when a change of table relid must be neither notified nor audited
 * here: this backend applies a change that another Citus node started (a
 * participant of its distributed transaction; that node notifies and writes
 * the audit row), flagforge_citus_distribute() copies rows into the
 * placements (not a change), or relid is a reference table's shell, which
 * Citus truncates with the placements (whose triggers tell).  Caches are
 * refreshed on every node anyway.
 */
extern bool ff_citus_change_told_elsewhere(Oid relid);

/* True while flagforge_citus_distribute() runs (citus_distribute.c). */
extern bool ff_citus_distributing;

/*
 * The time a change is stamped with (updated_at): the distributed
 * transaction's timestamp, the same on every node, inside a Citus
 * distributed transaction; else the transaction's start.
 */
extern TimestampTz ff_citus_change_timestamp(void);

#endif							/* FLAGFORGE_CITUS_H */
