/*
 * ff_buf.h
 *      The core's memory: one growth rule for every growable block (the
 *      writer's output buffer, the reader's arrays), malloc wrappers that
 *      the fault-injection tests can make fail, and counts of the work done
 *      (allocations, bytes, hash probes) that tests read instead of a clock.
 *
 * Plain C, no PostgreSQL types.  Everything here is malloc'd: the SQL side
 * copies what it keeps into its own memory.
 */
#ifndef FLAGFORGE_FF_BUF_H
#define FLAGFORGE_FF_BUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Work the core has done since the program started: every allocation
 * (count and bytes asked for, reallocations included), every slot a
 * hash-set lookup looked at and every libyaml event the reader handled.  Tests compare these between input sizes to
 * prove that work grows linearly, whatever the machine's speed.
 */
typedef struct FFWorkCounts
{
	unsigned long long allocations;
	unsigned long long bytes_allocated;
	unsigned long long probes;
	unsigned long long events;
} FFWorkCounts;

extern FFWorkCounts ff_work_counts;

#ifdef FF_YAML_FAULT_INJECTION
/*
 * Test hook: when >= 0, each allocation made by the reader or the emitter
 * decrements it and the one that finds it at 0 fails.  -1 (the default)
 * disables failures.  Compiled only with -DFF_YAML_FAULT_INJECTION.
 */
extern long ff_yaml_fault_countdown;

/* Decide whether the next allocation fails (reader and emitter). */
extern bool ff_yaml_fault_now(void);
#else
#define ff_yaml_fault_now() false
#endif

/* malloc (of at least 1 byte) that fault injection can fail and that is counted. */
extern void *ff_core_malloc(size_t size);

/* realloc (to at least 1 byte) that fault injection can fail and that is counted. */
extern void *ff_core_realloc(void *ptr, size_t size);

/* A new NUL-terminated copy of len bytes, or NULL when out of memory. */
extern char *ff_core_strndup(const char *s, size_t len);

/*
 * Make *mem (an array of *cap elements of elem_size bytes) hold at least
 * need elements, doubling it from 8; new elements are not initialised.
 * False (the array unchanged) when out of memory or when the size would
 * overflow.
 */
extern bool ff_grow(void **mem, size_t *cap, size_t need, size_t elem_size);

/* A growable byte buffer; data is NUL-terminated whenever it is not NULL. */
typedef struct FFBuf
{
	char	   *data;
	size_t		len;			/* bytes used, not counting the NUL */
	size_t		cap;			/* bytes allocated */
} FFBuf;

/* Start an empty buffer (all zero is also a valid empty buffer). */
extern void ff_buf_init(FFBuf *buf);

/* Release the buffer's memory and leave it empty. */
extern void ff_buf_free(FFBuf *buf);

/* Make room for extra more bytes (and the NUL); false when out of memory. */
extern bool ff_buf_reserve(FFBuf *buf, size_t extra);

/* Append bytes; false (buffer unchanged) when out of memory. */
extern bool ff_buf_append(FFBuf *buf, const char *s, size_t len);
extern bool ff_buf_append_str(FFBuf *buf, const char *s);
extern bool ff_buf_append_char(FFBuf *buf, char c);

#endif							/* FLAGFORGE_FF_BUF_H */
