/*
 * commands.c
 *      The flagforge client's commands: each is one call of the extension's
 *      SQL function of the same job, and prints its rows.
 *
 *   sync     flagforge_import_yaml(document, prune, dry_run)
 *   status   flagforge_status(tenant, user, groups, environment), or with
 *            Unleash's context flagforge_evaluate_all(context) and each
 *            key's flagforge_explain and flagforge_variant
 *   enable   flagforge_enable(flag, tenant)
 *   disable  flagforge_disable(flag, tenant)
 *   export   flagforge_export_yaml(include_overrides)
 *   explain  flagforge_explain(flag, tenant, user, groups, environment), or
 *            with Unleash's context flagforge_explain and flagforge_variant
 *            (flag, context)
 *
 * Query texts hold only the schema (quoted by libpq) and qualified names;
 * every value is a parameter (Unleash's context is built from them on the
 * server, CLI_CONTEXT_JSONB).  Each command is one statement, so it is
 * all or nothing on the server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flagforge_cli.h"

/* The text of a query with the schema put in for each %s (at most three). */
static char *
query_text(const char *format, const char *schema)
{
	size_t		size = strlen(format) + 3 * strlen(schema) + 1;
	char	   *sql = cli_malloc(size);

	snprintf(sql, size, format, schema, schema, schema);
	return sql;
}

/* Run a query on the extension's schema; NULL (after the error) on failure. */
static PGresult *
run(PGconn *conn, const char *schema, const char *format, int nparams,
	const unsigned int *types, const char *const *values)
{
	char	   *sql = query_text(format, schema);
	PGresult   *res = cli_query(conn, sql, nparams, types, values);

	free(sql);
	return res;
}

/* A boolean column's value. */
static bool
bool_value(const PGresult *res, int row, int col)
{
	return !PQgetisnull(res, row, col) && strcmp(PQgetvalue(res, row, col), "t") == 0;
}

/* A column's value, NULL for SQL NULL. */
static const char *
value_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/*
 * Run a query of status or explain, whose parameters are the context
 * (CLI_CONTEXT_NPARAMS, context.c).  NULL (after the error) on failure.
 */
static PGresult *
run_in_context(PGconn *conn, const char *schema, const char *format, const CliOptions *opts)
{
	CliContextParams params;
	PGresult   *res;

	cli_context_params(opts, &params);
	res = run(conn, schema, format, CLI_CONTEXT_NPARAMS, cli_context_types, params.values);
	cli_context_params_free(&params);
	return res;
}

/* The error for a flag that is not there: 'flag "KEY" does not exist'. */
static void
flag_not_found(const char *flag)
{
	char	   *shown = cli_shown(flag, CLI_SHOW_QUOTED);

	cli_error("flag %s does not exist", shown);
	free(shown);
}

/* The action a sync row reports, CLI_N_ACTIONS for one this client does not know. */
static CliSyncAction
sync_action(const char *action)
{
	static const char *const names[CLI_N_ACTIONS] = {"created", "updated", "unchanged", "deleted"};
	int			a;

	for (a = 0; a < CLI_N_ACTIONS; a++)
		if (strcmp(action, names[a]) == 0)
			return (CliSyncAction) a;
	return CLI_N_ACTIONS;
}

/* sync: import the flag file; one line per flag, then the summary. */
static int
cmd_sync(PGconn *conn, const char *schema, const CliOptions *opts, const CliBuffer *document)
{
	static const unsigned int types[] = {CLI_TEXTOID, CLI_BOOLOID, CLI_BOOLOID};
	const char *values[] = {document->data, opts->prune ? "t" : "f", opts->dry_run ? "t" : "f"};
	int			counts[CLI_N_ACTIONS] = {0};
	PGresult   *res;
	int			i;

	res = run(conn, schema,
			  "SELECT i.flag_key, i.action FROM %s.flagforge_import_yaml($1, prune => $2, dry_run => $3) AS i",
			  3, types, values);
	if (res == NULL)
		return CLI_EXIT_ERROR;
	for (i = 0; i < PQntuples(res); i++)
	{
		CliSyncAction action = sync_action(PQgetvalue(res, i, 1));

		cli_print_sync_row(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
		if (action != CLI_N_ACTIONS)
			counts[action]++;
	}
	cli_print_sync_summary(counts, PQntuples(res), opts->dry_run);
	PQclear(res);
	return CLI_EXIT_OK;
}

/* A text field of the jsonb x.e (flagforge_explain's answer) in a query. */
#define EXPLAIN_FIELD(name) "x.e OPERATOR(pg_catalog.->>) '" name "'"

/* status with the argument form: key, value, reason, no variant. */
static const char status_query[] =
	"SELECT s.key, s.value, s.reason, NULL FROM %s.flagforge_status($2, $3, $4, $5) AS s "
	"WHERE $1 IS NULL OR s.key OPERATOR(pg_catalog.=) $1";

/*
 * status in Unleash's context: the keys of flagforge_evaluate_all (or only
 * --flag, so that no other flag is evaluated), each explained, and the name
 * of its variant when one was chosen (the flag has variants and is on); by
 * key in byte order, as flagforge_status.
 */
static const char status_context_query[] =
	"SELECT k.key, (" EXPLAIN_FIELD("value") ")::pg_catalog.bool, " EXPLAIN_FIELD("reason") ", "
	"CASE WHEN (v.v OPERATOR(pg_catalog.->>) 'enabled')::pg_catalog.bool "
	"THEN v.v OPERATOR(pg_catalog.->>) 'name' END "
	"FROM (SELECT " CLI_CONTEXT_JSONB ") AS c(ctx), "
	"LATERAL (SELECT $1 WHERE $1 IS NOT NULL UNION ALL "
	"SELECT pg_catalog.jsonb_object_keys(%s.flagforge_evaluate_all(c.ctx)) WHERE $1 IS NULL) AS k(key), "
	"%s.flagforge_explain(k.key, c.ctx) AS x(e), %s.flagforge_variant(k.key, c.ctx) AS v(v) "
	"WHERE COALESCE(" EXPLAIN_FIELD("error_code") ", '') OPERATOR(pg_catalog.<>) 'FLAG_NOT_FOUND' "
	"ORDER BY k.key COLLATE pg_catalog.\"C\"";

/* status: every flag's value and reason for the context (or only --flag's), in Unleash's with its variant. */
static int
cmd_status(PGconn *conn, const char *schema, const CliOptions *opts)
{
	PGresult   *res;
	int			rc = CLI_EXIT_OK;
	int			i;

	res = run_in_context(conn, schema,
						 cli_unleash_context_given(opts) ? status_context_query : status_query,
						 opts);
	if (res == NULL)
		return CLI_EXIT_ERROR;
	if (opts->flag != NULL && PQntuples(res) == 0)
	{
		flag_not_found(opts->flag);
		rc = CLI_EXIT_ERROR;
	}
	for (i = 0; i < PQntuples(res); i++)
		cli_print_flag_value(PQgetvalue(res, i, 0), bool_value(res, i, 1), PQgetvalue(res, i, 2),
							 value_or_null(res, i, 3));
	PQclear(res);
	return rc;
}

/* enable / disable: set the tenant override's enabled. */
static int
cmd_switch(PGconn *conn, const char *schema, const CliOptions *opts, bool enable)
{
	static const unsigned int types[] = {CLI_TEXTOID, CLI_TEXTOID};
	const char *values[] = {opts->flag, opts->tenant};
	PGresult   *res;

	res = run(conn, schema,
			  enable ? "SELECT %s.flagforge_enable($1, $2)" : "SELECT %s.flagforge_disable($1, $2)",
			  2, types, values);
	if (res == NULL)
		return CLI_EXIT_ERROR;
	PQclear(res);
	cli_print_switched(enable, opts->flag, opts->tenant);
	return CLI_EXIT_OK;
}

/* export: the flags (and overrides) as YAML, to stdout or --output, unchanged (machine-readable; see files.c). */
static int
cmd_export(PGconn *conn, const char *schema, const CliOptions *opts)
{
	static const unsigned int types[] = {CLI_BOOLOID};
	const char *values[] = {opts->overrides ? "t" : "f"};
	PGresult   *res;
	bool		ok;

	res = run(conn, schema, "SELECT %s.flagforge_export_yaml($1)", 1, types, values);
	if (res == NULL)
		return CLI_EXIT_ERROR;
	ok = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
	if (!ok)
		cli_error("flagforge_export_yaml returned no document");
	else
		ok = cli_write_output(opts->output, PQgetvalue(res, 0, 0), (size_t) PQgetlength(res, 0, 0));
	PQclear(res);
	return ok ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

/* The columns of explain's answer: value, reason, step, detail, bucket, error_code, rule, strategy. */
#define EXPLAIN_COLUMNS \
	"(" EXPLAIN_FIELD("value") ")::pg_catalog.bool, " EXPLAIN_FIELD("reason") ", " \
	EXPLAIN_FIELD("step") ", " EXPLAIN_FIELD("detail") ", " EXPLAIN_FIELD("bucket") ", " \
	EXPLAIN_FIELD("error_code") ", " EXPLAIN_FIELD("rule") ", " EXPLAIN_FIELD("strategy")

/* explain with the argument form: the columns, no variant. */
static const char explain_query[] =
	"SELECT " EXPLAIN_COLUMNS ", NULL, NULL, NULL "
	"FROM %s.flagforge_explain($1, $2, $3, $4, $5) AS x(e)";

/* explain in Unleash's context: the columns, then the variant's name, payload type and value. */
static const char explain_context_query[] =
	"SELECT " EXPLAIN_COLUMNS ", v.v OPERATOR(pg_catalog.->>) 'name', "
	"v.v OPERATOR(pg_catalog.#>>) '{payload,type}', v.v OPERATOR(pg_catalog.#>>) '{payload,value}' "
	"FROM (SELECT " CLI_CONTEXT_JSONB ") AS c(ctx), "
	"%s.flagforge_explain($1, c.ctx) AS x(e), %s.flagforge_variant($1, c.ctx) AS v(v)";

/* Print explain's answer (a row of an explain query): each field present on a line of its own. */
static void
print_explanation(const PGresult *res, const char *flag)
{
	static const char *const labels[] = {"step", "detail", "rule", "strategy", "bucket", "error", "variant"};
	static const int columns[] = {2, 3, 6, 7, 4, 5, 8};
	size_t		i;

	cli_print_flag_value(flag, bool_value(res, 0, 0),
						 value_or_null(res, 0, 1) ? PQgetvalue(res, 0, 1) : "?", NULL);
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		cli_print_field(labels[i], value_or_null(res, 0, columns[i]));
	if (value_or_null(res, 0, 9) != NULL)
		cli_print_payload(PQgetvalue(res, 0, 9), value_or_null(res, 0, 10));
}

/*
 * explain: the flag's value and reason, the deciding step, its detail, rule
 * and bucket; in Unleash's context also its variant.
 */
static int
cmd_explain(PGconn *conn, const char *schema, const CliOptions *opts)
{
	PGresult   *res;
	int			rc = CLI_EXIT_OK;

	res = run_in_context(conn, schema,
						 cli_unleash_context_given(opts) ? explain_context_query : explain_query,
						 opts);
	if (res == NULL)
		return CLI_EXIT_ERROR;
	if (PQntuples(res) != 1)
	{
		cli_error("flagforge_explain returned no answer");
		rc = CLI_EXIT_ERROR;
	}
	else if (value_or_null(res, 0, 5) != NULL &&
			 strcmp(PQgetvalue(res, 0, 5), "FLAG_NOT_FOUND") == 0)
	{
		flag_not_found(opts->flag);
		rc = CLI_EXIT_ERROR;
	}
	else
		print_explanation(res, opts->flag);
	PQclear(res);
	return rc;
}

/* Run the command of opts; returns the exit status. */
int
cli_run_command(PGconn *conn, const char *schema, const CliOptions *opts, const CliBuffer *document)
{
	switch (opts->command)
	{
		case CLI_CMD_SYNC:
			return cmd_sync(conn, schema, opts, document);
		case CLI_CMD_STATUS:
			return cmd_status(conn, schema, opts);
		case CLI_CMD_ENABLE:
			return cmd_switch(conn, schema, opts, true);
		case CLI_CMD_DISABLE:
			return cmd_switch(conn, schema, opts, false);
		case CLI_CMD_EXPORT:
			return cmd_export(conn, schema, opts);
		case CLI_CMD_EXPLAIN:
			return cmd_explain(conn, schema, opts);
		case CLI_CMD_NONE:
			break;
	}
	cli_error("no command given");
	return CLI_EXIT_USAGE;
}
