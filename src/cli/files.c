/*
 * files.c
 *      The flagforge client's files: reading the flag file for sync and
 *      writing export's output.
 *
 * The flag file goes to the server as one text parameter, so what cannot
 * be one is refused here with a clear message: a NUL byte (a text value
 * cannot hold it, and libpq would cut the document short there), more than
 * CLI_MAX_FILE_BYTES, and an empty file (with --prune it would delete every
 * flag).  Anything else, invalid UTF-8 included, is the server's to judge.
 *
 * export's YAML is written byte for byte, to a file or to standard output
 * alike: it is data for sync and other YAML readers, and escaping any of it
 * would change what they read back.  It is safe on a terminal all the same:
 * the server's writer (yaml_emit.c) double-quotes a scalar holding a line
 * break or control character and escapes those (\n, \e, \x9B, \L...), so
 * no key can add a line or a control sequence; characters YAML counts as
 * printable, bidi formatting ones included, stay as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flagforge_cli.h"

/* The 1-based line of byte offset pos in data. */
static size_t
line_of(const char *data, size_t pos)
{
	size_t		line = 1;
	size_t		i;

	for (i = 0; i < pos; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

/* Is the text only blanks and line breaks? */
static bool
is_blank(const char *data, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
		if (strchr(" \t\r\n", data[i]) == NULL)
			return false;
	return true;
}

/* Read the whole flag file ("-" = stdin) into buf; false after an error line. */
bool
cli_read_flag_file(const char *path, CliBuffer *buf)
{
	bool		is_stdin = strcmp(path, "-") == 0;
	char	   *shown = cli_shown(is_stdin ? "standard input" : path, CLI_SHOW_QUOTED);
	int			fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
	struct stat st;
	char		chunk[65536];

	if (fd < 0)
	{
		cli_error("could not read %s: %s", shown, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > CLI_MAX_FILE_BYTES)
	{
		cli_error("could not read %s: it is larger than %d MB", shown,
				  CLI_MAX_FILE_BYTES / (1024 * 1024));
		goto fail;
	}
	for (;;)
	{
		ssize_t		n = read(fd, chunk, sizeof(chunk));
		const char *nul;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
		{
			cli_error("could not read %s: %s", shown, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (buf->len + (size_t) n > CLI_MAX_FILE_BYTES)
		{
			cli_error("could not read %s: it is larger than %d MB", shown,
					  CLI_MAX_FILE_BYTES / (1024 * 1024));
			goto fail;
		}
		cli_buffer_append(buf, chunk, (size_t) n);
		nul = memchr(buf->data + buf->len - n, '\0', (size_t) n);
		if (nul != NULL)
		{
			cli_error("%s contains a NUL byte (line %zu): a flag file is UTF-8 text",
					  shown, line_of(buf->data, (size_t) (nul - buf->data)));
			goto fail;
		}
	}
	if (!is_stdin)
		close(fd);
	if (buf->data == NULL || is_blank(buf->data, buf->len))
	{
		cli_error("%s is empty", shown);
		cli_detail("hint", "A flag file starts with \"flags:\"; to delete every flag with --prune, sync a file that says \"flags: {}\".");
		free(shown);
		return false;
	}
	free(shown);
	return true;

fail:
	if (fd >= 0 && !is_stdin)
		close(fd);
	free(shown);
	cli_buffer_free(buf);
	return false;
}

/* The error for a file export could not write: 'could not write "PATH": REASON'. */
static void
write_error(const char *path, int err)
{
	char	   *shown = cli_shown(path, CLI_SHOW_QUOTED);

	cli_error("could not write %s: %s", shown, err ? strerror(err) : "write error");
	free(shown);
}

/* Write text to path ("-" or NULL = stdout), unchanged (see the top); false after an error line. */
bool
cli_write_output(const char *path, const char *text, size_t len)
{
	FILE	   *f;

	if (path == NULL || strcmp(path, "-") == 0)
	{
		fwrite(text, 1, len, stdout);
		return true;			/* cli_finish_stdout reports a failed write */
	}
	f = fopen(path, "w");
	if (f == NULL)
	{
		write_error(path, errno);
		return false;
	}
	errno = 0;
	if (fwrite(text, 1, len, f) != len || fflush(f) != 0 || ferror(f))
	{
		write_error(path, errno);
		fclose(f);
		return false;
	}
	if (fclose(f) != 0)
	{
		write_error(path, errno);
		return false;
	}
	return true;
}
