/*
 * key_index.h
 *      A read-only index from byte strings to their positions 0..n-1, laid
 *      out for lookups on every row of a scan.
 *
 * Row gating looks a tenant up in a flag's overrides once per row, with
 * the tenants of consecutive rows unrelated, so the lookup is bound by
 * memory, not by instructions.  The index keeps what a probe reads small
 * and together: one 8-byte slot (the key's hash and its position) in a
 * table at most half full, the keys' lengths and bytes packed apart from
 * the values they index.  A simplehash of FFOverride slots (80 bytes each,
 * keys allocated one by one) cost about twice as much per row.
 */
#ifndef FLAGFORGE_KEY_INDEX_H
#define FLAGFORGE_KEY_INDEX_H

#include "postgres.h"

#include "murmur3.h"
#include "resolver.h"

/*
 * One slot (16 bytes): the key's hash, its position (-1: empty) and its
 * first 8 bytes, zero-padded.  A key of at most 8 bytes is compared in the
 * slot alone (keys here are text, which holds no zero byte, so the padding
 * tells the length); a longer one is marked in the hash's lowest bit and
 * compared in full.
 */
typedef struct FFKeySlot
{
	uint32		hash;			/* lowest bit: the key is longer than 8 bytes */
	int32		position;
	uint64		head;
} FFKeySlot;

/* The index; built once by ff_key_index_build, then only read. */
typedef struct FFKeyIndex
{
	uint32		mask;			/* number of slots - 1 (a power of two) */
	FFKeySlot  *slots;
	FFStr	   *keys;			/* by position; bytes in one block */
	int			nkeys;
} FFKeyIndex;

/* The hash the index uses (a seed of its own). */
#define FF_KEY_INDEX_SEED 0x0f1a

/* Keys up to this long are compared in their slot. */
#define FF_KEY_HEAD 8

/*
 * Build an index of keys[0..nkeys-1] in cxt (copying their bytes).  A key
 * given twice keeps its first position.
 */
extern void ff_key_index_build(FFKeyIndex *index, MemoryContext cxt,
							   const FFStr *keys, int nkeys);

/* The first FF_KEY_HEAD bytes of key, zero-padded. */
static inline uint64
ff_key_head(FFStr key)
{
	uint64		head = 0;

	memcpy(&head, key.ptr, Min(key.len, FF_KEY_HEAD));
	return head;
}

/* The hash stored in a slot: the low bit says whether key is long. */
static inline uint32
ff_key_slot_hash(uint32 hash, FFStr key)
{
	return (hash & ~(uint32) 1) | (key.len > FF_KEY_HEAD ? 1 : 0);
}

/* The position of key, or -1.  Inline: it runs on every row of a scan. */
static inline int
ff_key_index_find(const FFKeyIndex *index, FFStr key)
{
	uint32		hash;
	uint32		stored;
	uint64		head;

	if (index->nkeys == 0)
		return -1;
	hash = ff_murmur3_32(key.ptr, key.len, FF_KEY_INDEX_SEED);
	stored = ff_key_slot_hash(hash, key);
	head = ff_key_head(key);
	for (uint32 i = hash & index->mask;; i = (i + 1) & index->mask)
	{
		const FFKeySlot *slot = &index->slots[i];

		if (slot->position < 0)
			return -1;
		if (slot->hash != stored || slot->head != head)
			continue;
		if (key.len <= FF_KEY_HEAD)
			return slot->position;
		if (index->keys[slot->position].len == key.len &&
			memcmp(index->keys[slot->position].ptr, key.ptr, key.len) == 0)
			return slot->position;
	}
}

#endif							/* FLAGFORGE_KEY_INDEX_H */
