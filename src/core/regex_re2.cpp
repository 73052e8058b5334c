/*
 * regex_re2.cpp
 *      The C functions of targeting.h over RE2, the regular expression
 *      syntax Unleash's clients use (the Node SDK runs re2js): no
 *      lookaround, no backreferences (RE2 refuses them: NULL, never
 *      matches), linear time.  No C++ exception leaves this file.
 */
#include <new>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <re2/re2.h>

extern "C"
{
#include "targeting.h"
}

/* Compile pattern (len bytes, UTF-8); NULL when RE2 refuses it. */
extern "C" void *
ff_regex_compile(const char *pattern, size_t len, bool case_insensitive)
{
	try
	{
		RE2::Options options;
		RE2		   *re;

		options.set_log_errors(false);
		/* A pattern that needs more memory than this is refused (never matches). */
		options.set_max_mem(FF_REGEX_MAX_MEM);
		/* A regex may take at most this much memory; a larger one is refused (never matches). */
		options.set_max_mem(FF_REGEX_MAX_MEM);
		options.set_case_sensitive(!case_insensitive);
		re = new (std::nothrow) RE2(re2::StringPiece(pattern, len), options);
		if (re != NULL && !re->ok())
		{
			delete re;
			re = NULL;
		}
		return re;
	}
	catch (...)
	{
		return NULL;
	}
}

/* True when the regex matches anywhere in text (Matcher.find()). */
extern "C" bool
ff_regex_find(const void *regex, const char *text, size_t len)
{
	try
	{
		return regex != NULL &&
			RE2::PartialMatch(re2::StringPiece(text, len), *static_cast<const RE2 *>(regex));
	}
	catch (...)
	{
		return false;
	}
}

/* Free a compiled regex (NULL is fine). */
extern "C" void
ff_regex_free(void *regex)
{
	try
	{
		delete static_cast<RE2 *>(regex);
	}
	catch (...)
	{
	}
}
