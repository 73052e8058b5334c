/*
 * random.c
 *      Where Unleash's random choices draw from (random stickiness,
 *      gradualRolloutRandom): ff_targeting_random, which the server points
 *      at PostgreSQL's generator; by default a function around rand().
 */
#include <stdio.h>
#include <stdlib.h>

#include "targeting_internal.h"

/* A number in [0, 2^32) from two calls of rand() (RAND_MAX is at least 2^15 - 1). */
static uint32_t
default_random(void)
{
	return ((uint32_t) rand() << 16) ^ (uint32_t) rand();
}

uint32_t	(*ff_targeting_random) (void) = default_random;

/* A random stickiness id as Unleash draws one (a decimal number below range), in buf. */
FFStr
ff_random_id(char *buf, uint32_t range)
{
	int			n = snprintf(buf, 16, "%u", (unsigned) (ff_targeting_random() % range));

	return (FFStr) {buf, (size_t) n};
}
