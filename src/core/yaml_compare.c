/*
 * yaml_compare.c
 *      Equality of the YAML reader's structs, positions aside: the fields
 *      are compared as the field table (flag_fields.c) says.
 */
#include <string.h>

#include "yaml_compare.h"

/* The same strings in the same order. */
bool
ff_yaml_lists_equal(const FFYamlStringList *a, const FFYamlStringList *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return false;
	return true;
}

/* The same key and fields (ff_flag_fields). */
bool
ff_yaml_flags_equal(const FFYamlFlag *a, const FFYamlFlag *b)
{
	return strcmp(a->key, b->key) == 0 && ff_fields_equal(&ff_flag_fields, a, b);
}

/* The same tenant, flag and fields, present or not (ff_override_fields). */
bool
ff_yaml_overrides_equal(const FFYamlOverride *a, const FFYamlOverride *b)
{
	return strcmp(a->tenant_id, b->tenant_id) == 0 &&
		strcmp(a->flag_key, b->flag_key) == 0 &&
		ff_fields_equal(&ff_override_fields, a, b);
}

/* The same flags, segments, overrides and warnings, in the same order. */
bool
ff_yaml_documents_equal(const FFYamlDocument *a, const FFYamlDocument *b)
{
	if (a->nflags != b->nflags || a->noverrides != b->noverrides ||
		a->nwarnings != b->nwarnings)
		return false;
	if ((a->segments == NULL) != (b->segments == NULL) ||
		(a->segments != NULL && strcmp(a->segments, b->segments) != 0))
		return false;
	for (size_t i = 0; i < a->nflags; i++)
		if (!ff_yaml_flags_equal(&a->flags[i], &b->flags[i]))
			return false;
	for (size_t i = 0; i < a->noverrides; i++)
		if (!ff_yaml_overrides_equal(&a->overrides[i], &b->overrides[i]))
			return false;
	for (size_t i = 0; i < a->nwarnings; i++)
		if (strcmp(a->warnings[i].flag_key, b->warnings[i].flag_key) != 0 ||
			strcmp(a->warnings[i].message, b->warnings[i].message) != 0)
			return false;
	return true;
}
