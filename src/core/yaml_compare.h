/*
 * yaml_compare.h
 *      Equality of the YAML reader's structs (positions aside): used by the
 *      import to find unchanged flags and by the tests and the fuzzer to
 *      check that what the emitter writes reads back the same.
 *      Plain C, no PostgreSQL types.
 */
#ifndef FLAGFORGE_YAML_COMPARE_H
#define FLAGFORGE_YAML_COMPARE_H

#include "yaml_parse.h"

/* The same strings in the same order. */
extern bool ff_yaml_lists_equal(const FFYamlStringList *a, const FFYamlStringList *b);

/* The same key and fields. */
extern bool ff_yaml_flags_equal(const FFYamlFlag *a, const FFYamlFlag *b);

/* The same tenant, flag and fields (present or not). */
extern bool ff_yaml_overrides_equal(const FFYamlOverride *a, const FFYamlOverride *b);

/* The same flags, segments, overrides and warnings, in the same order. */
extern bool ff_yaml_documents_equal(const FFYamlDocument *a, const FFYamlDocument *b);

#endif							/* FLAGFORGE_YAML_COMPARE_H */
