/*
 * text.c
 *      Strings as Unleash's JavaScript reference treats them: trim(),
 *      toLocaleLowerCase(), plus the small helpers the targeting compile
 *      functions share (copies into the arena, error messages).
 *
 * Lower-casing covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
 * one code point at a time (with JavaScript's U+0130 -> "i\u0307");
 * other scripts are left as they are, and so is the final-sigma rule.
 * Bytes that are not valid UTF-8 are copied unchanged.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "targeting_internal.h"

/* Decode the code point at s[*i] (advancing *i); -1 for a byte that starts no valid sequence. */
static long
utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	int			n = (c < 0x80) ? 0 : (c >= 0xC2 && c < 0xE0) ? 1 :
		(c >= 0xE0 && c < 0xF0) ? 2 : (c >= 0xF0 && c < 0xF5) ? 3 : -1;
	long		cp;

	if (n < 0 || *i + n >= len)
	{
		(*i)++;
		return n == 0 ? c : -1;
	}
	cp = n == 0 ? c : c & (0x3F >> n);
	for (int k = 1; k <= n; k++)
	{
		if ((s[*i + k] & 0xC0) != 0x80)
		{
			(*i)++;
			return -1;
		}
		cp = (cp << 6) | (s[*i + k] & 0x3F);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
	{
		(*i)++;
		return -1;
	}
	*i += n + 1;
	return cp;
}

/* Encode cp as UTF-8 at out; returns the bytes written. */
static size_t
utf8_put(long cp, char *out)
{
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (char) (0xE0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* True for the code points JavaScript's trim() removes. */
static bool
js_space(long cp)
{
	return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0xA0 || cp == 0x1680 ||
		(cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
		cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

/* s without JavaScript's white space at its start (lead) and its end (trail). */
FFStr
ff_js_trim_sides(FFStr s, bool lead, bool trail)
{
	const unsigned char *p = (const unsigned char *) s.ptr;
	size_t		start = s.len;
	size_t		end = 0;
	size_t		i = 0;

	/* the first non-space starts the text; the end of the last non-space ends it */
	while (i < s.len)
	{
		size_t		at = i;
		long		cp = utf8_next(p, s.len, &i);

		if (js_space(cp))
			continue;
		if (start == s.len)
			start = at;
		end = i;
	}
	if (!lead)
		start = 0;
	else if (start == s.len)	/* all white space */
		return (FFStr) {s.ptr, 0};
	if (!trail)
		end = s.len;
	else if (end < start)
		end = start;
	return (FFStr) {s.ptr + start, end - start};
}

/* s without JavaScript's leading and trailing white space (String.prototype.trim). */
FFStr
ff_js_trim(FFStr s)
{
	return ff_js_trim_sides(s, true, true);
}

/* The simple lower case of one code point in the scripts this file knows. */
static long
lower_cp(long cp)
{
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
		(cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F))
		return cp + 32;
	if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177) ||
		(cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
		(cp >= 0x4D0 && cp <= 0x52F))
		return (cp % 2 == 0) ? cp + 1 : cp;
	if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E) ||
		(cp >= 0x4C1 && cp <= 0x4CE))
		return (cp % 2 == 1) ? cp + 1 : cp;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 80;
	if (cp == 0x178)
		return 0xFF;
	if (cp == 0x386)
		return 0x3AC;
	if (cp >= 0x388 && cp <= 0x38A)
		return cp + 37;
	if (cp == 0x38C)
		return 0x3CC;
	if (cp == 0x38E || cp == 0x38F)
		return cp + 63;
	if (cp == 0x4C0)
		return 0x4CF;
	return cp;
}

/*
 * The lower case of UTF-8 text as toLocaleLowerCase gives it for the
 * scripts it knows, written to out (room for 2 * s.len bytes); returns the
 * length.
 */
size_t
ff_utf8_lower(FFStr s, char *out)
{
	const unsigned char *p = (const unsigned char *) s.ptr;
	size_t		n = 0;
	size_t		i = 0;

	while (i < s.len)
	{
		size_t		at = i;
		long		cp = utf8_next(p, s.len, &i);

		if (cp < 0)
			out[n++] = (char) p[at];
		else if (cp == 0x130)	/* İ: "i" and a combining dot above, as JavaScript */
		{
			out[n++] = 'i';
			n += utf8_put(0x307, out + n);
		}
		else
			n += utf8_put(lower_cp(cp), out + n);
	}
	return n;
}

/* A copy of s in arena (lower-cased when lower). */
FFStr
ff_arena_str(FFArena *arena, FFStr s, bool lower)
{
	char	   *copy = arena->alloc(arena->cx, (lower ? 2 * s.len : s.len) + 1);
	size_t		len = s.len;

	if (lower)
		len = ff_utf8_lower(s, copy);
	else if (s.len > 0)
		memcpy(copy, s.ptr, s.len);
	copy[len] = '\0';
	return (FFStr) {copy, len};
}

/* Write a compile error (printf format) into err, when there is room; returns false. */
bool
ff_targeting_error(char *err, size_t errlen, const char *fmt,...)
{
	va_list		args;

	if (err != NULL && errlen > 0)
	{
		va_start(args, fmt);
		vsnprintf(err, errlen, fmt, args);
		va_end(args);
	}
	return false;
}

/* True when s holds exactly the C string lit. */
bool
ff_str_is(FFStr s, const char *lit)
{
	size_t		n = strlen(lit);

	return s.len == n && (n == 0 || memcmp(s.ptr, lit, n) == 0);
}
