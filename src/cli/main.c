/*
 * main.c
 *      The `flagforge` command-line client: parse the command line, read
 *      the flag file (before connecting, so a bad path needs no server),
 *      connect, find the extension, run the one command, and exit with
 *      0 (success), 1 (an error) or 2 (a wrong command line).
 */
#include <stdlib.h>

#include "flagforge_cli.h"

/* The client's entry point. */
int
main(int argc, char **argv)
{
	CliOptions	opts;
	CliBuffer	document = {0};
	PGconn	   *conn;
	char	   *schema;
	int			rc;

	rc = cli_parse_args(argc, argv, &opts);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (opts.help || opts.version)
	{
		if (opts.help)
			cli_print_help();
		else
			cli_print_version();
		return cli_finish_stdout() ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	}

	if (opts.command == CLI_CMD_SYNC && !cli_read_flag_file(opts.config, &document))
		return CLI_EXIT_ERROR;

	conn = cli_connect(&opts);
	if (conn == NULL)
	{
		cli_buffer_free(&document);
		return CLI_EXIT_ERROR;
	}
	schema = cli_extension_schema(conn);
	rc = schema ? cli_run_command(conn, schema, &opts, &document) : CLI_EXIT_ERROR;

	free(schema);
	cli_buffer_free(&document);
	PQfinish(conn);
	if (!cli_finish_stdout() && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_ERROR;
	return rc;
}
