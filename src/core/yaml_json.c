/*
 * yaml_json.c
 *      YAML scalars to JSON values, and JSON text to YAML; see yaml_json.h.
 *      The emitter reads JSON token by token (no tree, no recursion): JSON
 *      punctuation is YAML flow punctuation, so only strings are rewritten.
 */
#include "yaml_json.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "yaml_emit.h"
#include "yaml_scalar.h"

/* Append len bytes of UTF-8 as a JSON string literal. */
bool
ff_json_append_string(FFBuf *buf, const char *s, size_t len)
{
	if (!ff_buf_append_char(buf, '"'))
		return false;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		char		esc[8];

		if (c == '"' || c == '\\')
		{
			if (!ff_buf_append_char(buf, '\\') || !ff_buf_append_char(buf, (char) c))
				return false;
		}
		else if (c < 0x20)
		{
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			if (!ff_buf_append_str(buf, esc))
				return false;
		}
		else if (!ff_buf_append_char(buf, (char) c))
			return false;
	}
	return ff_buf_append_char(buf, '"');
}

/*
 * Append a plain YAML 1.1 float as a JSON number: underscores and a '+'
 * dropped, a 0 added around a bare '.'; false with *problem for .inf,
 * .nan and sexagesimal floats.
 */
static bool
append_float(FFBuf *buf, const char *s, size_t len, const char **problem)
{
	size_t		start = buf->len;
	char		prev = '\0';

	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == ':' || c == 'i' || c == 'I' || c == 'n' || c == 'N')
		{
			*problem = "has no JSON form: write a decimal number or quote it";
			return false;
		}
		if (c == '_' || (c == '+' && i == 0))
			continue;
		if (c == '.' && (buf->len == start || prev == '-') && !ff_buf_append_char(buf, '0'))
			return false;
		if (prev == '.' && (c < '0' || c > '9') && !ff_buf_append_char(buf, '0'))
			return false;
		if (!ff_buf_append_char(buf, c))
			return false;
		prev = c;
	}
	if (prev == '.')
		return ff_buf_append_char(buf, '0');
	return true;
}

/* Append a YAML scalar as a JSON value; see yaml_json.h. */
bool
ff_json_append_scalar(FFBuf *buf, const char *s, size_t len, bool plain,
					  const char **problem)
{
	long long	value;
	char		num[32];

	*problem = NULL;
	if (!plain)
		return ff_json_append_string(buf, s, len);
	switch (ff_yaml_resolve_plain(s, len))
	{
		case FF_SCALAR_NULL:
			return ff_buf_append_str(buf, "null");
		case FF_SCALAR_BOOL:
			return ff_buf_append_str(buf, ff_yaml_plain_bool(s, len) ? "true" : "false");
		case FF_SCALAR_INT:
			if (!ff_yaml_plain_int(s, len, &value))
			{
				*problem = "is not a valid integer: quote it";
				return false;
			}
			snprintf(num, sizeof(num), "%lld", value);
			return ff_buf_append_str(buf, num);
		case FF_SCALAR_FLOAT:
			return append_float(buf, s, len, problem);
		default:
			return ff_json_append_string(buf, s, len);
	}
}

/* Skip JSON white space. */
static const char *
skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The value of n hex digits at p, or -1. */
static long
hex_value(const char *p, int n)
{
	long		v = 0;

	for (int i = 0; i < n; i++)
	{
		char		c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Append a code point as UTF-8. */
static bool
append_utf8(FFBuf *out, uint32_t cp)
{
	char		b[4];
	size_t		n;

	if (cp < 0x80)
		return ff_buf_append_char(out, (char) cp);
	if (cp < 0x800)
	{
		b[0] = (char) (0xC0 | (cp >> 6));
		n = 2;
	}
	else if (cp < 0x10000)
	{
		b[0] = (char) (0xE0 | (cp >> 12));
		b[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		n = 3;
	}
	else
	{
		b[0] = (char) (0xF0 | (cp >> 18));
		b[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		n = 4;
	}
	b[n - 1] = (char) (0x80 | (cp & 0x3F));
	return ff_buf_append(out, b, n);
}

/*
 * Read the JSON string at *pp (its opening quote) into out, unescaped;
 * *pp is left after the closing quote.  False on a malformed string or
 * out of memory.
 */
static bool
read_string(const char **pp, FFBuf *out)
{
	const char *p = *pp + 1;

	out->len = 0;
	if (!ff_buf_append(out, "", 0))
		return false;
	while (*p != '"')
	{
		char		c = *p++;
		long		cp;

		if (c == '\0')
			return false;
		if (c != '\\')
		{
			if (!ff_buf_append_char(out, c))
				return false;
			continue;
		}
		c = *p++;
		switch (c)
		{
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				cp = hex_value(p, 4);
				if (cp < 0)
					return false;
				p += 4;
				if (cp >= 0xD800 && cp < 0xDC00 && p[0] == '\\' && p[1] == 'u')
				{
					long		low = hex_value(p + 2, 4);

					if (low >= 0xDC00 && low < 0xE000)
					{
						cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
						p += 6;
					}
				}
				if (!append_utf8(out, (uint32_t) cp))
					return false;
				continue;
			case '"': case '\\': case '/': break;
			default:
				return false;
		}
		if (!ff_buf_append_char(out, c))
			return false;
	}
	*pp = p + 1;
	return true;
}

/*
 * Append one JSON value at *pp in YAML flow style, leaving *pp after it:
 * punctuation as it is (", " and ": " spaced), strings through the
 * scalar writer, numbers and literals copied.
 */
static bool
emit_flow_value(FFBuf *buf, const char **pp, FFBuf *tmp)
{
	const char *p = *pp;
	int			depth = 0;

	do
	{
		const char *start;

		p = skip_space(p);
		switch (*p)
		{
			case '"':
				if (!read_string(&p, tmp) || !ff_yaml_emit_scalar(buf, tmp->data, tmp->len))
					return false;
				break;
			case '{':
			case '[':
				depth++;
				if (!ff_buf_append_char(buf, *p++))
					return false;
				break;
			case '}':
			case ']':
				if (--depth < 0 || !ff_buf_append_char(buf, *p++))
					return false;
				break;
			case ',':
				p++;
				if (!ff_buf_append_str(buf, ", "))
					return false;
				break;
			case ':':
				p++;
				if (!ff_buf_append_str(buf, ": "))
					return false;
				break;
			case '\0':
				return false;
			default:
				start = p;
				while (*p && strchr("-+.0123456789eEtrufalsn", *p) != NULL)
					p++;
				if (p == start || !ff_buf_append(buf, start, (size_t) (p - start)))
					return false;
				break;
		}
	} while (depth > 0);
	*pp = p;
	return true;
}

/* Append spaces. */
static bool
append_spaces(FFBuf *buf, int n)
{
	for (int i = 0; i < n; i++)
		if (!ff_buf_append_char(buf, ' '))
			return false;
	return true;
}

/*
 * Append the items of the non-empty array or object at *p (after its
 * bracket), one a line at indent.
 */
static bool
emit_block_items(FFBuf *buf, const char *p, char close, int indent, FFBuf *tmp)
{
	for (;;)
	{
		if (!append_spaces(buf, indent))
			return false;
		if (close == ']' && !ff_buf_append_str(buf, "- "))
			return false;
		if (close == '}')
		{
			p = skip_space(p);
			if (*p != '"' || !read_string(&p, tmp) ||
				!ff_yaml_emit_scalar(buf, tmp->data, tmp->len))
				return false;
			p = skip_space(p);
			if (*p++ != ':' || !ff_buf_append_str(buf, ": "))
				return false;
		}
		if (!emit_flow_value(buf, &p, tmp) || !ff_buf_append_char(buf, '\n'))
			return false;
		p = skip_space(p);
		if (*p == close)
			return true;
		if (*p++ != ',' || ff_yaml_interrupted())
			return false;
	}
}

/* Append a JSON value as the YAML value of a key; see yaml_json.h. */
bool
ff_json_emit_yaml(FFBuf *buf, const char *json, int indent)
{
	const char *p = skip_space(json);
	char		open = *p;
	FFBuf		tmp;
	bool		ok;

	ff_buf_init(&tmp);
	if ((open == '[' || open == '{') && *skip_space(p + 1) != (open == '[' ? ']' : '}'))
		ok = ff_buf_append_char(buf, '\n') &&
			emit_block_items(buf, p + 1, open == '[' ? ']' : '}', indent + 2, &tmp);
	else
		ok = ff_buf_append_char(buf, ' ') && emit_flow_value(buf, &p, &tmp) &&
			ff_buf_append_char(buf, '\n');
	ff_buf_free(&tmp);
	return ok;
}
