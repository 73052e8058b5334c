/*
 * audit.c
 *      flagforge_audit_row(): the trigger that writes flagforge_audit.
 *
 * Every INSERT, UPDATE, DELETE and TRUNCATE of the definitions, the
 * overrides and the tenant tables is recorded in the same transaction (so a
 * rollback leaves no row), whether it came from a function or plain SQL.
 * The row is written with the extension owner's rights, the way a SECURITY
 * DEFINER function would be, so that writers need no privilege on the audit
 * table and only administrators can read it; but the actor recorded is the
 * role that made the change (current_user before the switch), plus the
 * application's flagforge.actor when set.  The insert is a prepared plan
 * per audited table, with every name qualified.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "catalog.h"
#include "change_subject.h"
#include "settings.h"

PG_FUNCTION_INFO_V1(flagforge_audit_row);

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




/*
 * flagforge_audit_row(): AFTER ROW (and AFTER TRUNCATE) trigger.  The
 * tenant of a tenant schema's table (no tenant_id column) is the schema's
 * current name.
 */
Datum
flagforge_audit_row(PG_FUNCTION_ARGS)
{
	TriggerData *trigger = (TriggerData *) fcinfo->context;
	Relation	rel;
	HeapTuple	old_row = NULL;
	HeapTuple	new_row = NULL;
	HeapTuple	any_row;
	Datum		values[8];
	char		nulls[8];
	char	   *flag_key;
	char	   *tenant_id;
	Oid			save_userid;
	int			save_sec_context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("flagforge_audit_row() must be called as a trigger")));
	rel = trigger->tg_relation;
	if (TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
	{
		if (!TRIGGER_FIRED_BY_INSERT(trigger->tg_event))
			old_row = trigger->tg_trigtuple;
		if (TRIGGER_FIRED_BY_INSERT(trigger->tg_event))
			new_row = trigger->tg_trigtuple;
		else if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event))
			new_row = trigger->tg_newtuple;
	}
	any_row = new_row ? new_row : old_row;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	if (ff_setting_actor && ff_setting_actor[0])
		values[1] = CStringGetTextDatum(ff_setting_actor);
	else
		nulls[1] = 'n';
	values[2] = CStringGetTextDatum(ff_change_operation(trigger->tg_event));
	values[3] = CStringGetTextDatum(ff_qualified_table_name(RelationGetRelid(rel)));
	ff_change_subject(rel, any_row, &flag_key, &tenant_id);
	values[4] = flag_key ? CStringGetTextDatum(flag_key) : (Datum) 0;
	nulls[4] = flag_key ? ' ' : 'n';
	values[5] = tenant_id ? CStringGetTextDatum(tenant_id) : (Datum) 0;
	nulls[5] = tenant_id ? ' ' : 'n';
	values[6] = old_row ? heap_copy_tuple_as_datum(old_row, RelationGetDescr(rel)) : (Datum) 0;
	nulls[6] = old_row ? ' ' : 'n';
	values[7] = new_row ? heap_copy_tuple_as_datum(new_row, RelationGetDescr(rel)) : (Datum) 0;
	nulls[7] = new_row ? ' ' : 'n';

	/* Write as the extension owner, in a restricted context. */
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(ff_extension_owner(),
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	SPI_connect();
	if (SPI_execute_plan(audit_plan_for(rel->rd_rel->reltype), values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not write flagforge_audit");
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec_context);
	return PointerGetDatum(NULL);
}
