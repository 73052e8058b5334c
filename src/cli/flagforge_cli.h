/*
 * flagforge_cli.h
 *      The `flagforge` command-line client: what its files share.
 *
 * The client is plain C on libpq (no PostgreSQL server headers, no
 * libpgcommon), split by job:
 *   main.c        parse, connect, run one command, exit code
 *   args.c        the command line (getopt_long) and its checks
 *   help.c        --help, --version and the per-command synopses
 *   connection.c  connecting, the password prompt, server notices, the
 *                 extension's schema and running one query
 *   commands.c    sync, status, enable, disable, export, explain
 *   context.c     the evaluation context of status and explain as query
 *                 parameters, and Unleash's jsonb context built from them
 *   files.c       reading the flag file, writing the export
 *   output.c      error, warning and result lines
 *   show.c        text from outside shown safely: controls escaped, values quoted
 *   buffer.c      memory that is checked, a growable buffer
 * Exit codes: CLI_EXIT_OK, CLI_EXIT_ERROR (anything that went wrong at run
 * time), CLI_EXIT_USAGE (a wrong command line).
 *
 * Names: every function, type and macro the client's files share is
 * cli_..., Cli... or CLI_..., never the extension's ff_/FF prefix, so a
 * name says which program it belongs to (cli_malloc is not the extension's
 * ff_malloc).
 */
#ifndef FLAGFORGE_CLI_H
#define FLAGFORGE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "libpq-fe.h"

#ifndef FLAGFORGE_VERSION
#error "build with -DFLAGFORGE_VERSION=\"x.y\" (src/cli/Makefile reads it from flagforge.control)"
#endif

#define CLI_PROGNAME "flagforge"

#define CLI_EXIT_OK		0
#define CLI_EXIT_ERROR	1
#define CLI_EXIT_USAGE	2

/* The largest flag file sync reads (a PostgreSQL text value is limited to 1 GB). */
#define CLI_MAX_FILE_BYTES	(64 * 1024 * 1024)

/* Parameter types by OID (fixed in pg_type.dat), so no query text names a type. */
#define CLI_BOOLOID			16
#define CLI_TEXTOID			25
#define CLI_TEXTARRAYOID		1009

/* The commands, in the order --help lists them. */
typedef enum CliCommand
{
	CLI_CMD_NONE = 0,
	CLI_CMD_SYNC,
	CLI_CMD_STATUS,
	CLI_CMD_ENABLE,
	CLI_CMD_DISABLE,
	CLI_CMD_EXPORT,
	CLI_CMD_EXPLAIN
} CliCommand;

/* What sync did to a flag, in the order of the summary line. */
typedef enum CliSyncAction
{
	CLI_ACTION_CREATED,
	CLI_ACTION_UPDATED,
	CLI_ACTION_UNCHANGED,
	CLI_ACTION_DELETED,
	CLI_N_ACTIONS
} CliSyncAction;

/* How the password is obtained: libpq's sources only, prompt when needed, or prompt first. */
typedef enum CliPasswordPrompt
{
	CLI_PROMPT_NEVER,
	CLI_PROMPT_IF_NEEDED,
	CLI_PROMPT_ALWAYS
} CliPasswordPrompt;

/* Everything the command line says; a NULL string was not given. */
typedef struct CliOptions
{
	CliCommand	command;
	/* connection */
	const char *dbname;
	const char *host;
	const char *port;
	const char *username;
	CliPasswordPrompt prompt;
	/* command options */
	const char *config;			/* sync --config FILE ("-" = stdin) */
	bool		prune;
	bool		dry_run;
	const char *tenant;
	const char *user;
	const char *groups;			/* comma-separated, as given */
	const char *env;
	const char *flag;
	/* Unleash's context (status, explain): any of them selects the jsonb forms */
	const char *session_id;
	const char *remote_address;
	const char *app_name;
	const char *current_time;
	const char **properties;	/* nproperties "NAME=VALUE" words, as given */
	int			nproperties;
	const char *output;			/* export --output FILE ("-" = stdout) */
	bool		overrides;
	/* informational */
	bool		help;
	bool		version;
} CliOptions;

/* How show.c writes text from outside the client (see there). */
typedef enum CliShow
{
	CLI_SHOW_TEXT,				/* free text: control characters escaped */
	CLI_SHOW_VALUE,				/* a value: escaped, and double-quoted unless plain */
	CLI_SHOW_QUOTED				/* a value: escaped and always double-quoted */
} CliShow;

/* A growable byte buffer (always NUL-terminated when data is not NULL). */
typedef struct CliBuffer
{
	char	   *data;
	size_t		len;
	size_t		cap;
} CliBuffer;

/*
 * The parameters of a status or explain query (context.c fills them):
 * $1 the flag (NULL when not given), $2 tenant, $3 user, $4 groups (text[]),
 * $5 environment; the jsonb forms also $6 sessionId, $7 remoteAddress,
 * $8 appName, $9 currentTime, $10 the property names and $11 their values
 * (text[] each, NULL for none).
 */
#define CLI_CONTEXT_NPARAMS	11

/* Those parameters' values, and the texts built for them that are freed after the query. */
typedef struct CliContextParams
{
	const char *values[CLI_CONTEXT_NPARAMS];
	char	   *built[3];		/* groups, property names, property values */
} CliContextParams;

/*
 * Unleash's jsonb context of those parameters, built on the server (every
 * value a parameter, so nothing is escaped by hand); the keys of absent
 * values are left out.  The schema-qualified operators and functions keep
 * it independent of search_path.
 */
#define CLI_CONTEXT_JSONB \
	"pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(" \
	"'tenant', $2, 'userId', $3, 'groups', pg_catalog.to_jsonb($4), 'environment', $5, " \
	"'sessionId', $6, 'remoteAddress', $7, 'appName', $8, 'currentTime', $9, " \
	"'properties', pg_catalog.jsonb_object($10, $11)))"

/* args.c */
extern int	cli_parse_args(int argc, char **argv, CliOptions *opts);
extern const char *cli_command_name(CliCommand command);

/* help.c */
extern void cli_print_help(void);
extern void cli_print_version(void);
extern const char *cli_command_synopsis(CliCommand command);

/* connection.c */
extern PGconn *cli_connect(const CliOptions *opts);
extern char *cli_extension_schema(PGconn *conn);
extern PGresult *cli_query(PGconn *conn, const char *sql, int nparams,
						   const unsigned int *types, const char *const *values);

/* commands.c */
extern int	cli_run_command(PGconn *conn, const char *schema, const CliOptions *opts,
							const CliBuffer *document);

/* context.c */
extern bool cli_unleash_context_given(const CliOptions *opts);
extern const unsigned int cli_context_types[CLI_CONTEXT_NPARAMS];
extern void cli_context_params(const CliOptions *opts, CliContextParams *params);
extern void cli_context_params_free(CliContextParams *params);

/* files.c */
extern bool cli_read_flag_file(const char *path, CliBuffer *buf);
extern bool cli_write_output(const char *path, const char *text, size_t len);

/* output.c */
extern void cli_error(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void cli_message_lines(const char *severity, const char *message);
extern void cli_detail(const char *label, const char *text);
extern int	cli_usage_error(CliCommand command, const char *fmt,...) __attribute__((format(printf, 2, 3)));
extern void cli_report_result_error(PGconn *conn, const PGresult *res);
extern void cli_notice_receiver(void *arg, const PGresult *res);
extern void cli_print_flag_value(const char *key, bool value, const char *reason,
								 const char *variant);
extern void cli_print_field(const char *label, const char *text);
extern void cli_print_payload(const char *type, const char *value);
extern void cli_print_sync_row(const char *key, const char *action);
extern void cli_print_switched(bool enable, const char *flag, const char *tenant);
extern void cli_print_sync_summary(const int *counts, int total, bool dry_run);
extern bool cli_finish_stdout(void);

/* show.c */
extern void cli_append_shown(CliBuffer *out, const char *s, size_t len, CliShow how);
extern char *cli_shown(const char *s, CliShow how);
extern void cli_put_shown(FILE *f, const char *s, size_t len, CliShow how);

/* buffer.c */
extern void *cli_malloc(size_t size);
extern char *cli_strdup(const char *s);
extern void cli_buffer_append(CliBuffer *buf, const char *data, size_t len);
extern void cli_buffer_free(CliBuffer *buf);

#endif							/* FLAGFORGE_CLI_H */
