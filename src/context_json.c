/*
 * context_json.c
 *      The evaluation context from a jsonb object, Unleash's context shape
 *      (tenant, userId, groups, environment, sessionId, remoteAddress,
 *      appName, currentTime, properties), and Unleash's fields from the
 *      flagforge.* settings for the context forms.
 *
 * As in Unleash, a top-level key that is none of these is a field too
 * (it wins over a property of the same name); values that are numbers or
 * booleans count as their text, null as absent.  Everything points into
 * the jsonb or is allocated in the current memory context, which a scan
 * resets per row.
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "context.h"
#include "context_json.h"
#include "jsonb_read.h"
#include "settings.h"
#include "targeting.h"

/* A property as gathered, with where it came from (the earlier source wins a tie). */
typedef struct SourcedProperty
{
	FFProperty	property;
	int			source;			/* 0: a top-level key, 1: properties, 2: the setting */
} SourcedProperty;

/* A growing list of properties from several sources, each with unique names. */
typedef struct PropertyList
{
	SourcedProperty *items;
	int			count;
	int			capacity;
} PropertyList;

/* Add name = value from source (duplicates are resolved by finish_properties). */
static void
add_property(PropertyList *list, FFStr name, FFStr value, int source)
{
	if (list->count == list->capacity)
	{
		list->capacity = Max(8, list->capacity * 2);
		list->items = list->items == NULL ? palloc(sizeof(SourcedProperty) * list->capacity) :
			repalloc(list->items, sizeof(SourcedProperty) * list->capacity);
	}
	list->items[list->count].property.name = name;
	list->items[list->count].property.value = value;
	list->items[list->count].source = source;
	list->count++;
}

/* Order of properties by name, then by source. */
static int
compare_properties(const void *a, const void *b)
{
	const SourcedProperty *pa = a;
	const SourcedProperty *pb = b;
	int			c = ff_str_compare(pa->property.name, pb->property.name);

	return c != 0 ? c : (pa->source > pb->source) - (pa->source < pb->source);
}

/*
 * Give extra the properties, sorted for lookup, one per name: a top-level
 * key wins over a property of the same name (as in Unleash).  O(n log n).
 */
static void
finish_properties(PropertyList *list, FFContextExtra *extra)
{
	FFProperty *unique;
	size_t		n = 0;

	extra->properties = NULL;
	extra->nproperties = 0;
	if (list->count == 0)
		return;					/* the common case of the settings forms: no allocation */
	unique = palloc(sizeof(FFProperty) * list->count);

	if (list->count > 1)
		qsort(list->items, list->count, sizeof(SourcedProperty), compare_properties);
	for (int i = 0; i < list->count; i++)
		if (n == 0 || !ff_str_equal(unique[n - 1].name, list->items[i].property.name))
			unique[n++] = list->items[i].property;
	extra->properties = unique;
	extra->nproperties = n;
}

/* The properties object: each scalar value as text (null: absent). */
static void
read_properties(const JsonbValue *value, PropertyList *list, int source)
{
	JsonbContainer *object = ff_json_object(value, "context", "properties");
	JsonbIterator *it = JsonbIteratorInit(object);
	JsonbValue	v;
	JsonbIteratorToken token;
	FFStr		name = {NULL, 0};

	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		FFStr		text;

		CHECK_FOR_INTERRUPTS();
		if (token == WJB_KEY)
			name = ff_json_string(&v, "context", "a property name");
		else if (token == WJB_VALUE && v.type != jbvNull)
		{
			if (!ff_json_scalar_text(&v, &text))
				ff_json_error("context", psprintf("property \"%.*s\" must be a string",
												  (int) name.len, name.ptr));
			add_property(list, name, text, source);
		}
	}
}

/* The groups array: strings (nulls left out). */
static FFStrList
read_groups(const JsonbValue *value)
{
	JsonbContainer *array = ff_json_array(value, "context", "groups");
	int			n = ff_json_array_size(array);
	FFStr	   *items = palloc(sizeof(FFStr) * Max(n, 1));
	FFStrList	list = {items, 0};

	for (int i = 0; i < n; i++)
	{
		JsonbValue	element;

		ff_json_element(array, i, &element);
		if (element.type != jbvNull)
			items[list.count++] = ff_json_string(&element, "context", "an element of groups");
	}
	return list;
}

/* A field's text: strings, numbers and booleans; false for null. */
static bool
field_text(const JsonbValue *value, const char *key, FFStr *out)
{
	if (value->type == jbvNull)
		return false;
	if (!ff_json_scalar_text(value, out))
		ff_json_error("context", psprintf("%s must be a string", key));
	return true;
}

/* currentTime: an ISO 8601 timestamp, else an error. */
static void
read_current_time(const JsonbValue *value, FFContextExtra *extra)
{
	FFStr		text;

	if (!field_text(value, "currentTime", &text))
		return;
	if (!ff_parse_timestamp(text, &extra->current_time))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
				 errmsg("context: currentTime \"%.*s\" is not an ISO 8601 timestamp",
						(int) text.len, text.ptr),
				 errhint("Write it as JavaScript's Date.toISOString() does, e.g. \"2026-12-02T09:00:00.000Z\".")));
	extra->has_current_time = true;
	extra->current_time_text = text;
}

/* Read one top-level key of the context. */
static void
read_key(FFStr key, const JsonbValue *value, FFContext *ctx, FFContextExtra *extra,
		 PropertyList *top_level, bool *has_properties, JsonbValue *properties)
{
#define KEY_IS(name) (key.len == strlen(name) && memcmp(key.ptr, name, key.len) == 0)
	if (KEY_IS("tenant"))
		extra->has_tenant = field_text(value, "tenant", &ctx->tenant);
	else if (KEY_IS("userId"))
		ctx->has_user = field_text(value, "userId", &ctx->user);
	else if (KEY_IS("groups"))
	{
		if (value->type != jbvNull)
			ctx->groups = read_groups(value);
	}
	else if (KEY_IS("environment"))
		ctx->has_environment = field_text(value, "environment", &ctx->environment);
	else if (KEY_IS("sessionId"))
		extra->has_session_id = field_text(value, "sessionId", &extra->session_id);
	else if (KEY_IS("remoteAddress"))
		extra->has_remote_address = field_text(value, "remoteAddress", &extra->remote_address);
	else if (KEY_IS("appName"))
		extra->has_app_name = field_text(value, "appName", &extra->app_name);
	else if (KEY_IS("currentTime"))
		read_current_time(value, extra);
	else if (KEY_IS("properties"))
	{
		if (value->type != jbvNull)
		{
			*has_properties = true;
			*properties = *value;
		}
	}
	else
	{
		FFStr		text;

		/* Any other key is a field of its own, as in Unleash. */
		if (value->type != jbvNull && ff_json_scalar_text(value, &text))
			add_property(top_level, key, text, 0);
	}
#undef KEY_IS
}

/* Fill ctx and extra from a jsonb context object (see context_json.h). */
void
ff_context_from_json(Jsonb *json, FFContext *ctx, FFContextExtra *extra)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;
	FFStr		key = {NULL, 0};
	PropertyList properties = {NULL, 0, 0};
	bool		has_properties = false;
	JsonbValue	properties_value;

	memset(ctx, 0, sizeof(*ctx));
	memset(extra, 0, sizeof(*extra));
	ctx->extra = extra;
	if (!JB_ROOT_IS_OBJECT(json))
		ff_json_error("context", "must be a JSON object");
	it = JsonbIteratorInit(&json->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (token == WJB_KEY)
			key = ff_json_string(&v, "context", "a key");
		else if (token == WJB_VALUE)
			read_key(key, &v, ctx, extra, &properties, &has_properties, &properties_value);
	}
	/* Top-level fields were added first, so they win over properties. */
	if (has_properties)
		read_properties(&properties_value, &properties, 1);
	finish_properties(&properties, extra);
	if (!ctx->has_environment)
		ctx->has_environment = ff_setting_value(ff_setting_environment, &ctx->environment);
}

/*
 * The properties of flagforge.properties, parsed once per value of the
 * setting into a memory context of their own (reset when it changes).
 */
static void
settings_properties(PropertyList *list)
{
	static MemoryContext parsed_cxt = NULL;
	static char *parsed_text = NULL;
	static PropertyList parsed = {NULL, 0, 0};

	if (ff_setting_properties == NULL || ff_setting_properties[0] == '\0')
		return;
	if (parsed_text == NULL || strcmp(parsed_text, ff_setting_properties) != 0)
	{
		MemoryContext old;
		JsonbValue	value;
		Jsonb	   *json;

		if (parsed_cxt == NULL)
			parsed_cxt = AllocSetContextCreate(TopMemoryContext, "flagforge.properties",
											   ALLOCSET_SMALL_SIZES);
		MemoryContextReset(parsed_cxt);
		parsed_text = NULL;
		memset(&parsed, 0, sizeof(parsed));
		old = MemoryContextSwitchTo(parsed_cxt);
		json = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
												  CStringGetDatum(ff_setting_properties)));
		value.type = jbvBinary;
		value.val.binary.data = &json->root;
		value.val.binary.len = VARSIZE(json) - VARHDRSZ;
		read_properties(&value, &parsed, 2);
		parsed_text = pstrdup(ff_setting_properties);
		MemoryContextSwitchTo(old);
	}
	for (int i = 0; i < parsed.count; i++)
		add_property(list, parsed.items[i].property.name, parsed.items[i].property.value, 2);
}

/* Unleash's fields from the settings (see context_json.h). */
bool
ff_context_extra_from_settings(FFContextExtra *extra)
{
	PropertyList properties = {NULL, 0, 0};

	memset(extra, 0, sizeof(*extra));
	extra->has_tenant = true;
	extra->has_session_id = ff_setting_value(ff_setting_session_id, &extra->session_id);
	extra->has_remote_address = ff_setting_value(ff_setting_remote_address,
												 &extra->remote_address);
	extra->has_app_name = ff_setting_value(ff_setting_app_name, &extra->app_name);
	settings_properties(&properties);
	finish_properties(&properties, extra);
	return extra->has_session_id || extra->has_remote_address || extra->has_app_name ||
		extra->nproperties > 0;
}

/* The statement's start in microseconds since 1970 UTC (the clock of date constraints). */
static int64_t
statement_clock(void)
{
	return (int64_t) GetCurrentStatementStartTimestamp() +
		((int64_t) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY);
}

/* A random number from PostgreSQL's generator (random stickiness, gradualRolloutRandom). */
static uint32_t
postgres_random(void)
{
	return pg_prng_uint32(&pg_global_prng_state);
}

/* Point the core's clock and random draws at PostgreSQL's (from _PG_init). */
void
ff_context_json_init(void)
{
	ff_targeting_now = statement_clock;
	ff_targeting_random = postgres_random;
}
