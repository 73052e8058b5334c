/*
 * ddl_guard.c
 *      flagforge_guard_ddl(): the event trigger that keeps the layout of
 *      flagforge's tables as flagforge created it.
 *
 * The evaluation cache, the triggers and the audit trail read rows of
 * flagforge's tables in C.  They check the layout before reading
 * (table_layout.c), but an owner who drops a NOT NULL, changes a column's
 * type, disables the audit trigger or moves a table should be told so when
 * they try, not when evaluation fails later.  So at ddl_command_start this
 * trigger refuses, on the extension's tables and the registered tenant
 * tables, every ALTER TABLE subcommand but the harmless ones (storage and
 * statistics settings, clustering, replica identity, added constraints,
 * ENABLE ALWAYS TRIGGER, which pg_restore does), renames, SET SCHEMA,
 * ALTER POLICY, ALTER ... DEPENDS ON EXTENSION, DROP TRIGGER / DROP POLICY
 * of flagforge's own triggers and policy, and new rules and policies (which
 * could silently rewrite what the trail or evaluation sees; an owner's own
 * triggers stay allowed).  It also refuses renaming the extension's schema
 * or giving it another owner (the SQL of flagforge's functions names it),
 * dropping it but as a superuser (DROP SCHEMA ... CASCADE drops the
 * extension and its audit trail), renaming a tenant schema to a role's
 * name, and ALTER EXTENSION flagforge ADD/DROP.  The extension's own
 * scripts (CREATE and ALTER EXTENSION ... UPDATE) are not checked.
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"

#include "cache_load.h"
#include "catalog.h"
#include "citus.h"

PG_FUNCTION_INFO_V1(flagforge_guard_ddl);

static void check_extension_schema(const char *schema_name, const char *what);

/* True when relid is a table of the extension or a registered tenant table. */
static bool
is_protected_table(Oid relid)
{
	if (!OidIsValid(relid))
		return false;
	if (getExtensionOfObject(RelationRelationId, relid) ==
		get_extension_oid("flagforge", true))
		return true;
	return get_rel_relkind(relid) == RELKIND_RELATION && ff_is_registered_tenant_table(relid);
}

/* The table a RangeVar names, or InvalidOid when there is none. */
static Oid
range_var_table(RangeVar *relation)
{
	return relation ? RangeVarGetRelid(relation, NoLock, true) : InvalidOid;
}

/* Refuse a command on a protected table. */
static void
refuse(Oid relid, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot %s table \"%s\": its layout belongs to the flagforge extension",
					what, get_rel_name(relid)),
			 errdetail("flagforge reads this table in C and records its changes in the audit trail; the columns, their types and constraints, and its triggers must stay as flagforge created them."),
			 errhint("Storage and statistics settings may be changed; anything else changes with ALTER EXTENSION flagforge UPDATE.")));
}

/* True for the ALTER TABLE subcommands that cannot change what flagforge reads. */
static bool
harmless_subcommand(AlterTableType type)
{
	switch (type)
	{
		case AT_SetStatistics:
		case AT_SetOptions:
		case AT_ResetOptions:
		case AT_SetStorage:
		case AT_SetCompression:
		case AT_SetRelOptions:
		case AT_ResetRelOptions:
		case AT_ReplaceRelOptions:
		case AT_ClusterOn:
		case AT_DropCluster:
		case AT_ReplicaIdentity:
		case AT_AddConstraint:
		case AT_ValidateConstraint:
		case AT_SetTableSpace:
		case AT_EnableAlwaysTrig:
			return true;
		default:
			return false;
	}
}

/* ALTER TABLE: refuse unless every subcommand is harmless. */
static void
check_alter_table(AlterTableStmt *stmt)
{
	Oid			relid = range_var_table(stmt->relation);
	ListCell   *lc;

	if (!is_protected_table(relid))
		return;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (!harmless_subcommand(cmd->subtype))
			refuse(relid, "alter");
	}
}

/* DROP TRIGGER / DROP POLICY: refuse flagforge's own on a protected table. */
static void
check_drop(DropStmt *stmt)
{
	ListCell   *lc;

	/* The extension's schema: dropping it (CASCADE) drops the extension and its trail. */
	if (stmt->removeType == OBJECT_SCHEMA && !superuser())
	{
		foreach(lc, stmt->objects)
			check_extension_schema(strVal(lfirst(lc)), "drop");
		return;
	}

	if (stmt->removeType != OBJECT_TRIGGER && stmt->removeType != OBJECT_POLICY)
		return;
	foreach(lc, stmt->objects)
	{
		List	   *names = (List *) lfirst(lc);
		const char *name = strVal(llast(names));
		Oid			relid;

		if (list_length(names) < 2 || strncmp(name, "flagforge_", 10) != 0)
			continue;
		relid = range_var_table(makeRangeVarFromNameList(list_truncate(list_copy(names),
																	   list_length(names) - 1)));
		if (is_protected_table(relid))
			refuse(relid, stmt->removeType == OBJECT_TRIGGER ? "drop a trigger of" : "drop the policy of");
	}
}

/* ALTER SCHEMA on the extension's schema: refuse a rename or a new owner. */
static void
check_extension_schema(const char *schema_name, const char *what)
{
	if (schema_name == NULL || get_namespace_oid(schema_name, true) != ff_extension_schema())
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot %s schema \"%s\": it holds the flagforge extension", what, schema_name),
			 errdetail("flagforge's functions name their schema; another schema of that name would be used in its place."),
			 errhint("Leave the schema as it is, or move the extension with DROP EXTENSION and CREATE EXTENSION ... SCHEMA.")));
}

/* A command on one relation: refuse it when the relation is protected. */
static void
check_relation(RangeVar *relation, const char *what)
{
	Oid			relid = range_var_table(relation);

	if (is_protected_table(relid))
		refuse(relid, what);
}

/* True when the schema holds a registered tenant table. */
static bool
is_tenant_schema(const char *schema_name)
{
	Oid			namespace = get_namespace_oid(schema_name, true);
	Oid			relid = OidIsValid(namespace) ? get_relname_relid("flagforge_overrides", namespace) : InvalidOid;

	return OidIsValid(relid) && ff_is_registered_tenant_table(relid);
}

/* A rename: of the extension's schema, or of a protected table or its parts. */
static void
check_rename(RenameStmt *stmt)
{
	if (stmt->renameType == OBJECT_SCHEMA)
	{
		check_extension_schema(stmt->subname, "rename");
		if (is_tenant_schema(stmt->subname) && OidIsValid(get_role_oid(stmt->newname, true)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_SCHEMA_NAME),
					 errmsg("cannot rename tenant schema \"%s\" to \"%s\": that is the name of a role",
							stmt->subname, stmt->newname),
					 errdetail("A schema named like a role comes first on that role's search_path (\"$user\"), so its overrides would replace the role's own in every evaluation."),
					 errhint("Choose a tenant schema name that is not a role name.")));
	}
	else
		check_relation(stmt->relation, stmt->renameType == OBJECT_TABLE ? "rename" :
					   "rename a column, constraint, trigger or policy of");
}

/*
 * flagforge_guard_ddl(): ddl_command_start event trigger (see the file
 * header).
 */
Datum
flagforge_guard_ddl(PG_FUNCTION_ARGS)
{
	Node	   *parsetree;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("flagforge_guard_ddl() must be called as an event trigger")));
	if (creating_extension || ff_citus_distributing)
		PG_RETURN_VOID();		/* the extension's scripts, or Citus copying its tables */
	parsetree = ((EventTriggerData *) fcinfo->context)->parsetree;
	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
			check_alter_table((AlterTableStmt *) parsetree);
			break;
		case T_RenameStmt:
			check_rename((RenameStmt *) parsetree);
			break;
		case T_AlterPolicyStmt:
			check_relation(((AlterPolicyStmt *) parsetree)->table, "alter the policy of");
			break;
		case T_AlterObjectSchemaStmt:
			check_relation(((AlterObjectSchemaStmt *) parsetree)->relation, "move");
			break;
		case T_DropStmt:
			check_drop((DropStmt *) parsetree);
			break;
		case T_RuleStmt:
			check_relation(((RuleStmt *) parsetree)->relation, "create a rule on");
			break;
		case T_CreatePolicyStmt:
			check_relation(((CreatePolicyStmt *) parsetree)->table, "create a policy on");
			break;
		case T_AlterExtensionContentsStmt:
			if (strcmp(((AlterExtensionContentsStmt *) parsetree)->extname, "flagforge") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot add objects to or drop objects from extension \"flagforge\""),
						 errhint("Its members change with ALTER EXTENSION flagforge UPDATE.")));
			break;
		case T_AlterObjectDependsStmt:
			check_relation(((AlterObjectDependsStmt *) parsetree)->relation,
						   "make an extension's drop cascade to a trigger or index of");
			break;
		case T_AlterOwnerStmt:
			if (((AlterOwnerStmt *) parsetree)->objectType == OBJECT_SCHEMA)
				check_extension_schema(strVal(((AlterOwnerStmt *) parsetree)->object),
									   "change the owner of");
			break;
		default:
			break;
	}
	PG_RETURN_VOID();
}
