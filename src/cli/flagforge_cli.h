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
 *   files.c       reading the flag file, writing the export
 *   output.c      error, warning and result lines
 *   show.c        text from outside shown safely: controls escaped, values quoted
 *   buffer.c      memory that is checked, a growable buffer
 * Exit codes: FF_EXIT_OK, FF_EXIT_ERROR (anything that went wrong at run
 * time), FF_EXIT_USAGE (a wrong command line).
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

#define FF_PROGNAME "flagforge"

#define FF_EXIT_OK		0
#define FF_EXIT_ERROR	1
#define FF_EXIT_USAGE	2

/* The largest flag file sync reads (a PostgreSQL text value is limited to 1 GB). */
#define FF_MAX_FILE_BYTES	(64 * 1024 * 1024)

/* Parameter types by OID (fixed in pg_type.dat), so no query text names a type. */
#define FF_BOOLOID			16
#define FF_TEXTOID			25
#define FF_TEXTARRAYOID		1009

/* The commands, in the order --help lists them. */
typedef enum FFCommand
{
	FF_CMD_NONE = 0,
	FF_CMD_SYNC,
	FF_CMD_STATUS,
	FF_CMD_ENABLE,
	FF_CMD_DISABLE,
	FF_CMD_EXPORT,
	FF_CMD_EXPLAIN
} FFCommand;

/* What sync did to a flag, in the order of the summary line. */
typedef enum FFSyncAction
{
	FF_ACTION_CREATED,
	FF_ACTION_UPDATED,
	FF_ACTION_UNCHANGED,
	FF_ACTION_DELETED,
	FF_N_ACTIONS
} FFSyncAction;

/* How the password is obtained: libpq's sources only, prompt when needed, or prompt first. */
typedef enum FFPasswordPrompt
{
	FF_PROMPT_NEVER,
	FF_PROMPT_IF_NEEDED,
	FF_PROMPT_ALWAYS
} FFPasswordPrompt;

/* Everything the command line says; a NULL string was not given. */
typedef struct FFOptions
{
	FFCommand	command;
	/* connection */
	const char *dbname;
	const char *host;
	const char *port;
	const char *username;
	FFPasswordPrompt prompt;
	/* command options */
	const char *config;			/* sync --config FILE ("-" = stdin) */
	bool		prune;
	bool		dry_run;
	const char *tenant;
	const char *user;
	const char *groups;			/* comma-separated, as given */
	const char *env;
	const char *flag;
	const char *output;			/* export --output FILE ("-" = stdout) */
	bool		overrides;
	/* informational */
	bool		help;
	bool		version;
} FFOptions;

/* How show.c writes text from outside the client (see there). */
typedef enum FFShow
{
	FF_SHOW_TEXT,				/* free text: control characters escaped */
	FF_SHOW_VALUE,				/* a value: escaped, and double-quoted unless plain */
	FF_SHOW_QUOTED				/* a value: escaped and always double-quoted */
} FFShow;

/* A growable byte buffer (always NUL-terminated when data is not NULL). */
typedef struct FFBuffer
{
	char	   *data;
	size_t		len;
	size_t		cap;
} FFBuffer;

/* args.c */
extern int	ff_parse_args(int argc, char **argv, FFOptions *opts);
extern const char *ff_command_name(FFCommand command);

/* help.c */
extern void ff_print_help(void);
extern void ff_print_version(void);
extern const char *ff_command_synopsis(FFCommand command);

/* connection.c */
extern PGconn *ff_connect(const FFOptions *opts);
extern char *ff_extension_schema(PGconn *conn);
extern PGresult *ff_query(PGconn *conn, const char *sql, int nparams,
						  const unsigned int *types, const char *const *values);

/* commands.c */
extern int	ff_run_command(PGconn *conn, const char *schema, const FFOptions *opts,
						   const FFBuffer *document);

/* files.c */
extern bool ff_read_flag_file(const char *path, FFBuffer *buf);
extern bool ff_write_output(const char *path, const char *text, size_t len);

/* output.c */
extern void ff_error(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void ff_message_lines(const char *severity, const char *message);
extern void ff_detail(const char *label, const char *text);
extern int	ff_usage_error(FFCommand command, const char *fmt,...) __attribute__((format(printf, 2, 3)));
extern void ff_report_result_error(PGconn *conn, const PGresult *res);
extern void ff_notice_receiver(void *arg, const PGresult *res);
extern void ff_print_flag_value(const char *key, bool value, const char *reason);
extern void ff_print_field(const char *label, const char *text);
extern void ff_print_sync_row(const char *key, const char *action);
extern void ff_print_switched(bool enable, const char *flag, const char *tenant);
extern void ff_print_sync_summary(const int *counts, int total, bool dry_run);
extern bool ff_finish_stdout(void);

/* show.c */
extern void ff_append_shown(FFBuffer *out, const char *s, size_t len, FFShow how);
extern char *ff_shown(const char *s, FFShow how);
extern void ff_put_shown(FILE *f, const char *s, size_t len, FFShow how);

/* buffer.c */
extern void *ff_malloc(size_t size);
extern char *ff_strdup(const char *s);
extern void ff_buffer_append(FFBuffer *buf, const char *data, size_t len);
extern void ff_buffer_free(FFBuffer *buf);

#endif							/* FLAGFORGE_CLI_H */
