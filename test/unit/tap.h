/*
 * tap.h
 *      What the core's unit tests share: TAP-style checks ("ok N - ...")
 *      and FFStr of a C string.  Included once per test program.
 */
#ifndef FLAGFORGE_TAP_H
#define FLAGFORGE_TAP_H

#include <stdio.h>
#include <string.h>

#include "resolver.h"

static int	checks = 0;
static int	failures = 0;

/* Record one check. */
static void
check(int ok, const char *what)
{
	checks++;
	if (!ok)
		failures++;
	printf("%sok %d - %s\n", ok ? "" : "not ", checks, what);
}

/* An FFStr of a C string. */
static inline FFStr
S(const char *s)
{
	FFStr		r = {s, strlen(s)};

	return r;
}

#endif							/* FLAGFORGE_TAP_H */
