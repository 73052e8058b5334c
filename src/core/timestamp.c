/*
 * timestamp.c
 *      ISO 8601 timestamps as JavaScript's Date parses the ECMAScript "Date
 *      Time String Format", which is what Unleash's DATE_ operators use:
 *      YYYY, YYYY-MM, YYYY-MM-DD (UTC midnight) and
 *      YYYY-MM-DDTHH:mm[:ss[.fraction]] followed by Z or +HH:mm / -HH:mm.
 *
 * Stricter than V8 on purpose: a date-time without a zone (local time in
 * JavaScript) and V8's legacy forms are refused, and so is a day the month
 * does not have (V8's legacy parser would roll 2022-02-30 over to March).
 * The fraction is kept to the millisecond, as Date does.
 */
#include "targeting_internal.h"

#define MICROS_PER_SECOND INT64_C(1000000)

/* Read exactly n digits at s[*i] into *value. */
static bool
read_digits(FFStr s, size_t *i, int n, int *value)
{
	int			v = 0;

	if (*i + n > s.len)
		return false;
	for (int k = 0; k < n; k++)
	{
		char		c = s.ptr[*i + k];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*i += n;
	*value = v;
	return true;
}

/* True when s[*i] is c (and step over it). */
static bool
accept(FFStr s, size_t *i, char c)
{
	if (*i < s.len && s.ptr[*i] == c)
	{
		(*i)++;
		return true;
	}
	return false;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The number of days of month m of year y. */
static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return (m == 2 && leap) ? 29 : days[m - 1];
}

/* The date part, YYYY[-MM[-DD]], in days since 1970-01-01. */
static bool
parse_date(FFStr s, size_t *i, int64_t *days)
{
	int			y,
				m = 1,
				d = 1;

	if (!read_digits(s, i, 4, &y))
		return false;
	if (accept(s, i, '-'))
	{
		if (!read_digits(s, i, 2, &m) || m < 1 || m > 12)
			return false;
		if (accept(s, i, '-') &&
			(!read_digits(s, i, 2, &d) || d < 1 || d > days_in_month(y, m)))
			return false;
	}
	*days = days_from_civil(y, m, d);
	return true;
}

/* The time part after 'T': HH:mm[:ss[.fraction]] in microseconds (milliseconds kept). */
static bool
parse_time(FFStr s, size_t *i, int64_t *micros)
{
	int			h,
				mi,
				sec = 0,
				ms = 0;

	if (!read_digits(s, i, 2, &h) || !accept(s, i, ':') || !read_digits(s, i, 2, &mi) ||
		h > 24 || mi > 59)
		return false;
	if (accept(s, i, ':'))
	{
		if (!read_digits(s, i, 2, &sec) || sec > 59)
			return false;
		if (accept(s, i, '.'))
		{
			size_t		start = *i;

			for (; *i < s.len && s.ptr[*i] >= '0' && s.ptr[*i] <= '9'; (*i)++)
				if (*i - start < 3)
					ms = ms * 10 + (s.ptr[*i] - '0');
			if (*i == start)
				return false;
			for (size_t k = *i - start; k < 3; k++)
				ms *= 10;
		}
	}
	if (h == 24 && (mi != 0 || sec != 0 || ms != 0))
		return false;
	*micros = ((h * INT64_C(60) + mi) * 60 + sec) * MICROS_PER_SECOND + ms * INT64_C(1000);
	return true;
}

/* The zone: Z or +HH:mm / -HH:mm, as an offset in microseconds east of UTC. */
static bool
parse_zone(FFStr s, size_t *i, int64_t *offset)
{
	int			h,
				m;
	char		sign;

	if (accept(s, i, 'Z'))
	{
		*offset = 0;
		return true;
	}
	if (*i >= s.len || (s.ptr[*i] != '+' && s.ptr[*i] != '-'))
		return false;
	sign = s.ptr[(*i)++];
	if (!read_digits(s, i, 2, &h) || !accept(s, i, ':') || !read_digits(s, i, 2, &m) ||
		h > 23 || m > 59)
		return false;
	*offset = (h * INT64_C(60) + m) * 60 * MICROS_PER_SECOND * (sign == '-' ? -1 : 1);
	return true;
}

/* An ISO 8601 timestamp (as JavaScript's Date parses it) in microseconds since 1970 UTC. */
bool
ff_parse_timestamp(FFStr text, int64_t *micros)
{
	size_t		i = 0;
	int64_t		days;
	int64_t		time = 0;
	int64_t		offset = 0;

	if (!parse_date(text, &i, &days))
		return false;
	if (accept(text, &i, 'T') &&
		(i != 11 || !parse_time(text, &i, &time) || !parse_zone(text, &i, &offset)))
		return false;
	if (i != text.len)
		return false;
	*micros = days * 86400 * MICROS_PER_SECOND + time - offset;
	return true;
}
