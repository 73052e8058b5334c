/*
 * citus.c
 *      Where a node's rows are, and who applies a change, when flagforge's
 *      tables are Citus reference tables (see citus.h).
 *
 * Citus's metadata (pg_dist_partition, pg_dist_shard, pg_dist_placement,
 * pg_dist_local_group) and its distributed transaction id
 * (get_current_transaction_id()) are read with SQL through SPI, every name
 * qualified, and only when the citus extension is installed in the
 * database: flagforge neither links with Citus nor needs it.
 *
 * A placement is trusted only when Citus's catalogs (which only superusers
 * write) name it, it is an ordinary table in the schema of the table it
 * copies, and it has that table's owner (the extension's owner): a role
 * that creates a table named like a placement cannot make evaluation read
 * it or flagforge's triggers accept it.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "citus.h"

/* The application_name of the connections Citus opens between nodes starts so. */
#define FF_CITUS_INTERNAL_APPLICATION "citus_internal gpid="

/* What this transaction is to Citus, worked out once per transaction (see distributed_state). */
static struct
{
	bool		known;			/* the fields below hold for the current transaction */
	bool		remote;			/* a participant applying another node's change */
	TimestampTz stamp;			/* the distributed transaction's timestamp */
} distributed;

/* True when the citus extension is installed in this database. */
static bool
citus_installed(void)
{
	return OidIsValid(get_extension_oid("citus", true));
}

/* The owner and kind of a relation (false when there is none). */
static bool
relation_owner_kind(Oid relid, Oid *owner, char *relkind)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));

	if (!HeapTupleIsValid(tuple))
		return false;
	*owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	*relkind = ((Form_pg_class) GETSTRUCT(tuple))->relkind;
	ReleaseSysCache(tuple);
	return true;
}

/*
 * Citus's record of relid, through SPI: its kind ('r' reference, 'o' any
 * other Citus table, 0 none) and, for a reference table, its shard and
 * whether this node holds an active placement of it.
 */
static char
citus_table_kind(Oid relid, int64 *shardid, bool *placed_here)
{
	static const char *sql =
		"SELECT p.partmethod OPERATOR(pg_catalog.=) 'n' AND p.repmodel OPERATOR(pg_catalog.=) 't',"
		" s.shardid,"
		" EXISTS (SELECT FROM pg_catalog.pg_dist_placement pl, pg_catalog.pg_dist_local_group lg"
		"         WHERE pl.shardid OPERATOR(pg_catalog.=) s.shardid"
		"           AND pl.groupid OPERATOR(pg_catalog.=) lg.groupid"
		"           AND pl.shardstate OPERATOR(pg_catalog.=) 1)"
		" FROM pg_catalog.pg_dist_partition p"
		" LEFT JOIN pg_catalog.pg_dist_shard s ON s.logicalrelid OPERATOR(pg_catalog.=) p.logicalrelid"
		" WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid::pg_catalog.regclass";
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	char		kind = 0;
	bool		isnull;

	SPI_connect();
	if (ff_spi_execute(sql, 1, argtypes, values, NULL, true, 2, SPI_OK_SELECT) > 0)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		kind = DatumGetBool(SPI_getbinval(row, desc, 1, &isnull)) && SPI_processed == 1 ? 'r' : 'o';
		*shardid = DatumGetInt64(SPI_getbinval(row, desc, 2, &isnull));
		if (isnull)
			kind = 'o';
		*placed_here = DatumGetBool(SPI_getbinval(row, desc, 3, &isnull));
	}
	SPI_finish();
	return kind;
}

/* Refuse to evaluate from a Citus table flagforge cannot read here. */
static void
refuse_citus_table(Oid relid, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("flagforge cannot read table \"%s\" on this node: it is a Citus table without a usable placement here",
					get_rel_name(relid)),
			 errdetail_internal("%s", detail),
			 errhint("%s", hint)));
}

/* See citus.h. */
Oid
ff_citus_local_placement(Oid relid)
{
	int64		shardid = 0;
	bool		placed_here = false;
	char	   *name;
	Oid			placement;
	Oid			owner,
				placement_owner;
	char		relkind,
				placement_kind;

	if (!citus_installed())
		return InvalidOid;
	switch (citus_table_kind(relid, &shardid, &placed_here))
	{
		case 0:
			return InvalidOid;
		case 'o':
			refuse_citus_table(relid, "flagforge's tables can only be Citus reference tables.",
							   "Undo the distribution with undistribute_table(), then run flagforge_citus_distribute().");
			break;
		default:
			break;
	}
	if (!placed_here)
		refuse_citus_table(relid, "This node holds no placement of the reference table, so its rows are not here.",
						   "On the coordinator, add it to the Citus metadata with citus_set_coordinator_host() and run replicate_reference_tables().");
	name = psprintf("%s_" INT64_FORMAT, get_rel_name(relid), shardid);
	placement = strlen(name) < NAMEDATALEN ?
		get_relname_relid(name, get_rel_namespace(relid)) : InvalidOid;
	if (!OidIsValid(placement) ||
		!relation_owner_kind(relid, &owner, &relkind) ||
		!relation_owner_kind(placement, &placement_owner, &placement_kind) ||
		placement_kind != RELKIND_RELATION || placement_owner != owner)
		refuse_citus_table(relid, psprintf("Its placement \"%s\" is missing, or is not an ordinary table owned by the table's owner.", name),
						   "Repair the reference table's placements with replicate_reference_tables(), or ask a superuser to remove the table of that name.");
	return placement;
}

/* Forget the transaction's distributed state at its end. */
static void
forget_distributed_state(XactEvent event, void *arg)
{
	distributed.known = false;
}

/*
 * Work out, once per transaction once Citus has given it a distributed
 * transaction id, whether this backend is a participant applying another
 * node's change (a Citus connection, in a distributed transaction another
 * node started) and the transaction's timestamp.
 */
static void
distributed_state(void)
{
	static bool registered = false;
	static const char *sql =
		"SELECT t.transaction_number, t.transaction_stamp,"
		" t.initiator_node_identifier OPERATOR(pg_catalog.<>) lg.groupid"
		" FROM pg_catalog.get_current_transaction_id() t, pg_catalog.pg_dist_local_group lg";
	const char *application = GetConfigOption("application_name", true, false);
	bool		isnull;

	if (distributed.known)
		return;
	distributed.remote = false;
	distributed.stamp = GetCurrentTransactionStartTimestamp();
	if (!citus_installed())
		return;
	if (!registered)
	{
		RegisterXactCallback(forget_distributed_state, NULL);
		registered = true;
	}
	SPI_connect();
	if (ff_spi_execute(sql, 0, NULL, NULL, NULL, true, 1, SPI_OK_SELECT) == 1)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		int64		number = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));

		if (!isnull && number != 0)
		{
			distributed.known = true;	/* an id, once given, holds to the end */
			distributed.stamp = DatumGetTimestampTz(SPI_getbinval(row, desc, 2, &isnull));
			distributed.remote = DatumGetBool(SPI_getbinval(row, desc, 3, &isnull)) &&
				application != NULL &&
				strncmp(application, FF_CITUS_INTERNAL_APPLICATION,
						strlen(FF_CITUS_INTERNAL_APPLICATION)) == 0;
		}
	}
	SPI_finish();
}

/*
 * True when relid is the "shell" of one of flagforge's reference tables:
 * Citus truncates it along with the placements, whose triggers tell.
 */
static bool
is_reference_table_shell(Oid relid)
{
	FFRel		which;

	return ff_catalog_which(relid, &which) && relid == ff_relid(which) &&
		ff_read_relid(which) != relid;
}

/* See citus.h. */
bool
ff_citus_change_told_elsewhere(Oid relid)
{
	if (ff_citus_distributing || is_reference_table_shell(relid))
		return true;
	distributed_state();
	return distributed.remote;
}

/* See citus.h. */
TimestampTz
ff_citus_change_timestamp(void)
{
	distributed_state();
	return distributed.stamp;
}
