/*
 * buffer.c
 *      Memory for the flagforge client: allocations that cannot come back
 *      NULL and a growable byte buffer.
 *
 * The client is a short-lived process; running out of memory is reported
 * as one error line and exit status 1 instead of a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flagforge_cli.h"

/* Leave with an error line when memory runs out. */
static void
out_of_memory(void)
{
	cli_error("out of memory");
	exit(CLI_EXIT_ERROR);
}

/* malloc that never returns NULL. */
void *
cli_malloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

/* strdup that never returns NULL. */
char *
cli_strdup(const char *s)
{
	size_t		len = strlen(s);
	char	   *copy = cli_malloc(len + 1);

	memcpy(copy, s, len + 1);
	return copy;
}

/* Append len bytes to buf, growing it by doubling; keeps a NUL after the data. */
void
cli_buffer_append(CliBuffer *buf, const char *data, size_t len)
{
	if (len >= SIZE_MAX / 2 - buf->len)
		out_of_memory();
	if (buf->data == NULL || buf->len + len + 1 > buf->cap)
	{
		size_t		cap = buf->cap ? buf->cap : 8192;
		char	   *grown;

		while (cap < buf->len + len + 1)
			cap *= 2;
		grown = realloc(buf->data, cap);
		if (grown == NULL)
			out_of_memory();
		buf->data = grown;
		buf->cap = cap;
	}
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

/* Release a buffer and leave it empty. */
void
cli_buffer_free(CliBuffer *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}
