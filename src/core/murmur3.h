/*
 * murmur3.h
 *      MurmurHash3_x86_32 (seed 0), fed in pieces, and the FlagForge bucket.
 *
 * Plain C with no PostgreSQL types, so that it can be unit tested, fuzzed
 * and reused.  The bucket is byte-exact with Python's
 * mmh3.hash(s, signed=False) % 100 on the UTF-8 bytes of
 * "tenant:flag_key:user_id".
 */
#ifndef FLAGFORGE_MURMUR3_H
#define FLAGFORGE_MURMUR3_H

#include <stddef.h>
#include <stdint.h>

/* Running state of a hash fed in several pieces. */
typedef struct FFMurmur3
{
	uint32_t	h1;				/* hash of the whole blocks so far */
	uint32_t	tail;			/* bytes waiting to fill a block, little-endian */
	uint32_t	tail_len;		/* how many bytes are in tail (0..3) */
	uint32_t	total_len;		/* bytes fed so far (mod 2^32, as the algorithm) */
} FFMurmur3;

extern void ff_murmur3_init(FFMurmur3 *state, uint32_t seed);
extern void ff_murmur3_update(FFMurmur3 *state, const void *data, size_t len);
extern uint32_t ff_murmur3_final(const FFMurmur3 *state);

/* One-shot hash of a byte string. */
extern uint32_t ff_murmur3_32(const void *data, size_t len, uint32_t seed);

/* Bucket 0..99 of tenant ':' flag_key ':' user_id (of their concatenation). */
extern int	ff_bucket(const char *tenant, size_t tenant_len,
					  const char *flag_key, size_t flag_key_len,
					  const char *user_id, size_t user_id_len);

#endif							/* FLAGFORGE_MURMUR3_H */
