/*
 * show.c
 *      How the flagforge client shows text that comes from outside it (flag
 *      keys, names, tenants, reasons, server messages, command-line words):
 *      never raw, so that no value can fake a line of output or send the
 *      terminal a control sequence.
 *
 * Escaped, in every form, are the C0 controls and DEL (\n, \r, \t, else
 * \xNN: ESC is \x1b), the C1 controls U+0080..U+009F, the line and
 * paragraph separators U+2028/U+2029 and the bidi formatting characters
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) as \uNNNN, and
 * a byte that is not UTF-8 as \xNN.  The forms (CliShow):
 *   CLI_SHOW_TEXT    free text such as a message: only the escapes
 *   CLI_SHOW_VALUE   a value: as is when it is plain, else double-quoted
 *                   with " and \ escaped too.  Plain means not empty, no
 *                   escape needed, no " or \, no space at either end.
 *   CLI_SHOW_QUOTED  a value inside a message: always double-quoted
 * So a shown value is always one line, and a quoted one reads back
 * unambiguously.  Escaping is the same on a terminal, a pipe or a file:
 * what a script parses is what a person sees.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "flagforge_cli.h"

/* The code point of the UTF-8 sequence at s (len bytes left) in *cp; its length, 0 if invalid. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min_of_length[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t		n = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 :
		s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	uint32_t	c;
	size_t		i;

	if (n == 0 || n > len)
		return 0;
	c = n == 1 ? s[0] : s[0] & (0x7F >> n);
	for (i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min_of_length[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Must this code point be escaped (a control, a line separator, a bidi formatting character)? */
static bool
is_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
		cp == 0x061C || cp == 0x200E || cp == 0x200F ||
		cp == 0x2028 || cp == 0x2029 ||
		(cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The escape of an unsafe code point (or, with invalid, of a byte that is not UTF-8) into esc. */
static void
escape_of(uint32_t cp, bool invalid, char *esc, size_t size)
{
	if (!invalid && cp == '\n')
		snprintf(esc, size, "\\n");
	else if (!invalid && cp == '\r')
		snprintf(esc, size, "\\r");
	else if (!invalid && cp == '\t')
		snprintf(esc, size, "\\t");
	else if (invalid || cp < 0x80)
		snprintf(esc, size, "\\x%02x", (unsigned) cp);
	else
		snprintf(esc, size, "\\u%04x", (unsigned) cp);
}

/* Does s need quotes as a value: empty, a space at an end, a quote, a backslash or anything escaped? */
static bool
needs_quotes(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		i = 0;

	if (len == 0 || s[0] == ' ' || s[len - 1] == ' ')
		return true;
	while (i < len)
	{
		uint32_t	cp;
		size_t		n = utf8_decode(u + i, len - i, &cp);

		if (n == 0 || is_unsafe(cp) || cp == '"' || cp == '\\')
			return true;
		i += n;
	}
	return false;
}

/* Append len bytes of s to out as the form how says. */
void
cli_append_shown(CliBuffer *out, const char *s, size_t len, CliShow how)
{
	const unsigned char *u = (const unsigned char *) s;
	bool		quoted = how == CLI_SHOW_QUOTED || (how == CLI_SHOW_VALUE && needs_quotes(s, len));
	size_t		i = 0;

	if (quoted)
		cli_buffer_append(out, "\"", 1);
	while (i < len)
	{
		uint32_t	cp = u[i];
		size_t		n = utf8_decode(u + i, len - i, &cp);
		char		esc[16];

		if (n == 0 || is_unsafe(cp))
		{
			escape_of(cp, n == 0, esc, sizeof(esc));
			cli_buffer_append(out, esc, strlen(esc));
			i += n == 0 ? 1 : n;
			continue;
		}
		if (quoted && (cp == '"' || cp == '\\'))
			cli_buffer_append(out, "\\", 1);
		cli_buffer_append(out, s + i, n);
		i += n;
	}
	if (quoted)
		cli_buffer_append(out, "\"", 1);
	if (out->data == NULL)
		cli_buffer_append(out, "", 0);	/* an empty text is "", not NULL */
}

/* s (NULL shows as "") as the form how says, in memory the caller frees. */
char *
cli_shown(const char *s, CliShow how)
{
	CliBuffer	out = {0};

	cli_append_shown(&out, s ? s : "", s ? strlen(s) : 0, how);
	return out.data;
}

/* Write len bytes of s to f as the form how says. */
void
cli_put_shown(FILE *f, const char *s, size_t len, CliShow how)
{
	CliBuffer	out = {0};

	cli_append_shown(&out, s, len, how);
	fwrite(out.data, 1, out.len, f);
	cli_buffer_free(&out);
}
