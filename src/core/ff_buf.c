/*
 * ff_buf.c
 *      The core's memory: counted, fault-injectable malloc, one growth rule
 *      for arrays and the byte buffer FFBuf.  See ff_buf.h.
 */
#include "ff_buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

FFWorkCounts ff_work_counts;

#ifdef FF_YAML_FAULT_INJECTION
long		ff_yaml_fault_countdown = -1;

/* Decide whether the next allocation fails, for the NOMEM tests. */
bool
ff_yaml_fault_now(void)
{
	if (ff_yaml_fault_countdown < 0)
		return false;
	return ff_yaml_fault_countdown-- == 0;
}
#endif

/* malloc that the fault-injection tests can make fail. */
void *
ff_core_malloc(size_t size)
{
	if (ff_yaml_fault_now())
		return NULL;
	ff_work_counts.allocations++;
	ff_work_counts.bytes_allocated += size;
	return malloc(size == 0 ? 1 : size);
}

/* realloc that the fault-injection tests can make fail. */
void *
ff_core_realloc(void *ptr, size_t size)
{
	if (ff_yaml_fault_now())
		return NULL;
	ff_work_counts.allocations++;
	ff_work_counts.bytes_allocated += size;
	return realloc(ptr, size == 0 ? 1 : size);
}

/* Copy len bytes into a new NUL-terminated string. */
char *
ff_core_strndup(const char *s, size_t len)
{
	char	   *copy;

	if (len == SIZE_MAX)
		return NULL;
	copy = ff_core_malloc(len + 1);
	if (copy == NULL)
		return NULL;
	if (len > 0)
		memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* Make an array hold at least need elements, doubling. */
bool
ff_grow(void **mem, size_t *cap, size_t need, size_t elem_size)
{
	size_t		newcap = *cap == 0 ? 8 : *cap;
	void	   *grown;

	if (need <= *cap)
		return true;
	while (newcap < need)
	{
		if (newcap > SIZE_MAX / 2)
			return false;
		newcap *= 2;
	}
	if (newcap > SIZE_MAX / elem_size)
		return false;
	grown = ff_core_realloc(*mem, newcap * elem_size);
	if (grown == NULL)
		return false;
	*mem = grown;
	*cap = newcap;
	return true;
}

/* Start an empty buffer. */
void
ff_buf_init(FFBuf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

/* Release the buffer's memory and leave it empty. */
void
ff_buf_free(FFBuf *buf)
{
	free(buf->data);
	ff_buf_init(buf);
}

/* Make room for extra more bytes and the NUL. */
bool
ff_buf_reserve(FFBuf *buf, size_t extra)
{
	void	   *data = buf->data;

	if (extra > SIZE_MAX - buf->len - 1)
		return false;
	/* start at 256 bytes rather than 8: a buffer is rarely that small */
	if (!ff_grow(&data, &buf->cap, buf->len + extra + (buf->cap == 0 ? 256 : 1), 1))
		return false;
	buf->data = data;
	return true;
}

/* Append bytes. */
bool
ff_buf_append(FFBuf *buf, const char *s, size_t len)
{
	if (!ff_buf_reserve(buf, len))
		return false;
	if (len > 0)
		memcpy(buf->data + buf->len, s, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return true;
}

/* Append a NUL-terminated string. */
bool
ff_buf_append_str(FFBuf *buf, const char *s)
{
	return ff_buf_append(buf, s, strlen(s));
}

/* Append one byte. */
bool
ff_buf_append_char(FFBuf *buf, char c)
{
	return ff_buf_append(buf, &c, 1);
}
