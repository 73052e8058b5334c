/*
 * yaml_import.c
 *      flagforge_import_yaml(document, prune, dry_run): the SQL form of
 *      `flagforge sync`.
 *
 * The document is parsed by the plain-C reader (yaml_parse.c) before
 * anything is read or written.  The current rows are then read once, the
 * document is merged with them in C (both sorted by key), and only what
 * differs is written, with one statement per kind of change.  So a repeated
 * sync writes nothing (and wakes no cache), 10,000 flags cost a handful of
 * statements, and any error (bad YAML, an override of an unknown flag, a
 * constraint) leaves the database as it was: the function runs inside the
 * caller's statement.  Existing overrides are kept; prune deletes only
 * flags (and, through the foreign key, their overrides).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "catalog.h"
#include "resolver.h"
#include "yaml_compare.h"
#include "yaml_parse.h"
#include "yaml_rows.h"

PG_FUNCTION_INFO_V1(flagforge_import_yaml);

/* What the import found to do. */
typedef struct ImportPlan
{
	const char **flag_actions;	/* per document flag: created/updated/unchanged */
	const FFYamlFlag **sorted_doc;	/* document flags by key */
	bool		prune;
	FFYamlFlag *stored;			/* the stored flags, by key */
	bool	   *stored_in_document;
	int			nstored;
	int			overrides_created;
	int			overrides_updated;
	int			overrides_unchanged;
	StringInfoData flags_json;	/* created and updated flags */
	int			nflags_to_write;
	StringInfoData overrides_json;	/* created and updated overrides */
	int			noverrides_to_write;
	ArrayBuildState *deleted_keys;
	int			ndeleted;
} ImportPlan;

/* The errcode for a reader status. */
static int
errcode_of_status(FFYamlStatus status)
{
	switch (status)
	{
		case FF_YAML_SYNTAX:
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		case FF_YAML_RANGE:
			return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
		case FF_YAML_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case FF_YAML_NOMEM:
			return ERRCODE_OUT_OF_MEMORY;
		case FF_YAML_UNSUPPORTED:
			return ERRCODE_FEATURE_NOT_SUPPORTED;
		default:
			return ERRCODE_INVALID_PARAMETER_VALUE;
	}
}

/* What to do about an error of this kind. */
static const char *
hint_of_status(FFYamlStatus status)
{
	switch (status)
	{
		case FF_YAML_SYNTAX:
			return "Check the YAML syntax around that position (indentation, a missing colon, an unclosed quote or bracket).";
		case FF_YAML_UNKNOWN_FIELD:
			return "A flag's fields are name, description, default_enabled, is_public, rollout_percentage, deprecated and environments; an override's are enabled, rollout_percentage, enabled_for_users and enabled_for_groups.";
		case FF_YAML_TYPE:
			return "Quote a value that must be a string; write booleans as true/false and rollout_percentage as a whole number.";
		case FF_YAML_RANGE:
			return "rollout_percentage is a whole number from 0 to 100; flag keys are 1 to 255 characters.";
		case FF_YAML_DUPLICATE:
			return "Each key may appear once in a mapping; remove or merge the repeated one.";
		case FF_YAML_MISSING:
			return "Every flag needs a name.";
		case FF_YAML_UNSUPPORTED:
			return "Write the values out in full: anchors, aliases, tags and merge keys are not accepted.";
		case FF_YAML_LIMIT:
			return "The flag file format never nests this deep.";
		default:
			return "The file is a mapping with a flags: mapping of flag key to fields, and optionally an overrides: mapping of tenant to flag key to override fields.";
	}
}

/* ereport the reader's error with its position, flag, field and a hint. */
static void
report_yaml_error(const FFYamlError *err)
{
	const char *where_flag = err->flag_key[0] ? err->flag_key : NULL;

	ereport(ERROR,
			(errcode(errcode_of_status(err->status)),
			 errmsg("invalid flag file at line %d, column %d: %s",
					err->line, err->column, err->message),
			 where_flag && err->tenant_id[0] ?
			 errdetail("In the override of flag \"%s\" for tenant \"%s\"%s%s%s.",
					   where_flag, err->tenant_id,
					   err->field[0] ? ", field \"" : "", err->field,
					   err->field[0] ? "\"" : "") :
			 where_flag ?
			 errdetail("In flag \"%s\"%s%s%s.", where_flag,
					   err->field[0] ? ", field \"" : "", err->field,
					   err->field[0] ? "\"" : "") : 0,
			 errhint("%s", hint_of_status(err->status))));
}

/* Parse the document or report why it is refused. */
static void
parse_or_report(text *document, FFYamlDocument *doc)
{
	FFYamlError err;

	memset(doc, 0, sizeof(*doc));
	if (ff_yaml_parse(VARDATA_ANY(document), VARSIZE_ANY_EXHDR(document), doc, &err) != FF_YAML_OK)
		report_yaml_error(&err);
}

/* At most this many warnings are reported one by one. */
#define MAX_WARNINGS_REPORTED 10

/* Warnings: valid documents that are surely not what was meant. */
static void
report_warnings(const FFYamlDocument *doc)
{
	for (size_t i = 0; i < doc->nwarnings && i < MAX_WARNINGS_REPORTED; i++)
		ereport(WARNING,
				(errmsg("flag \"%s\" at line %d, column %d: %s",
						doc->warnings[i].flag_key, doc->warnings[i].line,
						doc->warnings[i].column, doc->warnings[i].message)));
	if (doc->nwarnings > MAX_WARNINGS_REPORTED)
		ereport(WARNING,
				(errmsg("%zu more warnings like these not shown",
						doc->nwarnings - MAX_WARNINGS_REPORTED)));
}



/* Append a JSON string (or null). */
static void
json_string(StringInfo buf, const char *s)
{
	if (s == NULL)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, s);
}

/* Append a JSON array of strings. */
static void
json_string_list(StringInfo buf, const FFYamlStringList *list)
{
	appendStringInfoChar(buf, '[');
	for (size_t i = 0; i < list->count; i++)
	{
		if (i > 0)
			appendStringInfoChar(buf, ',');
		escape_json(buf, list->items[i]);
	}
	appendStringInfoChar(buf, ']');
}

/* Start or continue a JSON array of records. */
static void
json_next_record(StringInfo buf, int *count)
{
	appendStringInfoChar(buf, *count == 0 ? '[' : ',');
	(*count)++;
}

/* Add a document flag to the rows to write. */
static void
plan_flag_write(ImportPlan *plan, const FFYamlFlag *f)
{
	StringInfo	buf = &plan->flags_json;

	json_next_record(buf, &plan->nflags_to_write);
	appendStringInfoString(buf, "{\"key\":");
	json_string(buf, f->key);
	appendStringInfoString(buf, ",\"name\":");
	json_string(buf, f->name);
	appendStringInfoString(buf, ",\"description\":");
	json_string(buf, f->description);
	appendStringInfo(buf, ",\"default_enabled\":%s,\"is_public\":%s,"
					 "\"rollout_percentage\":%d,\"deprecated\":%s,\"environments\":",
					 f->default_enabled ? "true" : "false",
					 f->is_public ? "true" : "false",
					 f->rollout_percentage,
					 f->deprecated ? "true" : "false");
	if (f->has_environments)
		json_string_list(buf, &f->environments);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoChar(buf, '}');
}

/* qsort: document flags by key. */
static int
compare_doc_flag_ptrs(const void *a, const void *b)
{
	return strcmp((*(const FFYamlFlag *const *) a)->key,
				  (*(const FFYamlFlag *const *) b)->key);
}

/* Merge the document's flags with the stored ones (both by key). */
static void
plan_flags(ImportPlan *plan, const FFYamlDocument *doc)
{
	const FFYamlFlag **sorted = palloc(sizeof(FFYamlFlag *) * Max(doc->nflags, 1));
	int			s = 0;

	plan->sorted_doc = sorted;
	for (size_t i = 0; i < doc->nflags; i++)
		sorted[i] = &doc->flags[i];
	if (doc->nflags > 1)
		qsort(sorted, doc->nflags, sizeof(FFYamlFlag *), compare_doc_flag_ptrs);

	for (size_t i = 0; i < doc->nflags; i++)
	{
		const FFYamlFlag *f = sorted[i];
		size_t		pos = f - doc->flags;
		int			cmp = 1;

		while (s < plan->nstored && (cmp = strcmp(plan->stored[s].key, f->key)) < 0)
			s++;
		if (s < plan->nstored && cmp == 0)
		{
			plan->stored_in_document[s] = true;
			plan->flag_actions[pos] = ff_yaml_flags_equal(&plan->stored[s], f) ? "unchanged" : "updated";
		}
		else
			plan->flag_actions[pos] = "created";
		if (strcmp(plan->flag_actions[pos], "unchanged") != 0)
			plan_flag_write(plan, f);
	}

	if (!plan->prune)
		return;
	for (int i = 0; i < plan->nstored; i++)
		if (!plan->stored_in_document[i])
		{
			plan->deleted_keys = accumArrayResult(plan->deleted_keys,
												  CStringGetTextDatum(plan->stored[i].key),
												  false, TEXTOID, CurrentMemoryContext);
			plan->ndeleted++;
		}
}

/* Binary search of a sorted array of n elements; the comparator sees the key first. */
static void *
search_sorted(const void *key, void *base, size_t n, size_t size,
			  int (*compare) (const void *key, const void *element))
{
	return n > 0 ? bsearch(key, base, n, size, compare) : NULL;
}

/* bsearch: a key against a document flag pointer. */
static int
compare_key_doc_flag(const void *key, const void *element)
{
	return strcmp((const char *) key, (*(const FFYamlFlag *const *) element)->key);
}

/* bsearch: a key against a stored flag. */
static int
compare_key_stored_flag(const void *key, const void *element)
{
	return strcmp((const char *) key, ((const FFYamlFlag *) element)->key);
}

/* True when a flag will exist after the import. */
static bool
flag_will_exist(const ImportPlan *plan, const FFYamlDocument *doc, const char *key)
{
	const FFYamlFlag *stored;

	if (search_sorted(key, plan->sorted_doc, doc->nflags, sizeof(FFYamlFlag *),
					  compare_key_doc_flag))
		return true;
	stored = search_sorted(key, plan->stored, plan->nstored, sizeof(FFYamlFlag),
						   compare_key_stored_flag);
	return stored != NULL && !plan->prune;
}

/* The stored overrides of the tenants the document names, by tenant and flag. */
static FFYamlOverride *
read_stored_overrides(const char *overrides_table, const FFYamlDocument *doc, int *count)
{
	ArrayBuildState *tenants = NULL;

	for (size_t i = 0; i < doc->noverrides; i++)
		tenants = accumArrayResult(tenants, CStringGetTextDatum(doc->overrides[i].tenant_id),
								   false, TEXTOID, CurrentMemoryContext);
	return ff_read_override_rows(overrides_table, makeArrayResult(tenants, CurrentMemoryContext),
								 count);
}

/* bsearch: a document override against a stored one (by tenant, then flag). */
static int
compare_override_stored(const void *key, const void *element)
{
	const FFYamlOverride *o = key;
	const FFYamlOverride *s = element;
	int			cmp = strcmp(o->tenant_id, s->tenant_id);

	return cmp != 0 ? cmp : strcmp(o->flag_key, s->flag_key);
}

/* The stored override of (tenant, flag), or NULL (rows are sorted). */
static FFYamlOverride *
find_stored_override(FFYamlOverride *rows, int count, const FFYamlOverride *o)
{
	return search_sorted(o, rows, count, sizeof(FFYamlOverride), compare_override_stored);
}

/* Apply the fields the document gives to a stored (or new) override. */
static FFYamlOverride
merged_override(const FFYamlOverride *stored, const FFYamlOverride *o)
{
	FFYamlOverride m;

	if (stored)
		m = *stored;
	else
	{
		memset(&m, 0, sizeof(m));
		m.enabled = -1;
		m.rollout_percentage = -1;
	}
	m.tenant_id = o->tenant_id;
	m.flag_key = o->flag_key;
	if (o->has_enabled)
		m.enabled = o->enabled;
	if (o->has_rollout)
		m.rollout_percentage = o->rollout_percentage;
	if (o->has_users)
		m.users = o->users;
	if (o->has_groups)
		m.groups = o->groups;
	return m;
}

/* Add an override to the rows to write. */
static void
plan_override_write(ImportPlan *plan, const FFYamlOverride *m)
{
	StringInfo	buf = &plan->overrides_json;

	json_next_record(buf, &plan->noverrides_to_write);
	appendStringInfoString(buf, "{\"tenant_id\":");
	json_string(buf, m->tenant_id);
	appendStringInfoString(buf, ",\"flag_key\":");
	json_string(buf, m->flag_key);
	appendStringInfo(buf, ",\"enabled\":%s,\"rollout_percentage\":",
					 m->enabled < 0 ? "null" : m->enabled ? "true" : "false");
	if (m->rollout_percentage < 0)
		appendStringInfoString(buf, "null");
	else
		appendStringInfo(buf, "%d", m->rollout_percentage);
	appendStringInfoString(buf, ",\"enabled_for_users\":");
	json_string_list(buf, &m->users);
	appendStringInfoString(buf, ",\"enabled_for_groups\":");
	json_string_list(buf, &m->groups);
	appendStringInfoChar(buf, '}');
}

/* Check and merge the document's overrides with the stored ones. */
static void
plan_overrides(ImportPlan *plan, const FFYamlDocument *doc, const char *overrides_table)
{
	FFYamlOverride *stored;
	int			nstored = 0;

	if (doc->noverrides == 0)
		return;
	for (size_t i = 0; i < doc->noverrides; i++)
		if (!flag_will_exist(plan, doc, doc->overrides[i].flag_key))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("invalid flag file at line %d, column %d: override of unknown flag \"%s\" for tenant \"%s\"",
							doc->overrides[i].line, doc->overrides[i].column,
							doc->overrides[i].flag_key, doc->overrides[i].tenant_id),
					 errhint("Define the flag under flags: in the same file, or create it first.")));

	stored = read_stored_overrides(overrides_table, doc, &nstored);
	for (size_t i = 0; i < doc->noverrides; i++)
	{
		const FFYamlOverride *o = &doc->overrides[i];
		FFYamlOverride *s = find_stored_override(stored, nstored, o);
		FFYamlOverride m = merged_override(s, o);

		if (s && m.enabled == s->enabled && m.rollout_percentage == s->rollout_percentage &&
			ff_yaml_lists_equal(&m.users, &s->users) && ff_yaml_lists_equal(&m.groups, &s->groups))
		{
			plan->overrides_unchanged++;
			continue;
		}
		if (s)
			plan->overrides_updated++;
		else
			plan->overrides_created++;
		plan_override_write(plan, &m);
	}
}

/* Run a writing statement with one argument. */
static void
execute_write(const char *sql, Oid argtype, Datum arg, int expected)
{
	Oid			argtypes[1] = {argtype};
	Datum		values[1] = {arg};
	int			rc = SPI_execute_with_args(sql, 1, argtypes, values, NULL, false, 0);

	if (rc != expected)
		elog(ERROR, "SPI_execute_with_args failed (%d): %s", rc, sql);
}

/* Write what the plan says. */
static void
apply_plan(ImportPlan *plan, const char *flags_table, const char *overrides_table)
{
	if (plan->ndeleted > 0)
		execute_write(psprintf("DELETE FROM %s WHERE key OPERATOR(pg_catalog.=) ANY ($1)",
							   flags_table),
					  TEXTARRAYOID, makeArrayResult(plan->deleted_keys, CurrentMemoryContext),
					  SPI_OK_DELETE);
	if (plan->nflags_to_write > 0)
	{
		appendStringInfoChar(&plan->flags_json, ']');
		execute_write(psprintf("INSERT INTO %s AS f (key, name, description, default_enabled,"
							   " is_public, rollout_percentage, deprecated, environments)"
							   " SELECT r.key, r.name, r.description, r.default_enabled, r.is_public,"
							   " r.rollout_percentage, r.deprecated, r.environments"
							   " FROM pg_catalog.jsonb_to_recordset($1::pg_catalog.jsonb) AS r("
							   "key pg_catalog.text, name pg_catalog.text, description pg_catalog.text,"
							   " default_enabled pg_catalog.bool, is_public pg_catalog.bool,"
							   " rollout_percentage pg_catalog.int4, deprecated pg_catalog.bool,"
							   " environments pg_catalog.text[])"
							   " ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name,"
							   " description = EXCLUDED.description,"
							   " default_enabled = EXCLUDED.default_enabled,"
							   " is_public = EXCLUDED.is_public,"
							   " rollout_percentage = EXCLUDED.rollout_percentage,"
							   " deprecated = EXCLUDED.deprecated,"
							   " environments = EXCLUDED.environments", flags_table),
					  TEXTOID, CStringGetTextDatum(plan->flags_json.data), SPI_OK_INSERT);
	}
	if (plan->noverrides_to_write > 0)
	{
		appendStringInfoChar(&plan->overrides_json, ']');
		execute_write(psprintf("INSERT INTO %s AS o (tenant_id, flag_key, enabled,"
							   " rollout_percentage, enabled_for_users, enabled_for_groups, updated_by)"
							   " SELECT r.tenant_id, r.flag_key, r.enabled, r.rollout_percentage,"
							   " r.enabled_for_users, r.enabled_for_groups, CURRENT_USER"
							   " FROM pg_catalog.jsonb_to_recordset($1::pg_catalog.jsonb) AS r("
							   "tenant_id pg_catalog.text, flag_key pg_catalog.text, enabled pg_catalog.bool,"
							   " rollout_percentage pg_catalog.int4, enabled_for_users pg_catalog.text[],"
							   " enabled_for_groups pg_catalog.text[])"
							   " ON CONFLICT (tenant_id, flag_key) DO UPDATE SET"
							   " enabled = EXCLUDED.enabled,"
							   " rollout_percentage = EXCLUDED.rollout_percentage,"
							   " enabled_for_users = EXCLUDED.enabled_for_users,"
							   " enabled_for_groups = EXCLUDED.enabled_for_groups,"
							   " updated_by = EXCLUDED.updated_by", overrides_table),
					  TEXTOID, CStringGetTextDatum(plan->overrides_json.data), SPI_OK_INSERT);
	}
}

/* Emit the result rows: document flags in document order, then deletions. */
static void
emit_rows(FunctionCallInfo fcinfo, const ImportPlan *plan, const FFYamlDocument *doc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	for (size_t i = 0; i < doc->nflags; i++)
	{
		Datum		values[2] = {CStringGetTextDatum(doc->flags[i].key),
		CStringGetTextDatum(plan->flag_actions[i])};
		bool		nulls[2] = {false, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	for (int i = 0; i < plan->nstored; i++)
		if (plan->prune && !plan->stored_in_document[i])
		{
			Datum		values[2] = {CStringGetTextDatum(plan->stored[i].key),
			CStringGetTextDatum("deleted")};
			bool		nulls[2] = {false, false};

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
}

/* Plan, apply and report a parsed document (SPI connected). */
static void
import_document(FunctionCallInfo fcinfo, const FFYamlDocument *doc, bool prune, bool dry_run)
{
	char	   *flags_table = ff_qualified_table_name(ff_flags_relid());
	char	   *overrides_table = ff_qualified_table_name(ff_overrides_relid());
	ImportPlan	plan;

	memset(&plan, 0, sizeof(plan));
	initStringInfo(&plan.flags_json);
	initStringInfo(&plan.overrides_json);
	plan.flag_actions = palloc0(sizeof(char *) * Max(doc->nflags, 1));
	plan.prune = prune;

	/* One sync at a time; readers and evaluation are not blocked. */
	if (!dry_run)
		SPI_execute(psprintf("LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE", flags_table), false, 0);
	plan.stored = ff_read_flag_rows(flags_table, &plan.nstored);
	plan.stored_in_document = palloc0(sizeof(bool) * Max(plan.nstored, 1));
	plan_flags(&plan, doc);
	plan_overrides(&plan, doc, overrides_table);
	if (!dry_run)
		apply_plan(&plan, flags_table, overrides_table);
	emit_rows(fcinfo, &plan, doc);
	if (doc->noverrides > 0)
		ereport(NOTICE,
				(errmsg("%soverrides: %d created, %d updated, %d unchanged",
						dry_run ? "dry run: " : "",
						plan.overrides_created, plan.overrides_updated,
						plan.overrides_unchanged)));
}

/*
 * flagforge_import_yaml(document text, prune boolean, dry_run boolean)
 * RETURNS TABLE(flag_key text, action text)
 */
Datum
flagforge_import_yaml(PG_FUNCTION_ARGS)
{
	FFYamlDocument doc;
	bool		prune = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	bool		dry_run = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("document must not be NULL"),
				 errhint("Pass the text of a flag file, e.g. pg_read_file('feature-flags.yaml') or a $$ quoted literal.")));
	InitMaterializedSRF(fcinfo, 0);
	parse_or_report(PG_GETARG_TEXT_PP(0), &doc);
	if (prune && doc.nflags == 0)
	{
		ff_yaml_document_free(&doc);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("refusing to prune with a flag file that defines no flags"),
				 errdetail("Every flag would be deleted: an empty or truncated file is more likely a mistake."),
				 errhint("To remove every flag, run TRUNCATE flagforge_flags CASCADE.")));
	}

	/* The document is malloc'd by the reader: free it on every path. */
	PG_TRY();
	{
		report_warnings(&doc);
		SPI_connect();
		import_document(fcinfo, &doc, prune, dry_run);
		SPI_finish();
	}
	PG_FINALLY();
	{
		ff_yaml_document_free(&doc);
	}
	PG_END_TRY();
	return (Datum) 0;
}
