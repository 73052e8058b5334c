/*
 * yaml_scalar.c
 *      What an untagged plain (unquoted) scalar means: PyYAML 6 SafeLoader's
 *      YAML 1.1 implicit resolvers (resolver.py) and the int constructor,
 *      rewritten without regular expressions.  The reader types scalars with
 *      it; the writer quotes every string it would not give back as a string.
 */
#include "yaml_scalar.h"

#include <stdbool.h>
#include <string.h>

/* Largest magnitude ff_yaml_plain_int reports; anything past it is clamped. */
#define INT_CLAMP 1000000000000000LL

/* Is c an ASCII digit? */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Does s[0..len) equal the NUL-terminated word? */
bool
ff_yaml_text_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* Is the text one of the NULL-terminated list of words? */
static bool
text_in(const char *s, size_t len, const char *const *words)
{
	for (; *words != NULL; words++)
		if (ff_yaml_text_is(s, len, *words))
			return true;
	return false;
}

/* Skip [0-9_]* from position i. */
static size_t
skip_digits_underscores(const char *s, size_t len, size_t i)
{
	while (i < len && (is_digit(s[i]) || s[i] == '_'))
		i++;
	return i;
}

/*
 * Match (:[0-5]?[0-9])+ from s[i], which must be ':'; return the position
 * after it, or 0 when it does not match.  Greedy is exact here: what follows
 * is never a digit.
 */
static size_t
skip_sexagesimal(const char *s, size_t len, size_t i)
{
	if (i >= len || s[i] != ':')
		return 0;
	while (i < len && s[i] == ':')
	{
		i++;
		if (i + 1 < len && s[i] >= '0' && s[i] <= '5' && is_digit(s[i + 1]))
			i += 2;
		else if (i < len && is_digit(s[i]))
			i++;
		else
			return 0;
	}
	return i;
}

/* Match an optional exponent [eE][-+][0-9]+ that ends the text. */
static bool
exponent_ends(const char *s, size_t len, size_t i)
{
	if (i == len)
		return true;
	if (len - i < 3 || (s[i] != 'e' && s[i] != 'E') ||
		(s[i + 1] != '-' && s[i + 1] != '+'))
		return false;
	for (i += 2; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* PyYAML's int regex. */
static bool
matches_int(const char *s, size_t len)
{
	size_t		i = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i >= len)
		return false;
	if (s[i] == '0')
	{
		const char *digits;

		if (i + 1 == len)
			return true;		/* 0 */
		if (s[i + 1] == 'b')
			digits = "01_";
		else if (s[i + 1] == 'x')
			digits = "0123456789abcdefABCDEF_";
		else
		{
			/* 0[0-7_]+ */
			for (i++; i < len; i++)
				if (!((s[i] >= '0' && s[i] <= '7') || s[i] == '_'))
					return false;
			return true;
		}
		i += 2;
		if (i >= len)
			return false;
		for (; i < len; i++)
			if (strchr(digits, s[i]) == NULL || s[i] == '\0')
				return false;
		return true;
	}
	if (s[i] < '1' || s[i] > '9')
		return false;
	i = skip_digits_underscores(s, len, i + 1);
	if (i == len)
		return true;
	return skip_sexagesimal(s, len, i) == len;
}

/* PyYAML's float regex. */
static bool
matches_float(const char *s, size_t len)
{
	size_t		i = 0;
	bool		signed_ = false;

	if (i < len && (s[i] == '-' || s[i] == '+'))
	{
		i++;
		signed_ = true;
	}
	if (i >= len)
		return false;
	if (s[i] == '.')
	{
		static const char *const infs[] = {"inf", "Inf", "INF", NULL};
		static const char *const nans[] = {"nan", "NaN", "NAN", NULL};
		const char *rest = s + i + 1;
		size_t		restlen = len - i - 1;

		if (text_in(rest, restlen, infs))
			return true;
		if (signed_)
			return false;
		if (text_in(rest, restlen, nans))
			return true;
		if (restlen == 0 || !is_digit(rest[0]))
			return false;
		return exponent_ends(rest, restlen,
							 skip_digits_underscores(rest, restlen, 1));
	}
	if (!is_digit(s[i]))
		return false;
	i = skip_digits_underscores(s, len, i + 1);
	if (i < len && s[i] == ':')
	{
		i = skip_sexagesimal(s, len, i);
		if (i == 0 || i >= len || s[i] != '.')
			return false;
		return skip_digits_underscores(s, len, i + 1) == len;
	}
	if (i >= len || s[i] != '.')
		return false;
	return exponent_ends(s, len, skip_digits_underscores(s, len, i + 1));
}

/* Match [0-9][0-9]? from s[*i], advancing *i. */
static bool
one_or_two_digits(const char *s, size_t len, size_t *i)
{
	if (*i >= len || !is_digit(s[*i]))
		return false;
	(*i)++;
	if (*i < len && is_digit(s[*i]))
		(*i)++;
	return true;
}

/* Match exactly n digits from s[*i], advancing *i. */
static bool
n_digits(const char *s, size_t len, size_t *i, int n)
{
	for (int k = 0; k < n; k++, (*i)++)
		if (*i >= len || !is_digit(s[*i]))
			return false;
	return true;
}

/* PyYAML's timestamp regex. */
static bool
matches_timestamp(const char *s, size_t len)
{
	size_t		i = 0;

	if (!n_digits(s, len, &i, 4) || i >= len || s[i] != '-')
		return false;
	i++;
	/* [0-9]{4}-[0-9]{2}-[0-9]{2} */
	if (len == 10 && is_digit(s[5]) && is_digit(s[6]) && s[7] == '-' &&
		is_digit(s[8]) && is_digit(s[9]))
		return true;
	if (!one_or_two_digits(s, len, &i) || i >= len || s[i] != '-')
		return false;
	i++;
	if (!one_or_two_digits(s, len, &i) || i >= len)
		return false;
	if (s[i] == 'T' || s[i] == 't')
		i++;
	else if (s[i] == ' ' || s[i] == '\t')
	{
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	else
		return false;
	if (!one_or_two_digits(s, len, &i) || i >= len || s[i] != ':')
		return false;
	i++;
	if (!n_digits(s, len, &i, 2) || i >= len || s[i] != ':')
		return false;
	i++;
	if (!n_digits(s, len, &i, 2))
		return false;
	if (i < len && s[i] == '.')
	{
		i++;
		while (i < len && is_digit(s[i]))
			i++;
	}
	if (i == len)
		return true;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < len && s[i] == 'Z')
		return i + 1 == len;
	if (i >= len || (s[i] != '-' && s[i] != '+'))
		return false;
	i++;
	if (!one_or_two_digits(s, len, &i))
		return false;
	if (i == len)
		return true;
	if (s[i] != ':')
		return false;
	i++;
	return n_digits(s, len, &i, 2) && i == len;
}

/* Resolve a plain scalar's text exactly as PyYAML 6 SafeLoader does. */
FFYamlScalarKind
ff_yaml_resolve_plain(const char *s, size_t len)
{
	static const char *const bools[] = {
		"yes", "Yes", "YES", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF", NULL
	};
	static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};

	if (len == 0 || text_in(s, len, nulls))
		return FF_SCALAR_NULL;
	if (text_in(s, len, bools))
		return FF_SCALAR_BOOL;
	if (ff_yaml_text_is(s, len, "<<"))
		return FF_SCALAR_MERGE;
	if (ff_yaml_text_is(s, len, "="))
		return FF_SCALAR_VALUE;
	if (!is_digit(s[0]) && s[0] != '-' && s[0] != '+' && s[0] != '.')
		return FF_SCALAR_STR;
	if (matches_float(s, len))
		return FF_SCALAR_FLOAT;
	if (matches_int(s, len))
		return FF_SCALAR_INT;
	if (matches_timestamp(s, len))
		return FF_SCALAR_TIMESTAMP;
	return FF_SCALAR_STR;
}

/* Is a plain boolean's text one of the true spellings? */
bool
ff_yaml_plain_bool(const char *s, size_t len)
{
	static const char *const trues[] = {
		"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL
	};

	return text_in(s, len, trues);
}

/* Value of one digit in base 16, or -1. */
static int
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Accumulate digits of s[i..end) in base, skipping underscores, into
 * *value, clamping at INT_CLAMP.  Returns how many digits were seen, or -1
 * on a character that is not a digit of the base.
 */
static long
accumulate_digits(const char *s, size_t i, size_t end, int base,
				  long long *value)
{
	long		ndigits = 0;

	for (; i < end; i++)
	{
		int			d;

		if (s[i] == '_')
			continue;
		d = digit_value(s[i]);
		if (d < 0 || d >= base)
			return -1;
		*value = *value * base + d;
		if (*value > INT_CLAMP)
			*value = INT_CLAMP;
		ndigits++;
	}
	return ndigits;
}

/* Value of a plain int, as PyYAML's construct_yaml_int computes it. */
bool
ff_yaml_plain_int(const char *s, size_t len, long long *value)
{
	size_t		i = 0;
	bool		negative = false;
	long long	v = 0;

	*value = 0;
	if (!matches_int(s, len))
		return false;
	if (s[i] == '-' || s[i] == '+')
		negative = s[i++] == '-';
	if (s[i] == '0' && i + 1 < len && (s[i + 1] == 'b' || s[i + 1] == 'x'))
	{
		/* "0b_" and "0x_" match the regex but int('', base) fails */
		if (accumulate_digits(s, i + 2, len, s[i + 1] == 'b' ? 2 : 16, &v) <= 0)
			return false;
	}
	else if (s[i] == '0')
	{
		if (accumulate_digits(s, i, len, 8, &v) < 0)
			return false;
	}
	else if (memchr(s + i, ':', len - i) != NULL)
	{
		/* sexagesimal: base-60 places, each a decimal number */
		while (i < len)
		{
			const char *colon = memchr(s + i, ':', len - i);
			size_t		end = colon ? (size_t) (colon - s) : len;
			long long	place = 0;

			if (accumulate_digits(s, i, end, 10, &place) <= 0)
				return false;
			v = v > INT_CLAMP / 60 ? INT_CLAMP : v * 60 + place;
			if (v > INT_CLAMP)
				v = INT_CLAMP;
			i = end + 1;
		}
	}
	else if (accumulate_digits(s, i, len, 10, &v) <= 0)
		return false;
	*value = negative ? -v : v;
	return true;
}
