/*
 * key_index.c
 *      Building the read-only string index of key_index.h.
 */
#include "postgres.h"

#include "key_index.h"

/* Build an index of keys[0..nkeys-1] in cxt (see key_index.h). */
void
ff_key_index_build(FFKeyIndex *index, MemoryContext cxt, const FFStr *keys, int nkeys)
{
	uint32		nslots = 16;
	size_t		total = 0;
	char	   *bytes;

	/* At most half full, so that a probe seldom reads a second slot. */
	while (nslots < (uint32) nkeys * 2)
		nslots *= 2;
	index->mask = nslots - 1;
	index->nkeys = nkeys;
	index->slots = MemoryContextAlloc(cxt, sizeof(FFKeySlot) * nslots);
	for (uint32 i = 0; i < nslots; i++)
		index->slots[i].position = -1;
	index->keys = MemoryContextAlloc(cxt, sizeof(FFStr) * Max(nkeys, 1));
	for (int k = 0; k < nkeys; k++)
		total += keys[k].len;
	bytes = MemoryContextAlloc(cxt, Max(total, 1));

	for (int k = 0; k < nkeys; k++)
	{
		uint32		hash = ff_murmur3_32(keys[k].ptr, keys[k].len, FF_KEY_INDEX_SEED);
		uint32		i;

		if (keys[k].len > 0)
			memcpy(bytes, keys[k].ptr, keys[k].len);
		index->keys[k].ptr = bytes;
		index->keys[k].len = keys[k].len;
		bytes += keys[k].len;
		if (ff_key_index_find(index, keys[k]) >= 0)
			continue;			/* a duplicate keeps its first position */
		for (i = hash & index->mask; index->slots[i].position >= 0; i = (i + 1) & index->mask)
			;
		index->slots[i].hash = ff_key_slot_hash(hash, keys[k]);
		index->slots[i].head = ff_key_head(keys[k]);
		index->slots[i].position = k;
	}
}
