/*
 * encoding.h
 *      Rollout buckets of the UTF-8 bytes in a database of any encoding.
 */
#ifndef FLAGFORGE_ENCODING_H
#define FLAGFORGE_ENCODING_H

/* Make the resolver hash UTF-8 whatever the database encoding (from _PG_init). */
extern void ff_encoding_init(void);

#endif							/* FLAGFORGE_ENCODING_H */
