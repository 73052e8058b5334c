/*
 * yaml_scalar.h
 *      PyYAML's scalar typing: what an untagged plain (unquoted) scalar
 *      resolves to under YAML 1.1 (bool, null, int, float, timestamp...),
 *      and the values of plain booleans and ints.  Plain C, no PostgreSQL
 *      types; used by the reader (yaml_parse.c) and the writer (yaml_emit.c).
 */
#ifndef FLAGFORGE_YAML_SCALAR_H
#define FLAGFORGE_YAML_SCALAR_H

#include <stdbool.h>
#include <stddef.h>

/* How PyYAML's SafeLoader resolves an untagged plain (unquoted) scalar. */
typedef enum FFYamlScalarKind
{
	FF_SCALAR_STR = 0,
	FF_SCALAR_NULL,				/* ~ null Null NULL and the empty scalar */
	FF_SCALAR_BOOL,				/* yes/no/true/false/on/off in 3 casings */
	FF_SCALAR_INT,				/* 12, -1_000, 0x1f, 017, 0b101, 1:30 */
	FF_SCALAR_FLOAT,			/* 1.5, 1., .5, 1.0e+3, .inf, .nan, 1:30.5 */
	FF_SCALAR_TIMESTAMP,		/* 2024-01-31, 2024-1-31 10:00:00Z */
	FF_SCALAR_MERGE,			/* << */
	FF_SCALAR_VALUE				/* = */
} FFYamlScalarKind;

/* Resolve a plain scalar's text exactly as PyYAML 6 SafeLoader does. */
extern FFYamlScalarKind ff_yaml_resolve_plain(const char *s, size_t len);

/* Value of a plain scalar that resolves to FF_SCALAR_BOOL: true for yes/true/on. */
extern bool ff_yaml_plain_bool(const char *s, size_t len);

/*
 * Value of a plain scalar that resolves to FF_SCALAR_INT, clamped to
 * +-10^15.  False for the few texts PyYAML resolves as int but then fails
 * to convert ("0b_", "0x_").
 */
extern bool ff_yaml_plain_int(const char *s, size_t len, long long *value);

/* Does s[0..len) equal the NUL-terminated word? */
extern bool ff_yaml_text_is(const char *s, size_t len, const char *word);

#endif							/* FLAGFORGE_YAML_SCALAR_H */
