/*
 * yaml_targeting.c
 *      The 1.1 targeting of the flag file in SQL; see yaml_targeting.h.
 *
 * One row source per table gives the same columns for stored rows and for
 * a document's JSON (its defaults filled in), and one object expression
 * turns such a row into the canonical JSON the file shows (defaults left
 * out), so stored and document values compare as text and what is
 * inserted is what was compared.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "yaml_targeting.h"

/* Columns of a rule row source t. */
#define RULE_COLUMNS "t(strategy, parameters, constraints, segments, variants, position)"
/* Columns of a prerequisite row source t. */
#define PREREQUISITE_COLUMNS "t(parent_key, enabled, variants)"

/* A rule row t as its canonical object: strategy, then what is not a default. */
static const char rule_object[] =
	"pg_catalog.jsonb_build_object('strategy', t.strategy)"
	" OPERATOR(pg_catalog.||) CASE WHEN t.parameters OPERATOR(pg_catalog.=) '{}' THEN '{}'"
	"  ELSE pg_catalog.jsonb_build_object('parameters', t.parameters) END"
	" OPERATOR(pg_catalog.||) CASE WHEN t.constraints OPERATOR(pg_catalog.=) '[]' THEN '{}'"
	"  ELSE pg_catalog.jsonb_build_object('constraints', t.constraints) END"
	" OPERATOR(pg_catalog.||) CASE WHEN pg_catalog.cardinality(t.segments) OPERATOR(pg_catalog.=) 0 THEN '{}'"
	"  ELSE pg_catalog.jsonb_build_object('segments', pg_catalog.to_jsonb(t.segments)) END"
	" OPERATOR(pg_catalog.||) CASE WHEN t.variants OPERATOR(pg_catalog.=) '[]' THEN '{}'"
	"  ELSE pg_catalog.jsonb_build_object('variants', t.variants) END";

/* A prerequisite row t as its canonical object. */
static const char prerequisite_object[] =
	"pg_catalog.jsonb_build_object('flag', t.parent_key)"
	" OPERATOR(pg_catalog.||) CASE WHEN t.enabled THEN '{}'::pg_catalog.jsonb ELSE '{\"enabled\": false}'::pg_catalog.jsonb END"
	" OPERATOR(pg_catalog.||) CASE WHEN pg_catalog.cardinality(t.variants) OPERATOR(pg_catalog.=) 0 THEN '{}'"
	"  ELSE pg_catalog.jsonb_build_object('variants', pg_catalog.to_jsonb(t.variants)) END";

/* The rules of a document ($1, a jsonb array), defaults filled in, as RULE_COLUMNS. */
static const char document_rules[] =
	"SELECT COALESCE(d.e OPERATOR(pg_catalog.->>) 'strategy', 'default'),"
	" COALESCE(d.e OPERATOR(pg_catalog.->) 'parameters', '{}'),"
	" COALESCE(d.e OPERATOR(pg_catalog.->) 'constraints', '[]'),"
	" ARRAY(SELECT x::pg_catalog.int4 FROM pg_catalog.jsonb_array_elements_text("
	"   COALESCE(d.e OPERATOR(pg_catalog.->) 'segments', '[]')) x),"
	" COALESCE(d.e OPERATOR(pg_catalog.->) 'variants', '[]'), d.n - 1"
	" FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY AS d(e, n)";

/* The prerequisites of a document ($1), defaults filled in, as PREREQUISITE_COLUMNS. */
static const char document_prerequisites[] =
	"SELECT d.e OPERATOR(pg_catalog.->>) 'flag',"
	/* absent: true; a boolean as it is; anything else (null too, whatever the
	 * version's jsonb casts do) an error that says what it must be */
	" CASE pg_catalog.jsonb_typeof(d.e OPERATOR(pg_catalog.->) 'enabled')"
	"   WHEN 'boolean' THEN (d.e OPERATOR(pg_catalog.->>) 'enabled')::pg_catalog.bool"
	"   ELSE COALESCE(('a prerequisite''s enabled must be true or false, not '"
	"     OPERATOR(pg_catalog.||) pg_catalog.jsonb_typeof(d.e OPERATOR(pg_catalog.->) 'enabled'))::pg_catalog.bool, true) END,"
	" ARRAY(SELECT pg_catalog.jsonb_array_elements_text("
	"   COALESCE(d.e OPERATOR(pg_catalog.->) 'variants', '[]')))"
	" FROM pg_catalog.jsonb_array_elements($1) AS d(e)";

/* Is the field a flag's or override's rules (else its prerequisites)? */
static bool
is_rules(const FFField *field)
{
	return strcmp(field->name, "rules") == 0;
}

/* The canonical jsonb array of the rows of a source (RULE_ or PREREQUISITE_COLUMNS). */
static char *
aggregate(const FFField *field, const char *source)
{
	if (is_rules(field))
		return psprintf("(SELECT COALESCE(pg_catalog.jsonb_agg(%s ORDER BY t.position), '[]')"
						" FROM (%s) AS " RULE_COLUMNS ")", rule_object, source);
	return psprintf("(SELECT COALESCE(pg_catalog.jsonb_agg(%s ORDER BY t.parent_key COLLATE \"C\"), '[]')"
					" FROM (%s) AS " PREREQUISITE_COLUMNS ")", prerequisite_object, source);
}

/* The jsonb expression that reads a computed field of the row f or o. */
char *
ff_targeting_read_expr(const FFField *field, bool override)
{
	if (is_rules(field))
		return aggregate(field, psprintf("SELECT r.strategy, r.parameters, r.constraints, r.segments,"
										 " r.variants, r.position FROM %s r"
										 " WHERE r.flag_key OPERATOR(pg_catalog.=) %s"
										 " AND r.tenant_id %s",
										 ff_qualified_table_name(ff_relid(FF_REL_RULES)),
										 override ? "o.flag_key" : "f.key",
										 override ? "OPERATOR(pg_catalog.=) o.tenant_id" : "IS NULL"));
	return aggregate(field, psprintf("SELECT p.parent_key, p.enabled, p.variants FROM %s p"
									 " WHERE p.flag_key OPERATOR(pg_catalog.=) f.key",
									 ff_qualified_table_name(ff_relid(FF_REL_PREREQUISITES))));
}

/* errcontext callback: the flag and field whose value the server refused. */
static void
targeting_context(void *arg)
{
	errcontext("%s", (const char *) arg);
}

/* Run sql ($1 jsonb, then text parameters) under an error context naming what. */
static uint64
run_with_context(const char *sql, const char *json, const char *key, const char *tenant,
				 const char *what, int expected)
{
	ErrorContextCallback callback = {error_context_stack, targeting_context, (void *) what};
	Oid			types[3] = {JSONBOID, TEXTOID, TEXTOID};
	Datum		values[3];
	char		nulls[3] = {' ', key ? ' ' : 'n', tenant ? ' ' : 'n'};
	uint64		n;

	values[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
	values[1] = key ? CStringGetTextDatum(key) : (Datum) 0;
	values[2] = tenant ? CStringGetTextDatum(tenant) : (Datum) 0;
	error_context_stack = &callback;
	n = ff_spi_execute(sql, 3, types, values, nulls, false, 0, expected);
	error_context_stack = callback.previous;
	return n;
}

/* A document's JSON field value in canonical form. */
char *
ff_targeting_canonical(const FFField *field, const char *json, const char *what)
{
	const char *sql = !field->computed ? "SELECT $1::pg_catalog.text"
		: psprintf("SELECT %s::pg_catalog.text",
				   aggregate(field, is_rules(field) ? document_rules : document_prerequisites));

	if (field->omit != NULL && strcmp(json, field->omit) == 0)
		return pstrdup(json);
	if (run_with_context(sql, json, NULL, NULL, what, SPI_OK_SELECT) != 1)
		elog(ERROR, "flagforge: canonical form of %s not found", field->name);
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* Replace a flag's (or a tenant's) rules, or a flag's prerequisites. */
void
ff_targeting_replace(const FFField *field, const char *flag_key, const char *tenant_id,
					 const char *json, const char *what)
{
	const char *table = ff_qualified_table_name(ff_relid(is_rules(field) ? FF_REL_RULES
														  : FF_REL_PREREQUISITES));

	if (json == NULL)
	{
		char	   *owned = psprintf("FROM %s WHERE flag_key OPERATOR(pg_catalog.=) $2%s", table,
									 !is_rules(field) ? "" : tenant_id ? " AND tenant_id OPERATOR(pg_catalog.=) $3"
									 : " AND tenant_id IS NULL AND $3 IS NULL");

		run_with_context(psprintf("DELETE %s", owned), "[]", flag_key, tenant_id, what,
						 SPI_OK_DELETE);
		/* Row-level security may let a role see rows it may not delete: say so. */
		if (run_with_context(psprintf("SELECT 1 %s LIMIT 1", owned), "[]", flag_key, tenant_id,
							 what, SPI_OK_SELECT) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("the %s of flag \"%s\" could not be replaced: some may not be deleted by role \"%s\"",
							is_rules(field) ? "rules" : "prerequisites", flag_key,
							GetUserNameFromId(GetUserId(), false)),
					 errhint("Row-level security lets a role bound to tenants replace only its own tenants' rules.")));
		return;
	}
	if (is_rules(field))
		run_with_context(psprintf("INSERT INTO %s (flag_key, tenant_id, position, strategy, parameters,"
								  " constraints, segments, variants) SELECT $2, $3, t.position, t.strategy,"
								  " t.parameters, t.constraints, t.segments, t.variants FROM (%s) AS "
								  RULE_COLUMNS, table, document_rules),
						 json, flag_key, tenant_id, what, SPI_OK_INSERT);
	else
		run_with_context(psprintf("INSERT INTO %s (flag_key, parent_key, enabled, variants)"
								  " SELECT $2, t.parent_key, t.enabled, t.variants FROM (%s) AS "
								  PREREQUISITE_COLUMNS " WHERE $3 IS NULL", table, document_prerequisites),
						 json, flag_key, tenant_id, what, SPI_OK_INSERT);
}

/* The stored segments as canonical JSON text. */
char *
ff_targeting_read_segments(void)
{
	ff_spi_execute(psprintf("SELECT COALESCE(pg_catalog.jsonb_object_agg(s.id::pg_catalog.text,"
							" pg_catalog.jsonb_build_object('name', s.name, 'constraints', s.constraints)),"
							" '{}')::pg_catalog.text FROM %s s",
							ff_qualified_table_name(ff_relid(FF_REL_SEGMENTS))),
				   0, NULL, NULL, NULL, true, 0, SPI_OK_SELECT);
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* Insert or update the document's segments; unchanged ones are not written. */
void
ff_targeting_write_segments(const char *json)
{
	run_with_context(psprintf("INSERT INTO %s AS s (id, name, constraints)"
							  " SELECT d.key::pg_catalog.int4,"
							  " COALESCE(d.value OPERATOR(pg_catalog.->>) 'name', ''),"
							  " COALESCE(d.value OPERATOR(pg_catalog.->) 'constraints', '[]')"
							  " FROM pg_catalog.jsonb_each($1) AS d WHERE $2 IS NULL AND $3 IS NULL"
							  " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
							  " constraints = EXCLUDED.constraints"
							  " WHERE NOT (s.name OPERATOR(pg_catalog.=) EXCLUDED.name AND s.constraints OPERATOR(pg_catalog.=) EXCLUDED.constraints)",
							  ff_qualified_table_name(ff_relid(FF_REL_SEGMENTS))),
					 json, NULL, NULL, "in the segments of the flag file", SPI_OK_INSERT);
}
