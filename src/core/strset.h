/*
 * strset.h
 *      A set of byte strings (open addressing, linear probing), with which
 *      the YAML reader finds duplicate flag keys and tenants in linear time.
 *      Every slot a lookup looks at is counted in ff_work_counts.probes.
 *      Plain C, no PostgreSQL types.
 */
#ifndef FLAGFORGE_STRSET_H
#define FLAGFORGE_STRSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct StrSetEntry
{
	char	   *key;			/* owned copy; NULL = empty slot */
	size_t		len;
	uint64_t	hash;
} StrSetEntry;

/* All zero is an empty set. */
typedef struct StrSet
{
	StrSetEntry *entries;
	size_t		cap;			/* a power of two, or 0 */
	size_t		count;
} StrSet;

/* Add a key: 1 when added, 0 when already there, -1 when out of memory. */
extern int	ff_strset_add(StrSet *set, const char *key, size_t len);

/* Free a set's keys and table and leave it empty. */
extern void ff_strset_free(StrSet *set);

#endif							/* FLAGFORGE_STRSET_H */
