/*
 * murmur3.c
 *      MurmurHash3_x86_32 as published by Austin Appleby (public domain),
 *      restated so that the input can arrive in pieces.
 *
 * This is the one implementation: the one-shot hash is a single piece.  The
 * per-row bucket hashes "tenant:key:user" without building the string: the
 * three parts and the two separators are fed in turn, and bytes that do not
 * fill a 4-byte block are carried to the next piece.  The result equals the
 * hash of the concatenation (test_resolver checks it against the reference
 * vectors).  Blocks are read little-endian whatever
 * the host order, as Python's mmh3 does on x86.
 */
#include <string.h>

#include "murmur3.h"

#define MURMUR3_C1 0xcc9e2d51u
#define MURMUR3_C2 0x1b873593u

/* Rotate a 32-bit word left by r bits. */
static inline uint32_t
rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* Scramble one 4-byte block before it is mixed into the hash. */
static inline uint32_t
scramble_block(uint32_t k1)
{
	k1 *= MURMUR3_C1;
	k1 = rotl32(k1, 15);
	k1 *= MURMUR3_C2;
	return k1;
}

/* Mix one whole block into the running hash. */
static inline uint32_t
mix_block(uint32_t h1, uint32_t k1)
{
	h1 ^= scramble_block(k1);
	h1 = rotl32(h1, 13);
	return h1 * 5 + 0xe6546b64u;
}

/* Start a hash with the given seed. */
void
ff_murmur3_init(FFMurmur3 *state, uint32_t seed)
{
	state->h1 = seed;
	state->tail = 0;
	state->tail_len = 0;
	state->total_len = 0;
}

/* Feed len more bytes. */
void
ff_murmur3_update(FFMurmur3 *state, const void *data, size_t len)
{
	const unsigned char *p;
	const unsigned char *end;
	uint32_t	h1 = state->h1;

	if (len == 0)
		return;					/* also keeps a NULL pointer out of arithmetic */
	p = (const unsigned char *) data;
	end = p + len;
	state->total_len += (uint32_t) len;

	/* Top up a partial block left by the previous piece. */
	while (state->tail_len > 0 && p < end)
	{
		state->tail |= (uint32_t) (*p++) << (8 * state->tail_len);
		if (++state->tail_len == 4)
		{
			h1 = mix_block(h1, state->tail);
			state->tail = 0;
			state->tail_len = 0;
		}
	}

	/* Whole blocks, little-endian. */
	while (end - p >= 4)
	{
		uint32_t	k1 = (uint32_t) p[0] | (uint32_t) p[1] << 8 |
			(uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;

		h1 = mix_block(h1, k1);
		p += 4;
	}

	/* Keep what is left for the next piece or the end. */
	while (p < end)
		state->tail |= (uint32_t) (*p++) << (8 * state->tail_len++);

	state->h1 = h1;
}

/* Finish the hash: the tail, the length and the final avalanche. */
uint32_t
ff_murmur3_final(const FFMurmur3 *state)
{
	uint32_t	h1 = state->h1;

	if (state->tail_len > 0)
		h1 ^= scramble_block(state->tail);

	h1 ^= state->total_len;
	h1 ^= h1 >> 16;
	h1 *= 0x85ebca6bu;
	h1 ^= h1 >> 13;
	h1 *= 0xc2b2ae35u;
	h1 ^= h1 >> 16;
	return h1;
}

/* One-shot hash of a byte string. */
uint32_t
ff_murmur3_32(const void *data, size_t len, uint32_t seed)
{
	FFMurmur3	state;

	ff_murmur3_init(&state, seed);
	ff_murmur3_update(&state, data, len);
	return ff_murmur3_final(&state);
}

/* Bucket 0..99 of tenant ':' flag_key ':' user_id (the reference's compute_bucket). */
int
ff_bucket(const char *tenant, size_t tenant_len,
		  const char *flag_key, size_t flag_key_len,
		  const char *user_id, size_t user_id_len)
{
	FFMurmur3	state;

	ff_murmur3_init(&state, 0);
	ff_murmur3_update(&state, tenant, tenant_len);
	ff_murmur3_update(&state, ":", 1);
	ff_murmur3_update(&state, flag_key, flag_key_len);
	ff_murmur3_update(&state, ":", 1);
	ff_murmur3_update(&state, user_id, user_id_len);
	return (int) (ff_murmur3_final(&state) % 100u);
}
