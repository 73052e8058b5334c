/*
 * context.c
 *      The evaluation context of status and explain as query parameters
 *      (see CLI_CONTEXT_NPARAMS): the options as given, --groups and the
 *      --property words as text[] literals.
 *
 * The server builds Unleash's jsonb context from these parameters
 * (CLI_CONTEXT_JSONB), so a property, a session id or anything else the
 * user typed reaches the context as it is, quotes and line breaks
 * included, with no JSON written by hand here.  The only text built here
 * is the array literal, whose every element is double-quoted and escaped.
 */
#include <stdlib.h>
#include <string.h>

#include "flagforge_cli.h"

/* The parameters' types: text, except groups and the property lists (text[]). */
const unsigned int cli_context_types[CLI_CONTEXT_NPARAMS] = {
	CLI_TEXTOID, CLI_TEXTOID, CLI_TEXTOID, CLI_TEXTARRAYOID, CLI_TEXTOID,
	CLI_TEXTOID, CLI_TEXTOID, CLI_TEXTOID, CLI_TEXTOID, CLI_TEXTARRAYOID, CLI_TEXTARRAYOID
};

/* Does opts hold any of Unleash's context options (so the jsonb forms are called)? */
bool
cli_unleash_context_given(const CliOptions *opts)
{
	return opts->session_id != NULL || opts->remote_address != NULL ||
		opts->app_name != NULL || opts->current_time != NULL || opts->nproperties > 0;
}

/* Append len bytes of s to an array literal as one element: ",", double-quoted, " and \ escaped. */
static void
append_element(CliBuffer *buf, const char *s, size_t len)
{
	size_t		i;

	cli_buffer_append(buf, buf->len > 1 ? ",\"" : "\"", buf->len > 1 ? 2 : 1);
	for (i = 0; i < len; i++)
	{
		if (s[i] == '"' || s[i] == '\\')
			cli_buffer_append(buf, "\\", 1);
		cli_buffer_append(buf, s + i, 1);
	}
	cli_buffer_append(buf, "\"", 1);
}

/*
 * --groups "a, b,c" as the text[] literal {"a","b","c"}: blanks around
 * names trimmed and empty names skipped (as the flagforge.groups setting).
 * NULL when --groups was not given.
 */
static char *
groups_array(const char *groups)
{
	CliBuffer	buf = {0};
	const char *p = groups;

	if (groups == NULL)
		return NULL;
	cli_buffer_append(&buf, "{", 1);
	while (*p != '\0')
	{
		size_t		n = strcspn(p, ",");
		const char *start = p;
		const char *end = p + n;

		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > start)
			append_element(&buf, start, (size_t) (end - start));
		p += n;
		if (*p == ',')
			p++;
	}
	cli_buffer_append(&buf, "}", 1);
	return buf.data;
}

/*
 * The names (values false) or the values (values true) of the --property
 * NAME=VALUE words as a text[] literal, split at the first '=' (args.c made
 * sure there is one); NULL when none was given.  A name given twice keeps
 * its last value (jsonb_object's rule).
 */
static char *
properties_array(const CliOptions *opts, bool values)
{
	CliBuffer	buf = {0};
	int			i;

	if (opts->nproperties == 0)
		return NULL;
	cli_buffer_append(&buf, "{", 1);
	for (i = 0; i < opts->nproperties; i++)
	{
		const char *word = opts->properties[i];
		size_t		eq = strcspn(word, "=");

		if (values)
			append_element(&buf, word + eq + 1, strlen(word + eq + 1));
		else
			append_element(&buf, word, eq);
	}
	cli_buffer_append(&buf, "}", 1);
	return buf.data;
}

/* Fill params from opts; cli_context_params_free releases what was built. */
void
cli_context_params(const CliOptions *opts, CliContextParams *params)
{
	const char *given[CLI_CONTEXT_NPARAMS] = {
		opts->flag, opts->tenant, opts->user, NULL, opts->env,
		opts->session_id, opts->remote_address, opts->app_name, opts->current_time, NULL, NULL
	};

	memcpy(params->values, given, sizeof(given));
	params->built[0] = groups_array(opts->groups);
	params->built[1] = properties_array(opts, false);
	params->built[2] = properties_array(opts, true);
	params->values[3] = params->built[0];
	params->values[9] = params->built[1];
	params->values[10] = params->built[2];
}

/* Release the texts cli_context_params built. */
void
cli_context_params_free(CliContextParams *params)
{
	int			i;

	for (i = 0; i < 3; i++)
	{
		free(params->built[i]);
		params->built[i] = NULL;
	}
}
