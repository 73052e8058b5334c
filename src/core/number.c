/*
 * number.c
 *      JavaScript's Number(string), which Unleash's NUM_ operators apply to
 *      the context value: trimmed, "" is 0, 0x/0o/0b integers, [+-]Infinity,
 *      decimal literals; anything else is NaN (never matches).
 *
 * The decimal digits are converted by strtod, which rounds correctly like
 * JavaScript; it reads the C locale's decimal point, which is what a
 * PostgreSQL backend runs with (LC_NUMERIC is always C there).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "targeting_internal.h"

/* The digit value of c in base (or -1). */
static int
digit_value(char c, int base)
{
	int			d = (c >= '0' && c <= '9') ? c - '0' :
		(c >= 'a' && c <= 'f') ? c - 'a' + 10 :
		(c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;

	return d < base ? d : -1;
}

/* 0x, 0o, 0b integer literals (no sign, at least one digit). */
static bool
radix_number(FFStr s, double *value)
{
	int			base;
	double		v = 0;

	if (s.len < 3 || s.ptr[0] != '0')
		return false;
	switch (s.ptr[1])
	{
		case 'x':
		case 'X':
			base = 16;
			break;
		case 'o':
		case 'O':
			base = 8;
			break;
		case 'b':
		case 'B':
			base = 2;
			break;
		default:
			return false;
	}
	for (size_t i = 2; i < s.len; i++)
	{
		int			d = digit_value(s.ptr[i], base);

		if (d < 0)
			return false;
		v = v * base + d;
	}
	*value = v;
	return true;
}

/* Skip decimal digits from *i; returns how many. */
static size_t
skip_digits(FFStr s, size_t *i)
{
	size_t		start = *i;

	while (*i < s.len && s.ptr[*i] >= '0' && s.ptr[*i] <= '9')
		(*i)++;
	return *i - start;
}

/* True when s (trimmed, sign included) is a StrDecimalLiteral other than Infinity. */
static bool
is_decimal_literal(FFStr s)
{
	size_t		i = 0;
	size_t		digits;

	if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-'))
		i++;
	digits = skip_digits(s, &i);
	if (i < s.len && s.ptr[i] == '.')
	{
		i++;
		digits += skip_digits(s, &i);
	}
	if (digits == 0)
		return false;
	if (i < s.len && (s.ptr[i] == 'e' || s.ptr[i] == 'E'))
	{
		i++;
		if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-'))
			i++;
		if (skip_digits(s, &i) == 0)
			return false;
	}
	return i == s.len;
}

/* JavaScript's Number(s): false when it is NaN. */
bool
ff_js_number(FFStr s, double *value)
{
	char		small[64];
	char	   *copy;

	s = ff_js_trim(s);
	if (s.len == 0)
	{
		*value = 0;
		return true;
	}
	if (radix_number(s, value))
		return true;
	if (ff_str_is(s, "Infinity") || ff_str_is(s, "+Infinity") || ff_str_is(s, "-Infinity"))
	{
		*value = s.ptr[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	if (!is_decimal_literal(s))
		return false;
	copy = s.len < sizeof(small) ? small : malloc(s.len + 1);
	if (copy == NULL)
		return false;
	memcpy(copy, s.ptr, s.len);
	copy[s.len] = '\0';
	*value = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	return true;
}
