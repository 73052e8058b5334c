/*
 * citus_distribute.c
 *      flagforge_citus_distribute(): make flagforge's configuration tables
 *      Citus reference tables; flagforge_local_table(): the table of this
 *      node that holds one of them (its placement).
 *
 * Run once on the coordinator by a superuser or the extension's owner
 * (EXECUTE is revoked from PUBLIC).  Citus copies every table, with its
 * indexes, constraints and triggers, to a placement on each node; from
 * then on writes go to every placement in one distributed transaction and
 * each node evaluates from its own (citus.c).  Distributed, in the order
 * their foreign keys need: the definitions, the overrides, the targeting
 * (segments, rules, prerequisites) and the tenant-role bindings.  Not
 * distributed: the audit trail (each write is recorded once, by the node
 * that made it), the two signal relations (their invalidations are each
 * node's own) and the registry of tenant schemas' tables (schema tenancy
 * is the node's own).
 *
 * While it runs, flagforge's DDL guard lets Citus's commands through and
 * the triggers neither notify nor audit: copying rows is not a change.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "catalog.h"
#include "citus.h"

PG_FUNCTION_INFO_V1(flagforge_citus_distribute);
PG_FUNCTION_INFO_V1(flagforge_local_table);
PG_FUNCTION_INFO_V1(flagforge_citus_before_drop);

/* True while flagforge_citus_distribute() runs (see citus.h). */
bool		ff_citus_distributing = false;

/* The tables made reference tables, referenced ones first. */
static const FFRel distributed_tables[] = {
	FF_REL_FLAGS, FF_REL_OVERRIDES, FF_REL_SEGMENTS, FF_REL_RULES, FF_REL_PREREQUISITES,
	FF_REL_TENANT_ROLES, FF_REL_TENANT_SECURITY,
};

/* The first column of the one-row answer to sql with its arguments (SPI connected), a boolean. */
static bool
spi_bool_args(const char *sql, int nargs, Oid *argtypes, Datum *args)
{
	bool		isnull;
	bool		result;

	(void) ff_spi_execute(sql, nargs, argtypes, args, NULL, false, 1, SPI_OK_SELECT);
	result = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return !isnull && result;
}

/* The same with no argument, or one (argtype InvalidOid: none). */
static bool
spi_bool(const char *sql, Oid argtype, Datum arg)
{
	return spi_bool_args(sql, OidIsValid(argtype) ? 1 : 0, &argtype, &arg);
}

/* Refuse to distribute: why, and what to do. */
static void
refuse_distribute(int errcode_value, const char *message, const char *hint)
{
	ereport(ERROR,
			(errcode(errcode_value),
			 errmsg("flagforge_citus_distribute() %s", message),
			 errhint("%s", hint)));
}

/* Check that the caller may distribute, and that this node is a coordinator that holds placements. */
static void
check_can_distribute(void)
{
	if (!superuser() && !has_privs_of_role(GetUserId(), ff_extension_owner()))
		refuse_distribute(ERRCODE_INSUFFICIENT_PRIVILEGE,
						  "must be run by a superuser or the owner of extension \"flagforge\"",
						  "Ask a superuser to run it once on the coordinator.");
	if (!OidIsValid(get_extension_oid("citus", true)))
		refuse_distribute(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
						  "needs extension \"citus\" in this database",
						  "Run CREATE EXTENSION citus on the coordinator first; without Citus, copy the tables to other servers with logical replication (see the README).");
	if (!spi_bool("SELECT groupid OPERATOR(pg_catalog.=) 0 FROM pg_catalog.pg_dist_local_group",
				  InvalidOid, (Datum) 0))
		refuse_distribute(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
						  "must run on the Citus coordinator",
						  "Connect to the coordinator and run it there; the workers follow.");
	if (!spi_bool("SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_node n"
				  " WHERE n.groupid OPERATOR(pg_catalog.=) 0)", InvalidOid, (Datum) 0))
		refuse_distribute(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
						  "needs the coordinator in the Citus metadata",
						  "Run SELECT citus_set_coordinator_host('<host>', <port>) first: the coordinator evaluates from a placement of its own.");
}

/* The OIDs of the tables to distribute, as an oid[] for SPI. */
static Datum
distributed_table_array(void)
{
	Datum		oids[lengthof(distributed_tables)];

	for (size_t i = 0; i < lengthof(distributed_tables); i++)
		oids[i] = ObjectIdGetDatum(ff_relid(distributed_tables[i]));
	return PointerGetDatum(construct_array(oids, lengthof(oids), OIDOID, sizeof(Oid), true,
										   TYPALIGN_INT));
}

/*
 * Refuse when a table flagforge does not distribute (a tenant schema's
 * table, an application's) has a foreign key to one it does: Citus would
 * turn that table into a "Citus local table" under a new name.
 */
static void
check_no_outside_foreign_keys(Datum tables)
{
	Oid			argtype = OIDARRAYOID;
	bool		isnull;

	(void) ff_spi_execute("SELECT c.conrelid::pg_catalog.regclass::pg_catalog.text, c.conname::pg_catalog.text"
						  " FROM pg_catalog.pg_constraint c"
						  " WHERE c.contype OPERATOR(pg_catalog.=) 'f'"
						  "   AND c.confrelid OPERATOR(pg_catalog.=) ANY ($1)"
						  "   AND NOT c.conrelid OPERATOR(pg_catalog.=) ANY ($1)",
						  1, &argtype, &tables, NULL, true, 1, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("flagforge_citus_distribute() cannot distribute flagforge's tables: table %s references one of them (constraint %s)",
						TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
						TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull))),
				 errdetail("Citus would rename a table that references a reference table to make it a Citus local table; schema-per-tenant override tables are not supported on Citus."),
				 errhint("Drop that foreign key (or the tenant schema's table) first, or make that table a Citus table itself.")));
}

/* A foreign key between flagforge's tables, dropped while they become reference tables. */
typedef struct DroppedKey
{
	char	   *add_to_table;	/* ALTER TABLE <table> ADD CONSTRAINT ... */
	char	   *add_to_placements;	/* the same with %s for both placements */
	Oid			table;
	Oid			referenced;
} DroppedKey;

/*
 * Drop the foreign keys between flagforge's tables not yet distributed (SPI
 * connected) and return them: Citus would make a table that references a
 * table being distributed a "Citus local table" under a new name.
 */
static List *
drop_foreign_keys(Datum tables)
{
	Oid			argtype = OIDARRAYOID;
	List	   *keys = NIL;
	List	   *drops = NIL;
	ListCell   *cell;
	bool		isnull;

	(void) ff_spi_execute("SELECT pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::pg_catalog.regclass, c.conname),"
						  " pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::pg_catalog.regclass, c.conname,"
						  "                   pg_catalog.pg_get_constraintdef(c.oid)),"
						  " pg_catalog.format('ALTER TABLE %%s ADD CONSTRAINT %I %s', c.conname,"
						  "                   pg_catalog.regexp_replace(pg_catalog.pg_get_constraintdef(c.oid),"
						  "                                             'REFERENCES [^(]*[(]', 'REFERENCES %s(')),"
						  " c.conrelid, c.confrelid"
						  " FROM pg_catalog.pg_constraint c"
						  " WHERE c.contype OPERATOR(pg_catalog.=) 'f' AND c.conrelid OPERATOR(pg_catalog.=) ANY ($1)"
						  "   AND NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition p"
						  "                   WHERE p.logicalrelid OPERATOR(pg_catalog.=) c.conrelid)"
						  " ORDER BY c.conrelid, c.conname",
						  1, &argtype, &tables, NULL, true, 0, SPI_OK_SELECT);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		DroppedKey *key = palloc(sizeof(DroppedKey));

		drops = lappend(drops, SPI_getvalue(row, desc, 1));
		key->add_to_table = SPI_getvalue(row, desc, 2);
		key->add_to_placements = SPI_getvalue(row, desc, 3);
		key->table = DatumGetObjectId(SPI_getbinval(row, desc, 4, &isnull));
		key->referenced = DatumGetObjectId(SPI_getbinval(row, desc, 5, &isnull));
		keys = lappend(keys, key);
	}
	foreach(cell, drops)
		(void) ff_spi_execute(lfirst(cell), 0, NULL, NULL, NULL, false, 0, SPI_OK_UTILITY);
	return keys;
}

/*
 * Put a dropped foreign key back between reference tables (SPI connected):
 * on the table itself only (the workers' copies of the extension's tables
 * kept theirs), then between the placements on every node.
 */
static void
restore_foreign_key(DroppedKey *key)
{
	int			nestlevel = NewGUCNestLevel();
	Oid			argtypes[3] = {OIDOID, OIDOID, TEXTOID};
	Datum		args[3] = {ObjectIdGetDatum(key->table), ObjectIdGetDatum(key->referenced),
	CStringGetTextDatum(key->add_to_placements)};

	(void) set_config_option("citus.enable_ddl_propagation", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) ff_spi_execute(key->add_to_table, 0, NULL, NULL, NULL, false, 0, SPI_OK_UTILITY);
	AtEOXact_GUC(true, nestlevel);
	(void) ff_spi_execute("SELECT r.result FROM pg_catalog.run_command_on_colocated_placements("
						  "$1::pg_catalog.oid::pg_catalog.regclass, $2::pg_catalog.oid::pg_catalog.regclass, $3) r"
						  " WHERE NOT r.success",
						  3, argtypes, args, NULL, false, 1, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("flagforge_citus_distribute() could not add a foreign key to every placement: %s",
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)),
				 errdetail("The command was: %s", key->add_to_placements),
				 errhint("Check that every Citus node is up, then run flagforge_citus_distribute() again.")));
}

/* Make relid a reference table (SPI connected); false when it already is one. */
static bool
make_reference_table(Oid relid)
{
	Oid			argtype = OIDOID;
	Datum		arg = ObjectIdGetDatum(relid);

	if (spi_bool("SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition p"
				 " WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid::pg_catalog.regclass)",
				 argtype, arg))
	{
		(void) ff_citus_local_placement(relid);	/* errors unless a reference table placed here */
		return false;
	}
	(void) ff_spi_execute("SELECT pg_catalog.create_reference_table($1::pg_catalog.oid::pg_catalog.regclass)",
						  1, &argtype, &arg, NULL, false, 0, SPI_OK_SELECT);
	return true;
}

/*
 * flagforge_citus_distribute() RETURNS TABLE(table_name regclass, action
 * text): make each configuration table a Citus reference table, saying
 * for each whether it was made one or already was.
 */
Datum
flagforge_citus_distribute(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			nestlevel;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	check_can_distribute();
	/* Citus refuses tables with triggers unless told they are wanted, for this call only. */
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("citus.enable_unsafe_triggers", "on", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	ff_citus_distributing = true;
	PG_TRY();
	{
		Datum		tables = distributed_table_array();
		List	   *dropped;
		ListCell   *cell;

		check_no_outside_foreign_keys(tables);
		dropped = drop_foreign_keys(tables);
		for (size_t i = 0; i < lengthof(distributed_tables); i++)
		{
			Oid			relid = ff_relid(distributed_tables[i]);
			Datum		values[2];
			bool		nulls[2] = {false, false};

			values[1] = CStringGetTextDatum(make_reference_table(relid) ?
											"made a reference table" : "already a reference table");
			values[0] = ObjectIdGetDatum(relid);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		foreach(cell, dropped)
			restore_foreign_key(lfirst(cell));
	}
	PG_FINALLY();
	{
		ff_citus_distributing = false;
	}
	PG_END_TRY();
	AtEOXact_GUC(true, nestlevel);
	SPI_finish();
	ff_catalog_forget();
	return (Datum) 0;
}

/*
 * Drop the placements of flagforge's reference tables on every node and
 * their Citus metadata (SPI connected), as Citus does for a dropped table;
 * nothing where they are not distributed or this is not the coordinator.
 */
static void
undistribute_tables(void)
{
	Oid			argtype = OIDOID;

	for (int i = lengthof(distributed_tables) - 1; i >= 0; i--)
	{
		Oid			relid = ff_relid_if_exists(distributed_tables[i]);
		Datum		arg = ObjectIdGetDatum(relid);

		if (!OidIsValid(relid))
			continue;
		(void) ff_spi_execute("SELECT pg_catalog.citus_drop_all_shards(p.logicalrelid, n.nspname, c.relname, false),"
							  " pg_catalog.master_remove_distributed_table_metadata_from_workers(p.logicalrelid, n.nspname, c.relname),"
							  " pg_catalog.master_remove_partition_metadata(p.logicalrelid, n.nspname, c.relname)"
							  " FROM pg_catalog.pg_dist_partition p, pg_catalog.pg_class c, pg_catalog.pg_namespace n,"
							  "      pg_catalog.pg_dist_local_group lg"
							  " WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid::pg_catalog.regclass"
							  "   AND c.oid OPERATOR(pg_catalog.=) $1 AND n.oid OPERATOR(pg_catalog.=) c.relnamespace"
							  "   AND lg.groupid OPERATOR(pg_catalog.=) 0",
							  1, &argtype, &arg, NULL, false, 0, SPI_OK_SELECT);
	}
}

/*
 * flagforge_citus_before_drop(): ddl_command_start event trigger of DROP
 * EXTENSION.  Citus leaves the placements of an extension's tables behind
 * (and their triggers keep the extension from being dropped), so before
 * DROP EXTENSION flagforge on the coordinator the reference tables become
 * plain tables again; the extension then drops them, here and, through
 * Citus, on the workers.  A failed DROP rolls all of it back.
 */
Datum
flagforge_citus_before_drop(PG_FUNCTION_ARGS)
{
	DropStmt   *stmt;
	ListCell   *cell;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("flagforge_citus_before_drop() must be called as an event trigger")));
	stmt = (DropStmt *) ((EventTriggerData *) fcinfo->context)->parsetree;
	if (!IsA(stmt, DropStmt) || stmt->removeType != OBJECT_EXTENSION ||
		!OidIsValid(get_extension_oid("citus", true)))
		PG_RETURN_VOID();
	foreach(cell, stmt->objects)
		if (strcmp(strVal(lfirst(cell)), "flagforge") == 0)
		{
			SPI_connect();
			undistribute_tables();
			SPI_finish();
			ff_catalog_forget();
		}
	PG_RETURN_VOID();
}

/*
 * flagforge_local_table(relation regclass) RETURNS regclass: the table of
 * this node that holds the rows of one of flagforge's tables (its Citus
 * placement, or the table itself); for flagforge's SQL triggers, which
 * fire on the placements.
 */
Datum
flagforge_local_table(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	FFRel		which;

	(void) ff_extension_schema();
	for (int i = 0; i < FF_REL_COUNT; i++)
		(void) ff_relid_if_exists((FFRel) i);
	if (!ff_catalog_which(relid, &which))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("relation \"%s\" is not one of flagforge's tables",
						OidIsValid(get_rel_namespace(relid)) ? get_rel_name(relid) : "(none)"),
				 errhint("Pass flagforge_flags, flagforge_overrides, flagforge_rules or another table of the extension.")));
	PG_RETURN_OID(ff_read_relid(which));
}
