/*
 * strset.c
 *      A set of byte strings for duplicate keys in linear time; see strset.h.
 */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "ff_buf.h"
#include "murmur3.h"

/* The project's one hash, MurmurHash3 (murmur3.c), with a seed of the set's own. */
static uint64_t
hash_text(const char *s, size_t len)
{
	return ff_murmur3_32(s, len, 0x5e75e7u);
}

/* Free a set's keys and table and leave it empty. */
void
ff_strset_free(StrSet *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->entries[i].key);
	free(set->entries);
	memset(set, 0, sizeof(*set));
}

/* Double the table (or create it) and re-place the keys. */
static bool
strset_grow(StrSet *set)
{
	size_t		newcap = set->cap == 0 ? 16 : set->cap * 2;
	StrSetEntry *table;

	if (newcap <= set->cap || newcap > SIZE_MAX / sizeof(StrSetEntry))
		return false;
	table = ff_core_malloc(newcap * sizeof(StrSetEntry));
	if (table == NULL)
		return false;
	memset(table, 0, newcap * sizeof(StrSetEntry));
	for (size_t i = 0; i < set->cap; i++)
	{
		StrSetEntry *e = &set->entries[i];
		size_t		slot;

		if (e->key == NULL)
			continue;
		slot = e->hash & (newcap - 1);
		while (table[slot].key != NULL)
			slot = (slot + 1) & (newcap - 1);
		table[slot] = *e;
	}
	free(set->entries);
	set->entries = table;
	set->cap = newcap;
	return true;
}

/* Add a key: 1 when added, 0 when already there, -1 when out of memory. */
int
ff_strset_add(StrSet *set, const char *key, size_t len)
{
	uint64_t	h = hash_text(key, len);
	size_t		slot;
	char	   *copy;

	if ((set->count + 1) * 2 > set->cap && !strset_grow(set))
		return -1;
	slot = h & (set->cap - 1);
	while (ff_work_counts.probes++, set->entries[slot].key != NULL)
	{
		StrSetEntry *e = &set->entries[slot];

		if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
			return 0;
		slot = (slot + 1) & (set->cap - 1);
	}
	copy = ff_core_strndup(key, len);
	if (copy == NULL)
		return -1;
	set->entries[slot].key = copy;
	set->entries[slot].len = len;
	set->entries[slot].hash = h;
	set->count++;
	return 1;
}
