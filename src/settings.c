/*
 * settings.c
 *      The flagforge.* settings.
 *
 * The context settings are plain USERSET strings so that an app (or its
 * ORM) can SET LOCAL them per transaction.  An empty value means unset.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "compat.h"
#include "settings.h"
#include "tenancy.h"

char	   *ff_setting_tenant = NULL;
char	   *ff_setting_user_id = NULL;
char	   *ff_setting_groups = NULL;
char	   *ff_setting_environment = NULL;
char	   *ff_setting_actor = NULL;
char	   *ff_setting_session_id = NULL;
char	   *ff_setting_remote_address = NULL;
char	   *ff_setting_app_name = NULL;
char	   *ff_setting_properties = NULL;
char	   *ff_setting_importing = NULL;
int			ff_setting_cache_memory_limit_kb = 65536;
int			ff_setting_tenancy = FF_TENANCY_AUTO;

static const struct config_enum_entry tenancy_options[] = {
	{"auto", FF_TENANCY_AUTO, false},
	{"column", FF_TENANCY_COLUMN, false},
	{"schema", FF_TENANCY_SCHEMA, false},
	{NULL, 0, false}
};

/* The parsed flagforge.groups and the text it was parsed from. */
static char *parsed_groups_source = NULL;
static FFStr *parsed_groups = NULL;
static size_t parsed_groups_count = 0;

/* flagforge.properties is at most this long (it is read on every call). */
#define FF_PROPERTIES_MAX (64 * 1024)

/*
 * flagforge.properties must be empty or a JSON object whose values are
 * strings, numbers, booleans or null: refused when set, not when used.
 */
static bool
check_properties(char **newval, void **extra, GucSource source)
{
	Jsonb	   *document;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (strlen(*newval) > FF_PROPERTIES_MAX)
	{
		GUC_check_errdetail("flagforge.properties is %zu bytes long, at most %d are allowed.",
							strlen(*newval), FF_PROPERTIES_MAX);
		return false;
	}
	if (!ff_json_text_is_valid(*newval))
	{
		GUC_check_errdetail("flagforge.properties is not valid JSON.");
		return false;
	}
	document = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(*newval)));
	if (!JB_ROOT_IS_OBJECT(document))
	{
		GUC_check_errdetail("flagforge.properties must be a JSON object, e.g. {\"plan\": \"enterprise\"}.");
		return false;
	}
	it = JsonbIteratorInit(&document->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (token == WJB_VALUE && (v.type == jbvBinary))
		{
			GUC_check_errdetail("The values of flagforge.properties must be strings, numbers, booleans or null.");
			return false;
		}
	return true;
}

/* Define the settings (from _PG_init). */
void
ff_settings_define(void)
{
	DefineCustomStringVariable("flagforge.tenant",
							   "Tenant used when a flagforge function is not given one.",
							   "Set it per request, e.g. SET LOCAL flagforge.tenant = 'acme'.",
							   &ff_setting_tenant, "", PGC_USERSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("flagforge.user_id",
							   "User of the context forms of flagforge_is_enabled and flagforge_evaluate_all.",
							   "Empty means an anonymous user.",
							   &ff_setting_user_id, "", PGC_USERSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("flagforge.groups",
							   "Comma-separated groups of the user for the context forms.",
							   NULL,
							   &ff_setting_groups, "", PGC_USERSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("flagforge.environment",
							   "Environment (e.g. production) used when a function is not given one.",
							   "Empty means no environment: flags limited to environments are off.",
							   &ff_setting_environment, "", PGC_USERSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("flagforge.session_id",
							   "Unleash's sessionId for the context forms (stickiness, gradualRolloutSessionId).",
							   NULL, &ff_setting_session_id, "", PGC_USERSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("flagforge.remote_address",
							   "Unleash's remoteAddress for the context forms (remoteAddress strategy, IN_CIDR).",
							   NULL, &ff_setting_remote_address, "", PGC_USERSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("flagforge.app_name",
							   "Unleash's appName for the context forms.",
							   NULL, &ff_setting_app_name, "", PGC_USERSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("flagforge.properties",
							   "Unleash's context properties for the context forms, as a JSON object of strings.",
							   "For example SET LOCAL flagforge.properties = '{\"plan\": \"enterprise\"}'.",
							   &ff_setting_properties, "", PGC_USERSET, 0,
							   check_properties, NULL, NULL);
	DefineCustomStringVariable("flagforge.importing",
							   "Set by flagforge_import_unleash while it writes (internal).",
							   "While it is \"unleash\", a prerequisite cycle that Unleash's payload contains is stored rather than refused.",
							   &ff_setting_importing, "", PGC_USERSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("flagforge.actor",
							   "Application-level actor recorded in flagforge_audit.app_actor.",
							   "Set it per request to the end user or service making a change.",
							   &ff_setting_actor, "", PGC_USERSET, 0,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("flagforge.cache_memory_limit",
							"Memory a backend may spend caching tenant overrides.",
							"When exceeded, the cached tenants are dropped and reloaded on demand.",
							&ff_setting_cache_memory_limit_kb, 65536, 64, INT_MAX / 1024,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomEnumVariable("flagforge.tenancy",
							 "Where tenant overrides are read from: auto, column or schema.",
							 "auto: a registered tenant schema on search_path, else flagforge_overrides; "
							 "column: always flagforge_overrides; schema: a tenant schema must be on search_path.",
							 &ff_setting_tenancy, FF_TENANCY_AUTO, tenancy_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("flagforge");
}

/* A string setting as an FFStr; false when it is unset or empty. */
bool
ff_setting_value(const char *setting, FFStr *out)
{
	if (setting == NULL || setting[0] == '\0')
		return false;
	out->ptr = setting;
	out->len = strlen(setting);
	return true;
}

/* True for the blanks trimmed around a group name. */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Split source on commas into parsed_groups (kept in TopMemoryContext). */
static void
parse_groups(const char *source)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	size_t		len = strlen(source);
	char	   *copy = pstrdup(source);
	size_t		start = 0;

	if (parsed_groups_source)
		pfree(parsed_groups_source);
	if (parsed_groups)
		pfree(parsed_groups);
	parsed_groups_source = copy;
	/* at most one item per comma, plus one */
	parsed_groups = palloc(sizeof(FFStr) * (len / 2 + 1));
	parsed_groups_count = 0;
	while (start <= len)
	{
		size_t		end = start;
		size_t		first,
					last;

		while (end < len && copy[end] != ',')
			end++;
		first = start;
		last = end;
		while (first < last && is_blank(copy[first]))
			first++;
		while (last > first && is_blank(copy[last - 1]))
			last--;
		if (last > first)
		{
			parsed_groups[parsed_groups_count].ptr = copy + first;
			parsed_groups[parsed_groups_count].len = last - first;
			parsed_groups_count++;
		}
		start = end + 1;
	}
	MemoryContextSwitchTo(old);
}

/* flagforge.groups split on commas, blanks trimmed, empty items dropped. */
FFStrList
ff_setting_group_list(void)
{
	FFStrList	list = {NULL, 0};
	const char *source = ff_setting_groups ? ff_setting_groups : "";

	if (parsed_groups_source == NULL || strcmp(parsed_groups_source, source) != 0)
		parse_groups(source);
	list.items = parsed_groups;
	list.count = parsed_groups_count;
	return list;
}
