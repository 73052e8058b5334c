/*
 * flag_fields.c
 *      The field table of flags and overrides, and the few operations on a
 *      field that the reader, writer, compare and SQL side share; see
 *      flag_fields.h.
 */
#include "flag_fields.h"

#include <stdio.h>
#include <string.h>

#include "yaml_compare.h"

/* A field always present, with no has_<field>. */
#define ALWAYS (-1)

/* The keys of a rule, a variant, a prerequisite and a segment (1.1). */
static const char *const rule_keys[] = {
	"strategy", "parameters", "constraints", "segments", "variants", NULL
};
static const char *const variant_keys[] = {
	"name", "weight", "weightType", "stickiness", "payload", "overrides", NULL
};
static const char *const prerequisite_keys[] = {"flag", "enabled", "variants", NULL};
const char *const ff_segment_keys[] = {"name", "constraints", NULL};

/* The fields of a flag, in the order the writer writes them. */
static const FFField flag_fields[FF_FLAG_NFIELDS] = {
	[FF_FLAG_NAME] = {"name", "name", FF_FIELD_STRING, FF_NULL_REQUIRED, true,
	offsetof(FFYamlFlag, name), ALWAYS, 0, 0, NULL, NULL, false},
	[FF_FLAG_DESCRIPTION] = {"description", "description", FF_FIELD_STRING, FF_NULL_REFUSED, false,
	offsetof(FFYamlFlag, description), ALWAYS, 0, 0, NULL, NULL, false},
	[FF_FLAG_DEFAULT_ENABLED] = {"default_enabled", "default_enabled", FF_FIELD_BOOL, FF_NULL_REFUSED, false,
	offsetof(FFYamlFlag, default_enabled), ALWAYS, 0, 0, NULL, NULL, false},
	[FF_FLAG_IS_PUBLIC] = {"is_public", "is_public", FF_FIELD_BOOL, FF_NULL_REFUSED, false,
	offsetof(FFYamlFlag, is_public), ALWAYS, 0, 0, NULL, NULL, false},
	[FF_FLAG_ROLLOUT] = {"rollout_percentage", "rollout_percentage", FF_FIELD_INT, FF_NULL_REFUSED, false,
	offsetof(FFYamlFlag, rollout_percentage), ALWAYS, 0, 100, NULL, NULL, false},
	[FF_FLAG_DEPRECATED] = {"deprecated", "deprecated", FF_FIELD_BOOL, FF_NULL_REFUSED, false,
	offsetof(FFYamlFlag, deprecated), ALWAYS, 0, 0, NULL, NULL, false},
	[FF_FLAG_ENVIRONMENTS] = {"environments", "environments", FF_FIELD_STRING_LIST, FF_NULL_ABSENT, false,
	offsetof(FFYamlFlag, environments), offsetof(FFYamlFlag, has_environments), 0, 0, NULL, NULL, false},
	[FF_FLAG_KILL_SWITCH] = {"kill_switch", "kill_switch", FF_FIELD_BOOL, FF_NULL_REFUSED, false,
	offsetof(FFYamlFlag, kill_switch), ALWAYS, 0, 0, "false", NULL, false},
	[FF_FLAG_VARIANTS] = {"variants", "variants", FF_FIELD_JSON, FF_NULL_REFUSED, false,
	offsetof(FFYamlFlag, variants), ALWAYS, 0, 0, "[]", variant_keys, false},
	[FF_FLAG_RULES] = {"rules", "rules", FF_FIELD_JSON, FF_NULL_REFUSED, false,
	offsetof(FFYamlFlag, rules), offsetof(FFYamlFlag, has_rules), 0, 0, "[]", rule_keys, true},
	[FF_FLAG_PREREQUISITES] = {"prerequisites", "prerequisites", FF_FIELD_JSON, FF_NULL_REFUSED, false,
	offsetof(FFYamlFlag, prerequisites), offsetof(FFYamlFlag, has_prerequisites), 0, 0, "[]",
	prerequisite_keys, true},
};

/* The fields of an override, in the order the writer writes them. */
static const FFField override_fields[FF_OVR_NFIELDS] = {
	[FF_OVR_ENABLED] = {"enabled", "enabled", FF_FIELD_BOOL, FF_NULL_VALUE, false,
	offsetof(FFYamlOverride, enabled), offsetof(FFYamlOverride, has_enabled), 0, 0, NULL, NULL, false},
	[FF_OVR_ROLLOUT] = {"rollout_percentage", "rollout_percentage", FF_FIELD_INT, FF_NULL_VALUE, false,
	offsetof(FFYamlOverride, rollout_percentage), offsetof(FFYamlOverride, has_rollout), 0, 100, NULL, NULL, false},
	[FF_OVR_USERS] = {"enabled_for_users", "enabled_for_users", FF_FIELD_STRING_LIST, FF_NULL_REFUSED, false,
	offsetof(FFYamlOverride, users), offsetof(FFYamlOverride, has_users), 0, 0, NULL, NULL, false},
	[FF_OVR_GROUPS] = {"enabled_for_groups", "enabled_for_groups", FF_FIELD_STRING_LIST, FF_NULL_REFUSED, false,
	offsetof(FFYamlOverride, groups), offsetof(FFYamlOverride, has_groups), 0, 0, NULL, NULL, false},
	[FF_OVR_RULES] = {"rules", "rules", FF_FIELD_JSON, FF_NULL_REFUSED, false,
	offsetof(FFYamlOverride, rules), offsetof(FFYamlOverride, has_rules), 0, 0, NULL, rule_keys, true},
};

const FFFieldSet ff_flag_fields = {flag_fields, FF_FLAG_NFIELDS, false};
const FFFieldSet ff_override_fields = {override_fields, FF_OVR_NFIELDS, true};

/* Is the value stored as int -1/0/1 (a bool whose null is a value)? */
static bool
tristate_bool(const FFField *field)
{
	return field->type == FF_FIELD_BOOL && field->null == FF_NULL_VALUE;
}

/* A JSON field's text; NULL (a record built without it) is its omit. */
static const char *
json_text(const FFField *field, const void *value)
{
	const char *s = *(char *const *) value;

	return s != NULL ? s : field->omit != NULL ? field->omit : "";
}

/* The field's value in a record. */
void *
ff_field_value(const FFField *field, const void *record)
{
	return (char *) record + field->offset;
}

/* Was the field given? */
bool
ff_field_present(const FFField *field, const void *record)
{
	return field->present_offset == ALWAYS ||
		*(const bool *) ((const char *) record + field->present_offset);
}

/* Mark the field given. */
void
ff_field_set_present(const FFField *field, void *record)
{
	if (field->present_offset != ALWAYS)
		*(bool *) ((char *) record + field->present_offset) = true;
}

/* Is the field's value null? */
bool
ff_field_is_null(const FFField *field, const void *record)
{
	if (field->null == FF_NULL_ABSENT)
		return !ff_field_present(field, record);
	if (field->null == FF_NULL_VALUE && field->type != FF_FIELD_STRING_LIST)
		return *(const int *) ff_field_value(field, record) < 0;
	return false;
}

/* Set the value to null, or to 0/false/empty for a field without null. */
void
ff_field_set_null(const FFField *field, void *record)
{
	void	   *value = ff_field_value(field, record);

	switch (field->type)
	{
		case FF_FIELD_STRING:
		case FF_FIELD_JSON:
			*(char **) value = NULL;
			break;
		case FF_FIELD_BOOL:
			if (tristate_bool(field))
				*(int *) value = -1;
			else
				*(bool *) value = false;
			break;
		case FF_FIELD_INT:
			*(int *) value = field->null == FF_NULL_VALUE ? -1 : 0;
			break;
		case FF_FIELD_STRING_LIST:
			memset(value, 0, sizeof(FFYamlStringList));
			break;
	}
}

/* Give every field whose null is a value its null: a new record. */
void
ff_fields_init(const FFFieldSet *set, void *record)
{
	for (int i = 0; i < set->count; i++)
		if (set->fields[i].null == FF_NULL_VALUE)
			ff_field_set_null(&set->fields[i], record);
}

/* The same presence and, when present, the same value. */
bool
ff_field_equal(const FFField *field, const void *a, const void *b)
{
	const void *x = ff_field_value(field, a);
	const void *y = ff_field_value(field, b);

	if (ff_field_present(field, a) != ff_field_present(field, b))
		return false;
	if (!ff_field_present(field, a))
		return true;
	switch (field->type)
	{
		case FF_FIELD_STRING:
			return strcmp(*(char *const *) x, *(char *const *) y) == 0;
		case FF_FIELD_JSON:
			return strcmp(json_text(field, x), json_text(field, y)) == 0;
		case FF_FIELD_BOOL:
			if (tristate_bool(field))
				return *(const int *) x == *(const int *) y;
			return *(const bool *) x == *(const bool *) y;
		case FF_FIELD_INT:
			return *(const int *) x == *(const int *) y;
		case FF_FIELD_STRING_LIST:
			return ff_yaml_lists_equal(x, y);
	}
	return false;
}

/* Is the field written only when its value is not the field's omit? */
bool
ff_field_omitted(const FFField *field, const void *record)
{
	const void *value = ff_field_value(field, record);

	if (field->omit == NULL ||
		(field->present_offset != ALWAYS && ff_field_present(field, record)))
		return false;
	if (field->type == FF_FIELD_BOOL)
		return !*(const bool *) value && strcmp(field->omit, "false") == 0;
	if (field->type == FF_FIELD_JSON)
		return strcmp(json_text(field, value), field->omit) == 0;
	return false;
}

/* Bit i set for each field i that is a column of the record's table. */
unsigned
ff_fields_column_mask(const FFFieldSet *set)
{
	unsigned	mask = 0;

	for (int i = 0; i < set->count; i++)
		if (!set->fields[i].computed)
			mask |= 1u << i;
	return mask;
}

/* Every field equal. */
bool
ff_fields_equal(const FFFieldSet *set, const void *a, const void *b)
{
	for (int i = 0; i < set->count; i++)
		if (!ff_field_equal(&set->fields[i], a, b))
			return false;
	return true;
}

/* Bit i set for each field i the record gives. */
unsigned
ff_fields_present_mask(const FFFieldSet *set, const void *record)
{
	unsigned	mask = 0;

	for (int i = 0; i < set->count; i++)
		if (ff_field_present(&set->fields[i], record))
			mask |= 1u << i;
	return mask;
}

/* The bytes a field's value takes in its struct. */
static size_t
value_size(const FFField *field)
{
	switch (field->type)
	{
		case FF_FIELD_STRING:
		case FF_FIELD_JSON:
			return sizeof(char *);
		case FF_FIELD_BOOL:
			return tristate_bool(field) ? sizeof(int) : sizeof(bool);
		case FF_FIELD_INT:
			return sizeof(int);
		case FF_FIELD_STRING_LIST:
			return sizeof(FFYamlStringList);
	}
	return 0;
}

/* Copy one field's value and presence from src to dst (strings shared). */
void
ff_field_copy(const FFField *field, void *dst, const void *src)
{
	memcpy(ff_field_value(field, dst), ff_field_value(field, src), value_size(field));
	if (field->present_offset != ALWAYS)
		*(bool *) ((char *) dst + field->present_offset) = ff_field_present(field, src);
}

/* What a value of the field must be, for messages. */
const char *
ff_field_expected(const FFField *field, char *buf, size_t bufsize)
{
	bool		or_null = field->null == FF_NULL_VALUE || field->null == FF_NULL_ABSENT;

	switch (field->type)
	{
		case FF_FIELD_STRING:
			return "a string";
		case FF_FIELD_BOOL:
			return or_null ? "true, false or null" : "true or false";
		case FF_FIELD_INT:
			snprintf(buf, bufsize, "an integer from %d to %d%s", field->min, field->max,
					 or_null ? " or null" : "");
			return buf;
		case FF_FIELD_STRING_LIST:
			return or_null ? "a list of strings or null" : "a list of strings";
		case FF_FIELD_JSON:
			return field->item_keys ? "a list of mappings" : "a YAML value";
	}
	return "";
}

/* The set's field names as "a, b and c" (or with another conjunction). */
const char *
ff_field_names(const FFFieldSet *set, const char *conj, char *buf, size_t bufsize)
{
	size_t		o = 0;

	buf[0] = '\0';
	for (int i = 0; i < set->count && o < bufsize; i++)
		o += (size_t) snprintf(buf + o, bufsize - o, "%s%s%s%s",
							   i == 0 ? "" : i + 1 == set->count ? " " : ", ",
							   i > 0 && i + 1 == set->count ? conj : "",
							   i > 0 && i + 1 == set->count ? " " : "",
							   set->fields[i].name);
	return buf;
}
