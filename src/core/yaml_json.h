/*
 * yaml_json.h
 *      The JSON-shaped parts of the flag file (1.1: variants, rules,
 *      prerequisites, segments), converted generically: a YAML scalar to a
 *      JSON value as the reader types it, and JSON text (as jsonb prints
 *      it) back to YAML.  A mapping is an object, a sequence an array.
 *      Plain C, no PostgreSQL types.
 */
#ifndef FLAGFORGE_YAML_JSON_H
#define FLAGFORGE_YAML_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "ff_buf.h"

/* Append len bytes of UTF-8 as a JSON string literal. */
extern bool ff_json_append_string(FFBuf *buf, const char *s, size_t len);

/*
 * Append a YAML scalar as a JSON value, typed as the reader types it:
 * quoted and block scalars (plain when plain is false), and plain ones that
 * resolve to strings or timestamps, are strings; null, booleans, ints
 * (in decimal) and floats are JSON's.  False with *problem set when the
 * scalar has no JSON form (.inf, .nan, 1:30.5), with *problem NULL when
 * out of memory.
 */
extern bool ff_json_append_scalar(FFBuf *buf, const char *s, size_t len, bool plain,
								  const char **problem);

/*
 * Append a JSON value (NUL-terminated, well formed, as jsonb prints it) as
 * the YAML value of a key already written at indent: a scalar or an empty
 * array or object on the key's line, else one "- item" (array) or
 * "key: value" (object) a line two spaces deeper, each item in flow style
 * with every string written by ff_yaml_emit_scalar.  Ends with a newline.
 * False when out of memory or on JSON it cannot read.
 */
extern bool ff_json_emit_yaml(FFBuf *buf, const char *json, int indent);

#endif							/* FLAGFORGE_YAML_JSON_H */
