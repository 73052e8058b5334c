/*
 * commands.c
 *      The flagforge client's commands: each is one call of the extension's
 *      SQL function of the same job, and prints its rows.
 *
 *   sync     flagforge_import_yaml(document, prune, dry_run)
 *   status   flagforge_status(tenant, user, groups, environment)
 *   enable   flagforge_enable(flag, tenant)
 *   disable  flagforge_disable(flag, tenant)
 *   export   flagforge_export_yaml(include_overrides)
 *   explain  flagforge_explain(flag, tenant, user, groups, environment)
 *
 * Query texts hold only the schema (quoted by libpq) and qualified names;
 * every value is a parameter.  Each command is one statement, so it is
 * all or nothing on the server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flagforge_cli.h"

/* The text of a query with the schema put in for each %s (at most two). */
static char *
query_text(const char *format, const char *schema)
{
	size_t		size = strlen(format) + 2 * strlen(schema) + 1;
	char	   *sql = cli_malloc(size);

	snprintf(sql, size, format, schema, schema);
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
 * --groups "a, b,c" as the text[] literal {"a","b","c"}: blanks around
 * names trimmed and empty names skipped (as the flagforge.groups setting),
 * every element quoted and escaped.  NULL when --groups was not given.
 */
static char *
groups_array(const char *groups)
{
	CliBuffer	buf = {0};
	const char *p = groups;
	bool		first = true;

	if (groups == NULL)
		return NULL;
	cli_buffer_append(&buf, "{", 1);
	while (*p != '\0')
	{
		size_t		n = strcspn(p, ",");
		const char *start = p;
		const char *end = p + n;

		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > start)
		{
			cli_buffer_append(&buf, first ? "\"" : ",\"", first ? 1 : 2);
			for (; start < end; start++)
			{
				if (*start == '"' || *start == '\\')
					cli_buffer_append(&buf, "\\", 1);
				cli_buffer_append(&buf, start, 1);
			}
			cli_buffer_append(&buf, "\"", 1);
			first = false;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	cli_buffer_append(&buf, "}", 1);
	return buf.data;
}

/*
 * Run a query of status or explain, whose parameters are the context:
 * $1 the flag (NULL when not given), $2 tenant, $3 user, $4 groups (text[]),
 * $5 environment.  NULL (after the error) on failure.
 */
static PGresult *
run_in_context(PGconn *conn, const char *schema, const char *format, const CliOptions *opts)
{
	static const unsigned int types[] = {CLI_TEXTOID, CLI_TEXTOID, CLI_TEXTOID, CLI_TEXTARRAYOID, CLI_TEXTOID};
	char	   *groups = groups_array(opts->groups);
	const char *values[] = {opts->flag, opts->tenant, opts->user, groups, opts->env};
	PGresult   *res = run(conn, schema, format, 5, types, values);

	free(groups);
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

/* status: every flag's value and reason for the context (or only --flag's). */
static int
cmd_status(PGconn *conn, const char *schema, const CliOptions *opts)
{
	PGresult   *res;
	int			rc = CLI_EXIT_OK;
	int			i;

	res = run_in_context(conn, schema,
						 "SELECT s.key, s.value, s.reason FROM %s.flagforge_status($2, $3, $4, $5) AS s "
						 "WHERE $1 IS NULL OR s.key OPERATOR(pg_catalog.=) $1",
						 opts);
	if (res == NULL)
		return CLI_EXIT_ERROR;
	if (opts->flag != NULL && PQntuples(res) == 0)
	{
		flag_not_found(opts->flag);
		rc = CLI_EXIT_ERROR;
	}
	for (i = 0; i < PQntuples(res); i++)
		cli_print_flag_value(PQgetvalue(res, i, 0), bool_value(res, i, 1), PQgetvalue(res, i, 2));
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

/* explain: the flag's value and reason, then the deciding step, its detail and the bucket. */
static int
cmd_explain(PGconn *conn, const char *schema, const CliOptions *opts)
{
	PGresult   *res;
	int			rc = CLI_EXIT_OK;

	res = run_in_context(conn, schema,
						 "SELECT (x.e OPERATOR(pg_catalog.->>) 'value')::pg_catalog.bool, "
						 "x.e OPERATOR(pg_catalog.->>) 'reason', x.e OPERATOR(pg_catalog.->>) 'step', "
						 "x.e OPERATOR(pg_catalog.->>) 'detail', x.e OPERATOR(pg_catalog.->>) 'bucket', "
						 "x.e OPERATOR(pg_catalog.->>) 'error_code' "
						 "FROM %s.flagforge_explain($1, $2, $3, $4, $5) AS x(e)",
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
	{
		cli_print_flag_value(opts->flag, bool_value(res, 0, 0),
							 value_or_null(res, 0, 1) ? PQgetvalue(res, 0, 1) : "?");
		cli_print_field("step", value_or_null(res, 0, 2));
		cli_print_field("detail", value_or_null(res, 0, 3));
		cli_print_field("bucket", value_or_null(res, 0, 4));
		cli_print_field("error", value_or_null(res, 0, 5));
	}
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
