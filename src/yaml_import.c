/*
 * yaml_import.c
 *      flagforge_import_yaml(document, prune, dry_run): the SQL form of
 *      `flagforge sync`.
 *
 * The document is parsed by the plain-C reader (yaml_parse.c) before
 * anything is read or written; in a database whose encoding is not UTF-8
 * the text is converted to UTF-8 for the reader and every string it gives
 * back to the database encoding.  The flags table is then locked against
 * other syncs, the stored flags are read and merged with the document in C
 * (both sorted by key), and only what differs is written, a batch of
 * FF_YAML_BATCH_ROWS rows per statement with the columns as arrays, so no
 * array, jsonb or string nears PostgreSQL's 1 GB limits however large the
 * file.  So a repeated sync writes nothing (and wakes no cache), and any
 * error (bad YAML, an override of an unknown flag, a constraint) leaves the
 * database as it was: the function runs inside the caller's statement.
 *
 * Overrides are merged field by field into the committed rows: the stored
 * overrides the document names are read FOR UPDATE (READ COMMITTED waits
 * for a concurrent writer and returns what it committed) and each is
 * written with ON CONFLICT DO UPDATE SET only the fields the document gives,
 * so neither a concurrent update of another field nor a concurrent insert
 * of the same override is lost.  Existing overrides are kept; prune deletes
 * only flags (and, through the foreign key, their overrides).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "catalog.h"
#include "field_columns.h"
#include "yaml_compare.h"
#include "yaml_parse.h"
#include "yaml_rows.h"
#include "yaml_targeting.h"

PG_FUNCTION_INFO_V1(flagforge_import_yaml);

/* Most columns a batch writes: two key columns and the fields. */
#define BATCH_MAX_COLUMNS (2 + FF_MAX_FIELDS)

/* The sets of override fields a document override may give (bit i: field i). */
#define FIELD_MASKS (1 << FF_OVR_NFIELDS)

/* What the import does to a flag: the action column of the result. */
typedef enum ImportAction
{
	ACTION_CREATED,
	ACTION_UPDATED,
	ACTION_UNCHANGED,
	ACTION_DELETED
} ImportAction;

static const char *const action_names[] = {
	[ACTION_CREATED] = "created",
	[ACTION_UPDATED] = "updated",
	[ACTION_UNCHANGED] = "unchanged",
	[ACTION_DELETED] = "deleted"
};

/*
 * Rows gathered column by column, written by one prepared statement whose
 * parameters are the columns as arrays ($1 the first column...), each time
 * FF_YAML_BATCH_ROWS rows are gathered and at the end.
 */
typedef struct RowBatch
{
	const char *sql;			/* the statement, prepared at the first flush */
	SPIPlanPtr	plan;
	int			expected;		/* SPI_OK_INSERT or SPI_OK_DELETE */
	int			ncolumns;
	Oid			types[BATCH_MAX_COLUMNS];	/* element types */
	Datum	   *values[BATCH_MAX_COLUMNS];	/* per column, FF_YAML_BATCH_ROWS */
	bool	   *nulls[BATCH_MAX_COLUMNS];
	int			nrows;
	int			column;			/* next column of the row being added */
	MemoryContext cxt;			/* the values; reset by each flush */
} RowBatch;

/* What the import found to do. */
typedef struct ImportPlan
{
	const FFYamlDocument *doc;
	const char *flags_table;
	const char *overrides_table;
	bool		prune;
	bool		dry_run;
	ImportAction *flag_actions; /* per document flag: created/updated/unchanged */
	const FFYamlFlag **sorted_doc;	/* document flags by key */
	size_t		merged;			/* sorted_doc[0..merged) are merged with the stored */
	const FFYamlFlag **flags_to_write;	/* created and updated flags */
	size_t		nflags_to_write;
	char	  **stored_only;		/* keys of stored flags not in the document, by key */
	size_t		nstored_only;
	size_t		stored_only_cap;
	unsigned   *targeting_writes;	/* per document flag: bits of the computed
									 * fields (rules, prerequisites) to replace */
	bool		flag_targeting; /* some flag gives rules or prerequisites */
	bool		override_rules; /* some override gives rules */
	const FFYamlOverride **rule_writes; /* overrides whose rules to replace */
	size_t		nrule_writes;
	RowBatch   *override_writes[FIELD_MASKS];	/* by the fields rows set */
	int			overrides_created;
	int			overrides_updated;
	int			overrides_unchanged;
} ImportPlan;

/* A zeroed array of n elements that may exceed 1 GB. */
static void *
huge_array(size_t n, size_t elem_size)
{
	return palloc_extended(Max(n, 1) * elem_size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

/* ----------------------------------------------------------------
 * Reading the document
 * ----------------------------------------------------------------
 */

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
		case FF_YAML_INTERRUPTED:
			return ERRCODE_QUERY_CANCELED;
		default:
			return ERRCODE_INVALID_PARAMETER_VALUE;
	}
}

/* What to do about an error of this kind. */
static const char *
hint_of_error(const FFYamlError *err)
{
	switch (err->status)
	{
		case FF_YAML_SYNTAX:
			return "Check the YAML syntax around that position (indentation, a missing colon, an unclosed quote or bracket).";
		case FF_YAML_UNKNOWN_FIELD:
			{
				char		flag_names[512];
				char		override_names[512];

				return psprintf("A flag's fields are %s; an override's are %s.",
								ff_field_names(&ff_flag_fields, "and", flag_names, sizeof(flag_names)),
								ff_field_names(&ff_override_fields, "and", override_names,
											   sizeof(override_names)));
			}
		case FF_YAML_TYPE:
			return "Quote a value that must be a string; write booleans as true/false and rollout_percentage as a whole number.";
		case FF_YAML_RANGE:
			return "rollout_percentage is a whole number from 0 to 100; flag keys are 1 to 255 characters.";
		case FF_YAML_DUPLICATE:
			return "Each key may appear once in a mapping; remove or merge the repeated one.";
		case FF_YAML_MISSING:
			if (err->flag_key[0] != '\0')
				return "Every flag needs a name.";
			return "A flag file is a mapping with a flags: key (flag key to fields), as the FlagForge library requires; a file that defines no flags says flags: {}.";
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
	const char *message = ff_yaml_pg_message_to_server(err->message);
	const char *flag_key = ff_yaml_pg_message_to_server(err->flag_key);
	const char *tenant_id = ff_yaml_pg_message_to_server(err->tenant_id);
	const char *field = ff_yaml_pg_message_to_server(err->field);

	ereport(ERROR,
			(errcode(errcode_of_status(err->status)),
			 errmsg("invalid flag file at line %d, column %d: %s",
					err->line, err->column, message),
			 flag_key[0] && tenant_id[0] ?
			 errdetail("In the override of flag \"%s\" for tenant \"%s\"%s%s%s.",
					   flag_key, tenant_id,
					   field[0] ? ", field \"" : "", field, field[0] ? "\"" : "") :
			 flag_key[0] ?
			 errdetail("In flag \"%s\"%s%s%s.", flag_key,
					   field[0] ? ", field \"" : "", field, field[0] ? "\"" : "") : 0,
			 errhint("%s", hint_of_error(err))));
}

/*
 * Parse the document argument (as UTF-8) or report why it is refused; the
 * reader serves interrupts, and one that stopped it is raised here.  The
 * text (a detoasted or converted copy) is freed once parsed.
 */
static void
parse_or_report(FunctionCallInfo fcinfo, FFYamlDocument *doc)
{
	text	   *document = PG_GETARG_TEXT_PP(0);
	FFYamlError err;
	size_t		len;
	const char *utf8 = ff_yaml_pg_text_to_utf8(VARDATA_ANY(document),
											   VARSIZE_ANY_EXHDR(document), &len);
	FFYamlStatus status;

	memset(doc, 0, sizeof(*doc));
	ff_yaml_pg_watch_interrupts();
	status = ff_yaml_parse(utf8, len, doc, &err);
	if (utf8 != VARDATA_ANY(document))
		pfree((char *) utf8);
	if ((Pointer) document != DatumGetPointer(PG_GETARG_DATUM(0)))
		pfree(document);
	if (status == FF_YAML_INTERRUPTED)
		ff_yaml_pg_rethrow_interrupt();
	if (status != FF_YAML_OK)
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

/* ----------------------------------------------------------------
 * Writing in batches
 * ----------------------------------------------------------------
 */

/* "ROWS FROM (pg_catalog.unnest($1), ..., pg_catalog.unnest($n))": n array parameters as columns. */
static char *
unnest_parameters(int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "ROWS FROM (");
	for (int i = 1; i <= n; i++)
		appendStringInfo(&buf, "%spg_catalog.unnest($%d)", i > 1 ? ", " : "", i);
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/* A new empty batch for sql, whose $i is an array of the i-th of types. */
static RowBatch *
batch_new(const char *sql, const Oid *types, int ncolumns, int expected)
{
	RowBatch   *b = palloc0(sizeof(RowBatch));

	Assert(ncolumns <= BATCH_MAX_COLUMNS);
	b->sql = sql;
	b->expected = expected;
	b->ncolumns = ncolumns;
	memcpy(b->types, types, sizeof(Oid) * ncolumns);
	for (int i = 0; i < ncolumns; i++)
	{
		b->values[i] = palloc(sizeof(Datum) * FF_YAML_BATCH_ROWS);
		b->nulls[i] = palloc(sizeof(bool) * FF_YAML_BATCH_ROWS);
	}
	b->cxt = AllocSetContextCreate(CurrentMemoryContext, "flagforge import batch",
								   ALLOCSET_DEFAULT_SIZES);
	return b;
}

/* Set the next column of the row being added. */
static void
batch_value(RowBatch *b, Datum value, bool isnull)
{
	Assert(b->column < b->ncolumns);
	b->values[b->column][b->nrows] = value;
	b->nulls[b->column][b->nrows] = isnull;
	b->column++;
}

/* Set the next column to a copy of a string. */
static void
batch_text(RowBatch *b, const char *s)
{
	MemoryContext old = MemoryContextSwitchTo(b->cxt);

	batch_value(b, CStringGetTextDatum(s), false);
	MemoryContextSwitchTo(old);
}

/*
 * Set the next column to a list as a text[] literal, each item
 * double-quoted ({"a","b \"c\""}).
 */
static void
batch_list(RowBatch *b, const FFYamlStringList *list)
{
	MemoryContext old;
	StringInfoData buf;

	old = MemoryContextSwitchTo(b->cxt);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (size_t i = 0; i < list->count; i++)
	{
		appendStringInfoString(&buf, i > 0 ? ",\"" : "\"");
		for (const char *c = list->items[i]; *c; c++)
		{
			if (*c == '"' || *c == '\\')
				appendStringInfoChar(&buf, '\\');
			appendStringInfoChar(&buf, *c);
		}
		appendStringInfoChar(&buf, '"');
	}
	appendStringInfoChar(&buf, '}');
	batch_value(b, PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len)), false);
	pfree(buf.data);
	MemoryContextSwitchTo(old);
}

/* Set the next column to a record's field: NULL when the field is null. */
static void
batch_field(RowBatch *b, const FFField *field, const void *record)
{
	const void *value = ff_field_value(field, record);

	if (ff_field_is_null(field, record))
	{
		batch_value(b, (Datum) 0, true);
		return;
	}
	switch (field->type)
	{
		case FF_FIELD_STRING:
			batch_text(b, *(char *const *) value);
			break;
		case FF_FIELD_BOOL:
			batch_value(b, BoolGetDatum(field->null == FF_NULL_VALUE ? *(const int *) value > 0
										: *(const bool *) value), false);
			break;
		case FF_FIELD_INT:
			batch_value(b, Int32GetDatum(*(const int *) value), false);
			break;
		case FF_FIELD_STRING_LIST:
			batch_list(b, value);
			break;
		case FF_FIELD_JSON:
			batch_text(b, *(char *const *) value);
			break;
	}
}

/* Set the next columns to every field of a record, in the table's order. */
static void
batch_fields(RowBatch *b, const FFFieldSet *set, const void *record)
{
	for (int i = 0; i < set->count; i++)
		if (!set->fields[i].computed)
			batch_field(b, &set->fields[i], record);
}

/*
 * The element types of a batch: nkeys text key columns, then the column
 * fields (a list or JSON goes as its text, cast in the statement).
 */
static int
batch_types(const FFFieldSet *set, int nkeys, Oid *types)
{
	int			n = nkeys;

	for (int i = 0; i < nkeys; i++)
		types[i] = TEXTOID;
	for (int i = 0; i < set->count; i++)
		if (!set->fields[i].computed)
			types[n++] = set->fields[i].type == FF_FIELD_STRING_LIST ||
				set->fields[i].type == FF_FIELD_JSON ? TEXTOID
				: ff_field_column_type(&set->fields[i]);
	return n;
}

/*
 * "INSERT INTO table AS alias (keys, fields[, extra_column]) SELECT r.keys,
 * r.fields[, extra_value] FROM ROWS FROM (unnest($1)...) AS r(keys, fields)
 * ON CONFLICT (keys) DO ": the upsert of a batch, lists cast back to text[].
 */
static void
append_upsert(StringInfo sql, const char *table, const char *alias, const char *keys,
			  const char *r_keys, int nkeys, const FFFieldSet *set,
			  const char *extra_column, const char *extra_value)
{
	StringInfoData selects;
	int			ncolumns = nkeys;

	initStringInfo(&selects);
	for (int i = 0; i < set->count; i++)
	{
		if (set->fields[i].computed)
			continue;
		ncolumns++;
		appendStringInfo(&selects, set->fields[i].type == FF_FIELD_STRING_LIST
						 ? ", r.%s::pg_catalog.text[]"
						 : set->fields[i].type == FF_FIELD_JSON ? ", r.%s::pg_catalog.jsonb"
						 : ", r.%s", set->fields[i].column);
	}
	appendStringInfo(sql, "INSERT INTO %s AS %s (%s%s%s%s) SELECT %s%s%s%s FROM %s AS r(%s%s)"
					 " ON CONFLICT (%s) DO ",
					 table, alias, keys, ff_field_columns(set, "%s", ~0u, true),
					 extra_column ? ", " : "", extra_column ? extra_column : "",
					 r_keys, selects.data, extra_value ? ", " : "", extra_value ? extra_value : "",
					 unnest_parameters(ncolumns),
					 keys, ff_field_columns(set, "%s", ~0u, true), keys);
}

/* Run the statement on the gathered rows, if any, and start an empty batch. */
static void
batch_flush(RowBatch *b)
{
	Datum		params[BATCH_MAX_COLUMNS];
	MemoryContext old;

	if (b->nrows == 0)
		return;
	CHECK_FOR_INTERRUPTS();
	if (b->plan == NULL)
	{
		Oid			argtypes[BATCH_MAX_COLUMNS];

		for (int i = 0; i < b->ncolumns; i++)
			argtypes[i] = get_array_type(b->types[i]);
		b->plan = SPI_prepare(b->sql, b->ncolumns, argtypes);
		if (b->plan == NULL)
			elog(ERROR, "SPI_prepare failed (%d): %s", SPI_result, b->sql);
	}
	old = MemoryContextSwitchTo(b->cxt);
	for (int i = 0; i < b->ncolumns; i++)
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;
		int			lbound = 1;

		get_typlenbyvalalign(b->types[i], &typlen, &typbyval, &typalign);
		params[i] = PointerGetDatum(construct_md_array(b->values[i], b->nulls[i], 1, &b->nrows,
													   &lbound, b->types[i], typlen,
													   typbyval, typalign));
	}
	MemoryContextSwitchTo(old);
	ff_spi_check(SPI_execute_plan(b->plan, params, NULL, false, 0), b->expected, b->sql);
	b->nrows = 0;
	MemoryContextReset(b->cxt);
}

/* End the row being added; a full batch is written. */
static void
batch_end_row(RowBatch *b)
{
	Assert(b->column == b->ncolumns);
	b->column = 0;
	if (++b->nrows == FF_YAML_BATCH_ROWS)
		batch_flush(b);
}

/* ----------------------------------------------------------------
 * Flags
 * ----------------------------------------------------------------
 */

/*
 * Bits of the computed fields (rules, prerequisites) of a document flag
 * that differ from the stored flag s (NULL: a new flag, compared with none).
 */
static unsigned
computed_changes(const FFYamlFlag *f, const FFYamlFlag *s)
{
	unsigned	mask = 0;

	for (int i = 0; i < ff_flag_fields.count; i++)
	{
		const FFField *field = &ff_flag_fields.fields[i];

		if (field->computed && ff_field_present(field, f) &&
			(s ? strcmp(*(char **) ff_field_value(field, f), *(char **) ff_field_value(field, s)) != 0
			 : strcmp(*(char **) ff_field_value(field, f), field->omit) != 0))
			mask |= 1u << i;
	}
	return mask;
}

/* The same key and column fields (the computed ones are compared apart). */
static bool
columns_equal(const FFYamlFlag *s, const FFYamlFlag *f)
{
	if (strcmp(s->key, f->key) != 0)
		return false;
	for (int i = 0; i < ff_flag_fields.count; i++)
		if (!ff_flag_fields.fields[i].computed &&
			!ff_field_equal(&ff_flag_fields.fields[i], s, f))
			return false;
	return true;
}

/* qsort: document flags by key. */
static int
compare_doc_flag_ptrs(const void *a, const void *b)
{
	return strcmp((*(const FFYamlFlag *const *) a)->key,
				  (*(const FFYamlFlag *const *) b)->key);
}

/* Record what happens to a document flag; write it unless unchanged. */
static void
set_flag_action(ImportPlan *plan, const FFYamlFlag *f, ImportAction action)
{
	plan->flag_actions[f - plan->doc->flags] = action;
	if (action != ACTION_UNCHANGED)
		plan->flags_to_write[plan->nflags_to_write++] = f;
}

/* Remember a stored flag the document does not name (deleted with prune). */
static void
add_stored_only(ImportPlan *plan, const char *key)
{
	if (plan->nstored_only == plan->stored_only_cap)
	{
		plan->stored_only_cap = Max(plan->stored_only_cap * 2, FF_YAML_BATCH_ROWS);
		plan->stored_only = plan->stored_only == NULL
			? huge_array(plan->stored_only_cap, sizeof(char *))
			: repalloc_huge(plan->stored_only, plan->stored_only_cap * sizeof(char *));
	}
	plan->stored_only[plan->nstored_only++] = pstrdup(key);
}

/*
 * FFRowBatchFn: merge a batch of stored flags (by key) with the document's
 * flags (by key) from where the previous batch left off.
 */
static void
merge_stored_flags(void *rows, int n, void *arg)
{
	ImportPlan *plan = arg;
	const FFYamlFlag *stored = rows;
	size_t		ndoc = plan->doc->nflags;

	for (int i = 0; i < n; i++)
	{
		const FFYamlFlag *s = &stored[i];
		int			cmp = 1;

		CHECK_FOR_INTERRUPTS();
		while (plan->merged < ndoc && (cmp = strcmp(plan->sorted_doc[plan->merged]->key, s->key)) < 0)
			set_flag_action(plan, plan->sorted_doc[plan->merged++], ACTION_CREATED);
		if (plan->merged < ndoc && cmp == 0)
		{
			const FFYamlFlag *f = plan->sorted_doc[plan->merged++];

			plan->targeting_writes[f - plan->doc->flags] = computed_changes(f, s);
			set_flag_action(plan, f, columns_equal(s, f) && plan->targeting_writes[f - plan->doc->flags] == 0
							? ACTION_UNCHANGED : ACTION_UPDATED);
		}
		else
			add_stored_only(plan, s->key);
	}
}

/*
 * Merge the document's flags with the stored ones, both by key, reading the
 * stored flags a batch at a time (only the keys of those absent from the
 * document are kept).
 */
static void
plan_flags(ImportPlan *plan)
{
	const FFYamlDocument *doc = plan->doc;
	const FFYamlFlag **sorted = huge_array(doc->nflags, sizeof(FFYamlFlag *));

	plan->sorted_doc = sorted;
	plan->flag_actions = huge_array(doc->nflags, sizeof(ImportAction));
	plan->flags_to_write = huge_array(doc->nflags, sizeof(FFYamlFlag *));
	plan->targeting_writes = huge_array(doc->nflags, sizeof(unsigned));
	for (size_t i = 0; i < doc->nflags; i++)
		sorted[i] = &doc->flags[i];
	if (doc->nflags > 1)
		qsort(sorted, doc->nflags, sizeof(FFYamlFlag *), compare_doc_flag_ptrs);
	ff_read_flag_batches(plan->flags_table, FF_READ_LATEST, plan->flag_targeting,
						 merge_stored_flags, plan);
	while (plan->merged < doc->nflags)
	{
		plan->targeting_writes[sorted[plan->merged] - doc->flags] = computed_changes(sorted[plan->merged], NULL);
		set_flag_action(plan, sorted[plan->merged++], ACTION_CREATED);
	}
}

/* Delete the pruned flags, a batch of keys per statement. */
static void
delete_pruned_flags(const ImportPlan *plan)
{
	static const Oid types[1] = {TEXTOID};
	RowBatch   *b = batch_new(psprintf("DELETE FROM %s WHERE key OPERATOR(pg_catalog.=) ANY ($1)",
									   plan->flags_table), types, 1, SPI_OK_DELETE);

	for (size_t i = 0; i < plan->nstored_only; i++)
	{
		batch_text(b, plan->stored_only[i]);
		batch_end_row(b);
	}
	batch_flush(b);
}

/* Insert or update the created and updated flags, a batch per statement. */
static void
write_flags(const ImportPlan *plan)
{
	Oid			types[BATCH_MAX_COLUMNS];
	int			ncolumns = batch_types(&ff_flag_fields, 1, types);
	StringInfoData sql;
	RowBatch   *b;

	initStringInfo(&sql);
	append_upsert(&sql, plan->flags_table, "f", "key", "r.key", 1, &ff_flag_fields, NULL, NULL);
	appendStringInfo(&sql, "UPDATE SET %s",
					 ff_field_columns(&ff_flag_fields, "%1$s = EXCLUDED.%1$s", ~0u, false));
	b = batch_new(sql.data, types, ncolumns, SPI_OK_INSERT);
	for (size_t i = 0; i < plan->nflags_to_write; i++)
	{
		const FFYamlFlag *f = plan->flags_to_write[i];

		batch_text(b, f->key);
		batch_fields(b, &ff_flag_fields, f);
		batch_end_row(b);
	}
	batch_flush(b);
}

static void replace_malloced(char **target, const char *s);

/* "field of flag "key" (line n)": the context of a value the server refuses. */
static char *
flag_field_context(const FFField *field, const FFYamlFlag *f)
{
	return psprintf("%s of flag \"%s\" (line %d)", field->name, f->key, f->line);
}

/*
 * Replace the rules and prerequisites that changed: every changed flag's
 * prerequisites are deleted before any is inserted, so that a file which
 * reverses a dependency is not refused as a cycle half way.
 */
static void
write_flag_targeting(const ImportPlan *plan)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < plan->nflags_to_write; i++)
		{
			const FFYamlFlag *f = plan->flags_to_write[i];
			unsigned	mask = plan->targeting_writes[f - plan->doc->flags];

			for (int j = 0; j < ff_flag_fields.count; j++)
			{
				const FFField *field = &ff_flag_fields.fields[j];

				if (!(mask & (1u << j)))
					continue;
				CHECK_FOR_INTERRUPTS();
				ff_targeting_replace(field, f->key, NULL,
									 pass == 0 ? NULL : *(char *const *) ff_field_value(field, f),
									 flag_field_context(field, f));
			}
		}
}

/*
 * Bring a document's JSON fields to the canonical text the stored rows
 * are read in (jsonb's, defaults left out), so that they compare as text;
 * a value the server refuses is an error naming the flag and field.
 */
static void
canonicalize_document(FFYamlDocument *doc)
{
	for (size_t i = 0; i < doc->nflags; i++)
		for (int j = 0; j < ff_flag_fields.count; j++)
		{
			const FFField *field = &ff_flag_fields.fields[j];

			if (field->type == FF_FIELD_JSON && ff_field_present(field, &doc->flags[i]) &&
				strcmp(*(char **) ff_field_value(field, &doc->flags[i]), "[]") != 0)
				replace_malloced(ff_field_value(field, &doc->flags[i]),
								 ff_targeting_canonical(field, *(char **) ff_field_value(field, &doc->flags[i]),
														flag_field_context(field, &doc->flags[i])));
		}
	for (size_t i = 0; i < doc->noverrides; i++)
		if (doc->overrides[i].has_rules)
			replace_malloced(&doc->overrides[i].rules,
							 ff_targeting_canonical(&ff_override_fields.fields[FF_OVR_RULES],
													doc->overrides[i].rules,
													psprintf("rules of the override of flag \"%s\" for tenant \"%s\" (line %d)",
															 doc->overrides[i].flag_key,
															 doc->overrides[i].tenant_id,
															 doc->overrides[i].line)));
}

/* Replace a malloc'd string of the document by a malloc'd copy of s. */
static void
replace_malloced(char **target, const char *s)
{
	char	   *copy = ff_core_strndup(s, strlen(s));

	if (copy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while reading the flag file")));
	free(*target);
	*target = copy;
}

/* ----------------------------------------------------------------
 * Overrides
 * ----------------------------------------------------------------
 */

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

/* bsearch: a key against a stored key. */
static int
compare_key_stored_key(const void *key, const void *element)
{
	return strcmp((const char *) key, *(char *const *) element);
}

/* True when a flag will exist after the import. */
static bool
flag_will_exist(const ImportPlan *plan, const char *key)
{
	if (search_sorted(key, plan->sorted_doc, plan->doc->nflags, sizeof(FFYamlFlag *),
					  compare_key_doc_flag))
		return true;
	return !plan->prune &&
		search_sorted(key, plan->stored_only, plan->nstored_only, sizeof(char *),
					  compare_key_stored_key) != NULL;
}

/* Refuse an override of a flag that will not exist, before anything is written. */
static void
check_override_flags(const ImportPlan *plan, const FFYamlDocument *doc)
{
	for (size_t i = 0; i < doc->noverrides; i++)
	{
		const FFYamlOverride *o = &doc->overrides[i];

		CHECK_FOR_INTERRUPTS();
		if (!flag_will_exist(plan, o->flag_key))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("invalid flag file at line %d, column %d: override of unknown flag \"%s\" for tenant \"%s\"",
							o->line, o->column, o->flag_key, o->tenant_id),
					 errhint("Define the flag under flags: in the same file, or create it first.")));
	}
}

/* Order overrides by tenant, then flag (the stored rows' order). */
static int
compare_overrides(const FFYamlOverride *a, const FFYamlOverride *b)
{
	int			cmp = strcmp(a->tenant_id, b->tenant_id);

	return cmp != 0 ? cmp : strcmp(a->flag_key, b->flag_key);
}

/* qsort: document override pointers by tenant and flag. */
static int
compare_override_ptrs(const void *a, const void *b)
{
	return compare_overrides(*(const FFYamlOverride *const *) a,
							 *(const FFYamlOverride *const *) b);
}

/* bsearch: a document override against a stored one. */
static int
compare_override_stored(const void *key, const void *element)
{
	return compare_overrides(key, element);
}

/* The document's overrides by tenant and flag, the order rows are locked in. */
static const FFYamlOverride **
sorted_overrides(const FFYamlDocument *doc)
{
	const FFYamlOverride **sorted = huge_array(doc->noverrides, sizeof(FFYamlOverride *));

	for (size_t i = 0; i < doc->noverrides; i++)
		sorted[i] = &doc->overrides[i];
	if (doc->noverrides > 1)
		qsort(sorted, doc->noverrides, sizeof(FFYamlOverride *), compare_override_ptrs);
	return sorted;
}

/*
 * The stored rows of n document overrides, by tenant and flag, locked
 * unless this is a dry run.
 */
static FFYamlOverride *
read_stored_overrides(const ImportPlan *plan, const FFYamlOverride **overrides, size_t n,
					  int *count)
{
	Datum	   *tenants = palloc(sizeof(Datum) * n);
	Datum	   *flag_keys = palloc(sizeof(Datum) * n);

	for (size_t i = 0; i < n; i++)
	{
		tenants[i] = CStringGetTextDatum(overrides[i]->tenant_id);
		flag_keys[i] = CStringGetTextDatum(overrides[i]->flag_key);
	}
	return ff_read_override_rows(plan->overrides_table,
								 PointerGetDatum(construct_array(tenants, (int) n, TEXTOID, -1, false, TYPALIGN_INT)),
								 PointerGetDatum(construct_array(flag_keys, (int) n, TEXTOID, -1, false, TYPALIGN_INT)),
								 plan->dry_run ? FF_READ_LATEST : FF_READ_LOCKED,
								 plan->override_rules, count);
}

/*
 * The upsert of overrides that give the fields of mask: a new row gets
 * every column, an existing one (even one inserted concurrently) only
 * those fields; nothing when the mask is empty.
 */
static RowBatch *
override_batch(const ImportPlan *plan, unsigned mask)
{
	Oid			types[BATCH_MAX_COLUMNS];
	int			ncolumns = batch_types(&ff_override_fields, 2, types);
	StringInfoData sql;

	initStringInfo(&sql);
	append_upsert(&sql, plan->overrides_table, "o", "tenant_id, flag_key", "r.tenant_id, r.flag_key",
				  2, &ff_override_fields, "updated_by", "CURRENT_USER");
	if (mask == 0)
		appendStringInfoString(&sql, "NOTHING");
	else
		appendStringInfo(&sql, "UPDATE SET %s, updated_by = EXCLUDED.updated_by",
						 ff_field_columns(&ff_override_fields, "%1$s = EXCLUDED.%1$s", mask, false));
	return batch_new(sql.data, types, ncolumns, SPI_OK_INSERT);
}

/* Add an override (its merged fields) to the batch of the fields the document gives. */
static void
write_override(ImportPlan *plan, const FFYamlOverride *o, const FFYamlOverride *m)
{
	unsigned	mask = ff_fields_present_mask(&ff_override_fields, o) &
		ff_fields_column_mask(&ff_override_fields);
	RowBatch   *b;

	if (plan->override_writes[mask] == NULL)
		plan->override_writes[mask] = override_batch(plan, mask);
	b = plan->override_writes[mask];
	batch_text(b, m->tenant_id);
	batch_text(b, m->flag_key);
	batch_fields(b, &ff_override_fields, m);
	batch_end_row(b);
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
		ff_fields_init(&ff_override_fields, &m);
	}
	m.tenant_id = o->tenant_id;
	m.flag_key = o->flag_key;
	for (int i = 0; i < ff_override_fields.count; i++)
		if (ff_field_present(&ff_override_fields.fields[i], o))
			ff_field_copy(&ff_override_fields.fields[i], &m, o);
	return m;
}

/* Count one document override against its stored row and write it if it changes. */
static void
plan_override(ImportPlan *plan, const FFYamlOverride *o, const FFYamlOverride *s)
{
	FFYamlOverride m = merged_override(s, o);
	bool		rules_change = o->has_rules &&
		(s ? !ff_field_equal(&ff_override_fields.fields[FF_OVR_RULES], &m, s)
		 : strcmp(o->rules, "[]") != 0);
	bool		columns_change = s == NULL;

	for (int i = 0; s && i < ff_override_fields.count; i++)
		if (!ff_override_fields.fields[i].computed &&
			!ff_field_equal(&ff_override_fields.fields[i], &m, s))
			columns_change = true;
	if (!columns_change && !rules_change)
	{
		plan->overrides_unchanged++;
		return;
	}
	if (s)
		plan->overrides_updated++;
	else
		plan->overrides_created++;
	if (plan->dry_run)
		return;
	if (columns_change)
		write_override(plan, o, &m);
	if (rules_change)
		plan->rule_writes[plan->nrule_writes++] = o;
}

/*
 * Merge the document's overrides into the stored rows, a batch at a time
 * in (tenant, flag) order: read (and lock) the batch's stored rows, count
 * and write what changes.
 */
static void
import_overrides(ImportPlan *plan, const FFYamlDocument *doc)
{
	const FFYamlOverride **sorted = sorted_overrides(doc);
	MemoryContext read_cxt = AllocSetContextCreate(CurrentMemoryContext,
												   "flagforge import stored overrides",
												   ALLOCSET_DEFAULT_SIZES);

	for (size_t start = 0; start < doc->noverrides; start += FF_YAML_BATCH_ROWS)
	{
		size_t		n = Min(FF_YAML_BATCH_ROWS, doc->noverrides - start);
		MemoryContext old = MemoryContextSwitchTo(read_cxt);
		int			nstored;
		FFYamlOverride *stored = read_stored_overrides(plan, sorted + start, n, &nstored);

		MemoryContextSwitchTo(old);
		for (size_t i = start; i < start + n; i++)
			plan_override(plan, sorted[i],
						  search_sorted(sorted[i], stored, nstored, sizeof(FFYamlOverride),
										compare_override_stored));
		MemoryContextReset(read_cxt);
	}
	for (int mask = 0; mask < FIELD_MASKS; mask++)
		if (plan->override_writes[mask] != NULL)
			batch_flush(plan->override_writes[mask]);
	MemoryContextDelete(read_cxt);
	for (size_t i = 0; i < plan->nrule_writes; i++)
	{
		const FFYamlOverride *o = plan->rule_writes[i];
		const FFField *field = &ff_override_fields.fields[FF_OVR_RULES];
		char	   *what = psprintf("rules of the override of flag \"%s\" for tenant \"%s\" (line %d)",
									o->flag_key, o->tenant_id, o->line);

		ff_targeting_replace(field, o->flag_key, o->tenant_id, NULL, what);
		ff_targeting_replace(field, o->flag_key, o->tenant_id, o->rules, what);
	}
}

/* ----------------------------------------------------------------
 * The import
 * ----------------------------------------------------------------
 */

/* Put one result row (flag key, action). */
static void
put_row(ReturnSetInfo *rsinfo, const char *key, const char *action)
{
	Datum		values[2] = {CStringGetTextDatum(key), CStringGetTextDatum(action)};
	bool		nulls[2] = {false, false};

	CHECK_FOR_INTERRUPTS();
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* Emit the result rows: document flags in document order, then deletions. */
static void
emit_rows(FunctionCallInfo fcinfo, const ImportPlan *plan, const FFYamlDocument *doc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	for (size_t i = 0; i < doc->nflags; i++)
		put_row(rsinfo, doc->flags[i].key, action_names[plan->flag_actions[i]]);
	for (size_t i = 0; plan->prune && i < plan->nstored_only; i++)
		put_row(rsinfo, plan->stored_only[i], action_names[ACTION_DELETED]);
}

/* Plan, apply and report a parsed document (SPI connected). */
static void
import_document(FunctionCallInfo fcinfo, const FFYamlDocument *doc, bool prune, bool dry_run)
{
	ImportPlan	plan;

	memset(&plan, 0, sizeof(plan));
	plan.doc = doc;
	plan.flags_table = ff_qualified_table_name(ff_flags_relid());
	plan.overrides_table = ff_qualified_table_name(ff_overrides_relid());
	plan.prune = prune;
	plan.dry_run = dry_run;

	/* One sync at a time; readers and evaluation are not blocked. */
	if (!dry_run)
		(void) ff_spi_execute(psprintf("LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE", plan.flags_table),
							  0, NULL, NULL, NULL, false, 0, SPI_OK_UTILITY);
	plan.rule_writes = huge_array(doc->noverrides, sizeof(FFYamlOverride *));
	for (size_t i = 0; i < doc->nflags; i++)
		plan.flag_targeting |= doc->flags[i].has_rules || doc->flags[i].has_prerequisites;
	for (size_t i = 0; i < doc->noverrides; i++)
		plan.override_rules |= doc->overrides[i].has_rules;
	plan_flags(&plan);
	check_override_flags(&plan, doc);
	if (!dry_run)
	{
		if (prune)
			delete_pruned_flags(&plan);
		write_flags(&plan);
		if (doc->segments != NULL)
			ff_targeting_write_segments(doc->segments);
		write_flag_targeting(&plan);
	}
	import_overrides(&plan, doc);
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
	parse_or_report(fcinfo, &doc);

	/* The document is malloc'd by the reader: free it on every path. */
	PG_TRY();
	{
		ff_yaml_pg_document_to_server(&doc);
		if (prune && doc.nflags == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("refusing to prune with a flag file that defines no flags"),
					 errdetail("Every flag would be deleted: an empty or truncated file is more likely a mistake."),
					 errhint("To remove every flag, run TRUNCATE flagforge_flags CASCADE.")));
		report_warnings(&doc);
		SPI_connect();
		canonicalize_document(&doc);
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
