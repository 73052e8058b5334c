/*
 * help.c
 *      The flagforge client's --help and --version texts and the one-line
 *      synopsis of each command shown under a usage error.
 *
 * Kept apart from args.c so that the words a user reads are in one place.
 */
#include <stdio.h>

#include "flagforge_cli.h"

/* The synopsis of a command (the general one for CLI_CMD_NONE). */
const char *
cli_command_synopsis(CliCommand command)
{
	switch (command)
	{
		case CLI_CMD_SYNC:
			return CLI_PROGNAME " sync --config FILE [--prune] [--dry-run] [CONNECTION OPTION]...";
		case CLI_CMD_STATUS:
			return CLI_PROGNAME " status --tenant T [--user U] [--groups G1,G2] [--env E] [--flag KEY] [CONTEXT OPTION]... [CONNECTION OPTION]...";
		case CLI_CMD_ENABLE:
			return CLI_PROGNAME " enable --flag KEY --tenant T [CONNECTION OPTION]...";
		case CLI_CMD_DISABLE:
			return CLI_PROGNAME " disable --flag KEY --tenant T [CONNECTION OPTION]...";
		case CLI_CMD_EXPORT:
			return CLI_PROGNAME " export [--output FILE] [--overrides] [CONNECTION OPTION]...";
		case CLI_CMD_EXPLAIN:
			return CLI_PROGNAME " explain --flag KEY --tenant T [--user U] [--groups G1,G2] [--env E] [CONTEXT OPTION]... [CONNECTION OPTION]...";
		case CLI_CMD_NONE:
			break;
	}
	return CLI_PROGNAME " {sync|status|enable|disable|export|explain} [OPTION]...";
}

/* --help: commands, their options, connection options, environment, exit codes. */
void
cli_print_help(void)
{
	printf("%s manages the feature flags of the flagforge PostgreSQL extension.\n\n", CLI_PROGNAME);
	printf("Usage:\n");
	printf("  %s COMMAND [OPTION]...\n\n", CLI_PROGNAME);
	printf("Commands:\n");
	printf("  sync      define flags from a FlagForge YAML file (created, updated, unchanged, deleted)\n");
	printf("  status    show every flag's value (or one flag's) for a tenant, user, groups, environment\n");
	printf("            (and Unleash's context: then each flag's variant too)\n");
	printf("  enable    switch a flag on for a tenant (its override's enabled = true)\n");
	printf("  disable   switch a flag off for a tenant (targeted users and groups still get it)\n");
	printf("  export    write every flag (and with --overrides, every override) as a YAML file\n");
	printf("  explain   show why a flag has its value for a tenant, user, groups, environment\n");
	printf("            (and Unleash's context: then its variant and payload too)\n\n");
	printf("Synopsis:\n");
	printf("  %s\n", cli_command_synopsis(CLI_CMD_SYNC));
	printf("  %s\n", cli_command_synopsis(CLI_CMD_STATUS));
	printf("  %s\n", cli_command_synopsis(CLI_CMD_ENABLE));
	printf("  %s\n", cli_command_synopsis(CLI_CMD_DISABLE));
	printf("  %s\n", cli_command_synopsis(CLI_CMD_EXPORT));
	printf("  %s\n\n", cli_command_synopsis(CLI_CMD_EXPLAIN));
	printf("Command options:\n");
	printf("      --config=FILE     (sync) the flag file to read; \"-\" reads standard input\n");
	printf("      --prune           (sync) delete flags that are not in the file, with their overrides\n");
	printf("      --dry-run         (sync) show what would change, write nothing\n");
	printf("      --tenant=T        the tenant (required by status, enable, disable, explain;\n");
	printf("                        see the context options)\n");
	printf("      --user=U          (status, explain) the user; default: anonymous\n");
	printf("      --groups=G1,G2    (status, explain) the user's groups, comma-separated\n");
	printf("      --env=E           (status, explain) the environment; default: none\n");
	printf("      --flag=KEY        the flag (required by enable, disable, explain; status shows only it)\n");
	printf("      --output=FILE     (export) write to FILE instead of standard output\n");
	printf("      --overrides       (export) include every tenant override\n\n");
	printf("Context options (status, explain): Unleash's context; with any of them the flags\n");
	printf("are evaluated with flagforge_explain(flag, context) and flagforge_variant, and\n");
	printf("--tenant may be left out (rules need none; a flag that needs one says so):\n");
	printf("      --property=NAME=VALUE\n");
	printf("                        a context property (repeatable; the last of a NAME wins)\n");
	printf("      --session-id=S    Unleash's sessionId\n");
	printf("      --remote-address=A\n");
	printf("                        Unleash's remoteAddress (an IP address)\n");
	printf("      --app-name=N      Unleash's appName\n");
	printf("      --current-time=T  Unleash's currentTime, ISO 8601 (\"2026-12-02T09:00:00Z\");\n");
	printf("                        default: the time of the query\n\n");
	printf("Connection options:\n");
	printf("  -d, --dbname=DBNAME   database name, connection string (\"host=... dbname=...\")\n");
	printf("                        or URI (postgresql://...)\n");
	printf("  -h, --host=HOSTNAME   database server host or socket directory\n");
	printf("  -p, --port=PORT       database server port\n");
	printf("  -U, --username=NAME   database user name\n");
	printf("  -w, --no-password     never prompt for a password\n");
	printf("  -W, --password        prompt for a password before connecting\n\n");
	printf("Other options:\n");
	printf("  -V, --version         print the version and exit\n");
	printf("  -?, --help            print this help and exit\n\n");
	printf("Environment:\n");
	printf("  PGDATABASE, PGHOST, PGPORT, PGUSER, PGPASSWORD, PGPASSFILE, PGSERVICE, PGSSLMODE,\n");
	printf("  PGAPPNAME and the other libpq variables give what the options do not.\n\n");
	printf("Exit status:\n");
	printf("  0  success\n");
	printf("  1  an error: connection, a bad flag file, an unknown flag, a server error\n");
	printf("  2  a wrong command line\n\n");
	printf("The flag file format, the evaluation order and the SQL functions each command calls\n");
	printf("are described in the flagforge README.\n");
}

/* --version: "flagforge (flagforge CLI) 1.0". */
void
cli_print_version(void)
{
	printf("%s (flagforge CLI) %s\n", CLI_PROGNAME, FLAGFORGE_VERSION);
}
