/*
 * buffer.c
 *      Memory for the flagforge client: allocations that cannot come back
 *      NULL and a growable byte buffer.
 *
 * The client is a short-lived process; running out of memory is reported
 * as one error line and exit status 1 instead of a crash.
 *
 * CliBuffer is the client's one growable buffer: every text it builds
 * (shown values, the --groups array, the flag file) grows here and nowhere
 * else.  libpq's PQExpBuffer (the frontend twin of the server's StringInfo,
 * exported by libpq.so) was weighed and not used, because in this build:
 *  - its header is not usable on its own: pqexpbuffer.h comes from
 *    includedir/internal (libpq-dev) and needs pg_attribute_printf from
 *    PostgreSQL's c.h, so a plain #include fails to compile;
 *  - getting c.h means postgres_fe.h, whose port.h renames printf,
 *    snprintf and friends to pg_printf... from libpgport, a static library
 *    of postgresql-server-dev-15 that this program deliberately does not
 *    link (see the Makefile: libpq and libc only);
 *  - out of memory it leaves a "broken" buffer for the caller to test
 *    after every append, where this one exits with the error line, so a
 *    wrapper would still be needed here.
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
