/*
 * output.c
 *      What the flagforge client prints: error and warning lines on stderr,
 *      result lines on stdout.
 *
 * Every problem is one line on stderr, "flagforge: error: <message>",
 * followed by indented lines when there is more to say (the server's
 * DETAIL and HINT, libpq's second line, the usage of a command).  Server
 * WARNINGs and NOTICEs take the same shape with their own severity.  So a
 * script can show the first line and a person reads the rest.
 *
 * Nothing from outside the client is printed raw: every value and message
 * goes through show.c, so a flag key, name, tenant or reason, or a server
 * message quoting one, cannot add a line or send a terminal control
 * sequence.  The server's message, detail and hint are one line each (a
 * line break in them is shown as \n: they quote data); the client's own
 * and libpq's messages keep their lines, each escaped.  export's YAML is
 * not printed here: it is data, written unchanged (see files.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flagforge_cli.h"

/* Print text from p up to its end or a newline, escaped; returns where the next line starts (NULL at the end). */
static const char *
print_one_line(const char *p)
{
	size_t		n = strcspn(p, "\n");

	cli_put_shown(stderr, p, n, CLI_SHOW_TEXT);
	fputc('\n', stderr);
	return p[n] == '\n' ? p + n + 1 : NULL;
}

/* Print text to f as the form how says (show.c). */
static void
put(FILE *f, const char *text, CliShow how)
{
	cli_put_shown(f, text, strlen(text), how);
}

/* Print all of text as one line on f, every control character (line breaks too) escaped. */
static void
print_escaped_line(FILE *f, const char *text)
{
	put(f, text, CLI_SHOW_TEXT);
	fputc('\n', f);
}

/* Print the continuation lines of a message, each indented, leading blanks trimmed, empty ones skipped. */
static void
print_continuation(const char *p, const char *indent)
{
	while (p != NULL && *p != '\0')
	{
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n')
		{
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		fputs(indent, stderr);
		p = print_one_line(p);
	}
}

/* "flagforge: SEVERITY: first line" then the message's other lines indented. */
void
cli_message_lines(const char *severity, const char *message)
{
	const char *p = message;

	while (*p == '\n' || *p == ' ')
		p++;
	fprintf(stderr, "%s: %s: ", CLI_PROGNAME, severity);
	print_continuation(print_one_line(p), "  ");
}

/* One error line (printf-style); a message with newlines continues indented. */
void
cli_error(const char *fmt,...)
{
	char		small[1024];
	char	   *text = small;
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n >= (int) sizeof(small))
	{
		text = malloc((size_t) n + 1);
		if (text != NULL)
		{
			va_start(ap, fmt);
			vsnprintf(text, (size_t) n + 1, fmt, ap);
			va_end(ap);
		}
		else
			text = small;		/* print it cut short */
	}
	cli_message_lines("error", n < 0 ? fmt : text);
	if (text != small)
		free(text);
}

/* An indented "  label: text" line under an error or warning, the text on one line. */
void
cli_detail(const char *label, const char *text)
{
	if (text == NULL || *text == '\0')
		return;
	fprintf(stderr, "  %s: ", label);
	print_escaped_line(stderr, text);
}

/* A wrong command line: the error, the command's synopsis, where to read more; returns CLI_EXIT_USAGE. */
int
cli_usage_error(CliCommand command, const char *fmt,...)
{
	char		text[1024];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cli_message_lines("error", text);
	fprintf(stderr, "  usage: %s\n", cli_command_synopsis(command));
	fprintf(stderr, "  try \"%s --help\" for more information\n", CLI_PROGNAME);
	return CLI_EXIT_USAGE;
}

/* A server message as "flagforge: SEVERITY: primary" with its detail and hint; fallback when it has no fields. */
static void
print_server_message(const char *severity, const PGresult *res, const char *fallback)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (primary == NULL)
	{
		cli_message_lines(severity, fallback);
		return;
	}
	fprintf(stderr, "%s: %s: ", CLI_PROGNAME, severity);
	print_escaped_line(stderr, primary);
	cli_detail("detail", PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
	cli_detail("hint", PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
}

/* A failed query: the server's message, detail and hint, or libpq's message when there is none. */
void
cli_report_result_error(PGconn *conn, const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";

	if (*msg == '\0')
		msg = PQerrorMessage(conn);
	if (*msg == '\0')
		msg = "query failed for an unknown reason";
	print_server_message("error", res, msg);
}

/* libpq notice receiver: a server WARNING or NOTICE as "flagforge: warning: ..." on stderr. */
void
cli_notice_receiver(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	char		label[32];
	size_t		n = 0;
	size_t		i;

	(void) arg;
	if (severity == NULL)
		severity = "notice";
	/* the label is a severity word, so only its letters are kept */
	for (i = 0; severity[i] != '\0' && n < sizeof(label) - 1; i++)
		if (isalpha((unsigned char) severity[i]))
			label[n++] = (char) tolower((unsigned char) severity[i]);
	label[n] = '\0';
	print_server_message(label, res, PQresultErrorMessage(res));
}

/*
 * A flag's value as status and explain show it: "key: ENABLED (REASON)",
 * then " variant=NAME" when a variant is given; key and name quoted unless plain.
 */
void
cli_print_flag_value(const char *key, bool value, const char *reason, const char *variant)
{
	put(stdout, key, CLI_SHOW_VALUE);
	printf(": %s (", value ? "ENABLED" : "DISABLED");
	put(stdout, reason, CLI_SHOW_TEXT);
	fputs(")", stdout);
	if (variant != NULL)
	{
		fputs(" variant=", stdout);
		put(stdout, variant, CLI_SHOW_VALUE);
	}
	fputc('\n', stdout);
}

/* An indented "  label: text" result line on stdout, the text on one line (nothing for NULL). */
void
cli_print_field(const char *label, const char *text)
{
	if (text == NULL)
		return;
	printf("  %s: ", label);
	print_escaped_line(stdout, text);
}

/* A variant's payload as explain shows it: "  payload: TYPE VALUE", on one line (a NULL value as nothing). */
void
cli_print_payload(const char *type, const char *value)
{
	fputs("  payload: ", stdout);
	put(stdout, type, CLI_SHOW_VALUE);
	fputc(' ', stdout);
	print_escaped_line(stdout, value ? value : "");
}

/* A sync line: "key: action", the key quoted unless plain. */
void
cli_print_sync_row(const char *key, const char *action)
{
	put(stdout, key, CLI_SHOW_VALUE);
	fputs(": ", stdout);
	print_escaped_line(stdout, action);
}

/* enable's and disable's line: "enabled KEY for TENANT", each value quoted unless plain. */
void
cli_print_switched(bool enable, const char *flag, const char *tenant)
{
	fputs(enable ? "enabled " : "disabled ", stdout);
	put(stdout, flag, CLI_SHOW_VALUE);
	fputs(" for ", stdout);
	put(stdout, tenant, CLI_SHOW_VALUE);
	fputc('\n', stdout);
}

/* sync's last line: "3 flags: 1 created, 1 updated, 1 unchanged, 0 deleted". */
void
cli_print_sync_summary(const int *counts, int total, bool dry_run)
{
	printf("%s%d %s: %d created, %d updated, %d unchanged, %d deleted\n",
		   dry_run ? "dry run: " : "",
		   total, total == 1 ? "flag" : "flags",
		   counts[CLI_ACTION_CREATED], counts[CLI_ACTION_UPDATED],
		   counts[CLI_ACTION_UNCHANGED], counts[CLI_ACTION_DELETED]);
}

/* Flush stdout; false (after an error line) if anything written to it was lost. */
bool
cli_finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
	{
		cli_error("could not write to standard output: %s",
				  errno ? strerror(errno) : "write error");
		return false;
	}
	return true;
}
