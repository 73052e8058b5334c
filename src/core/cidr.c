/*
 * cidr.c
 *      Addresses and ranges for Unleash's IN_CIDR operator, read the way
 *      the ip-address package (Address4/Address6) accepts them: an IPv4 or
 *      IPv6 address (inet_pton: dotted quads without leading zeros, IPv6
 *      with "::" and an embedded IPv4 tail) with an optional /prefix.
 *      A range contains an address when they are the same address or the
 *      address's prefix is at least the range's and their first bits agree.
 */
#include <arpa/inet.h>
#include <string.h>

#include "targeting_internal.h"

#define CIDR_TEXT_MAX 64

/* A /prefix of at most two digits (three for IPv6), at most max; false when malformed. */
static bool
parse_prefix(const char *text, int max, int *prefix)
{
	int			v = 0;
	size_t		n = strlen(text);

	if (n == 0 || n > (max > 99 ? 3u : 2u))
		return false;
	for (size_t i = 0; i < n; i++)
	{
		if (text[i] < '0' || text[i] > '9')
			return false;
		v = v * 10 + (text[i] - '0');
	}
	if (v > max)
		return false;
	*prefix = v;
	return true;
}

/* Parse an address with an optional /prefix as Address4/Address6 accept it. */
bool
ff_cidr_parse(FFStr s, FFCidr *out)
{
	char		text[CIDR_TEXT_MAX];
	char	   *slash;

	memset(out, 0, sizeof(*out));
	if (s.len == 0 || s.len >= sizeof(text) || memchr(s.ptr, '\0', s.len) != NULL)
		return false;
	memcpy(text, s.ptr, s.len);
	text[s.len] = '\0';
	slash = strchr(text, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, text, out->addr) == 1)
	{
		out->family = 4;
		out->prefix = 32;
	}
	else if (inet_pton(AF_INET6, text, out->addr) == 1)
	{
		out->family = 6;
		out->prefix = 128;
	}
	else
		return false;
	if (slash != NULL && !parse_prefix(slash, out->prefix, &out->prefix))
		return false;
	out->valid = true;
	return true;
}

/* Unleash's IN_CIDR test of one address against one range. */
bool
ff_cidr_contains(const FFCidr *range, const FFCidr *address)
{
	int			bytes = range->family == 4 ? 4 : 16;
	int			full = range->prefix / 8;
	int			rest = range->prefix % 8;

	if (!range->valid || !address->valid || range->family != address->family)
		return false;
	if (memcmp(range->addr, address->addr, bytes) == 0)
		return true;
	if (address->prefix < range->prefix || memcmp(range->addr, address->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((range->addr[full] ^ address->addr[full]) & (0xFF00 >> rest) & 0xFF) == 0;
}
