/*
 * connection.c
 *      The flagforge client's side of libpq: connecting (with the password
 *      prompt), server notices, finding the extension's schema, and running
 *      one parameterized query.
 *
 * Connecting works as in PostgreSQL's own programs: -d may be a database
 * name, a connection string or a URI (expand_dbname), the other options
 * and libpq's PG* environment variables fill in the rest, and PGAPPNAME
 * wins over the fallback application name "flagforge".  No search_path is
 * set: every query names the extension's schema, found once here and
 * quoted by libpq, and passes values as parameters with their types given
 * by OID, so nothing in the database's search_path can change what runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include "flagforge_cli.h"

/* Ask for a password on the terminal without echo; NULL when there is no terminal. */
static char *
prompt_password(const char *user)
{
	FILE	   *tty = fopen("/dev/tty", "r+");
	struct termios saved;
	struct termios quiet;
	bool		echo_off = false;
	char		line[4096];
	char	   *result = NULL;

	if (tty == NULL)
		return NULL;
	if (user != NULL && *user != '\0')
	{
		fputs("Password for user ", tty);
		cli_put_shown(tty, user, strlen(user), CLI_SHOW_VALUE);
		fputs(": ", tty);
	}
	else
		fputs("Password: ", tty);
	fflush(tty);
	if (tcgetattr(fileno(tty), &saved) == 0)
	{
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		echo_off = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	if (fgets(line, sizeof(line), tty) != NULL)
	{
		line[strcspn(line, "\r\n")] = '\0';
		result = cli_strdup(line);
	}
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &saved);
	fputc('\n', tty);
	fclose(tty);
	memset(line, 0, sizeof(line));
	return result;
}

/* One connection attempt with the options (and a password, if any). */
static PGconn *
connect_once(const CliOptions *opts, const char *password)
{
	/* as psql: the -d string is expanded last, so its settings win over -h/-p/-U */
	const char *keywords[] = {
		"host", "port", "user", "password", "dbname", "fallback_application_name", NULL
	};
	const char *values[] = {
		opts->host, opts->port, opts->username, password, opts->dbname, CLI_PROGNAME, NULL
	};

	return PQconnectdbParams(keywords, values, 1);
}

/* Connect as the options and environment say; NULL (after an error line) on failure. */
PGconn *
cli_connect(const CliOptions *opts)
{
	char	   *password = NULL;
	PGconn	   *conn;

	if (opts->prompt == CLI_PROMPT_ALWAYS)
		password = prompt_password(opts->username);
	conn = connect_once(opts, password);
	if (conn != NULL && PQstatus(conn) == CONNECTION_BAD &&
		PQconnectionNeedsPassword(conn) && password == NULL &&
		opts->prompt != CLI_PROMPT_NEVER)
	{
		password = prompt_password(PQuser(conn));
		if (password != NULL)
		{
			PQfinish(conn);
			conn = connect_once(opts, password);
		}
	}
	if (password != NULL)
	{
		memset(password, 0, strlen(password));
		free(password);
	}
	if (conn == NULL)
	{
		cli_error("out of memory while connecting");
		return NULL;
	}
	if (PQstatus(conn) == CONNECTION_BAD)
	{
		cli_message_lines("error", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeReceiver(conn, cli_notice_receiver, NULL);
	/* flag files are UTF-8 (YAML), and so is what the client prints */
	if (PQsetClientEncoding(conn, "UTF8") != 0)
	{
		cli_message_lines("error", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* Run one query with text parameters of the given type OIDs; NULL (after the error) on failure. */
PGresult *
cli_query(PGconn *conn, const char *sql, int nparams,
		  const unsigned int *types, const char *const *values)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, types, values, NULL, NULL, 0);
	ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
	{
		cli_report_result_error(conn, res);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The extension's schema as a quoted identifier (malloc'd); NULL (after the error) if it is not installed. */
char *
cli_extension_schema(PGconn *conn)
{
	static const char sql[] =
		"SELECT n.nspname FROM pg_catalog.pg_extension e "
		"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
		"WHERE e.extname OPERATOR(pg_catalog.=) 'flagforge'";
	PGresult   *res = cli_query(conn, sql, 0, NULL, NULL);
	char	   *quoted;
	char	   *schema;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) != 1)
	{
		char	   *db = cli_shown(PQdb(conn), CLI_SHOW_QUOTED);

		cli_error("extension \"flagforge\" is not installed in database %s", db);
		free(db);
		cli_detail("hint", "Run CREATE EXTENSION flagforge in that database, or connect to another one with -d.");
		PQclear(res);
		return NULL;
	}
	quoted = PQescapeIdentifier(conn, PQgetvalue(res, 0, 0), (size_t) PQgetlength(res, 0, 0));
	PQclear(res);
	if (quoted == NULL)
	{
		cli_message_lines("error", PQerrorMessage(conn));
		return NULL;
	}
	schema = cli_strdup(quoted);
	PQfreemem(quoted);
	return schema;
}
