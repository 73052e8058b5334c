/*
 * strmap.h
 *      A simplehash table keyed by byte strings (FFStr), for the cache.
 *
 * A template, included once per table (no include guard): define SH_PREFIX,
 * SH_ELEMENT_TYPE (a struct whose first fields are FFStr key, uint32 hash,
 * char status) and STRMAP_SEED (the MurmurHash3 seed) first.
 */
#define SH_KEY_TYPE FFStr
#define SH_KEY key
#define SH_HASH_KEY(tb, k) ff_murmur3_32((k).ptr, (k).len, STRMAP_SEED)
#define SH_EQUAL(tb, a, b) ff_str_equal(a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"
#undef STRMAP_SEED
