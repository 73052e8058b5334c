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
	FFOptions	opts;
	FFBuffer	document = {0};
	PGconn	   *conn;
	char	   *schema;
	int			rc;

	rc = ff_parse_args(argc, argv, &opts);
	if (rc != FF_EXIT_OK)
		return rc;
	if (opts.help || opts.version)
	{
		if (opts.help)
			ff_print_help();
		else
			ff_print_version();
		return ff_finish_stdout() ? FF_EXIT_OK : FF_EXIT_ERROR;
	}

	if (opts.command == FF_CMD_SYNC && !ff_read_flag_file(opts.config, &document))
		return FF_EXIT_ERROR;

	conn = ff_connect(&opts);
	if (conn == NULL)
	{
		ff_buffer_free(&document);
		return FF_EXIT_ERROR;
	}
	schema = ff_extension_schema(conn);
	rc = schema ? ff_run_command(conn, schema, &opts, &document) : FF_EXIT_ERROR;

	free(schema);
	ff_buffer_free(&document);
	PQfinish(conn);
	if (!ff_finish_stdout() && rc == FF_EXIT_OK)
		rc = FF_EXIT_ERROR;
	return rc;
}
