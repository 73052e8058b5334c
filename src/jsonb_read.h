/*
 * jsonb_read.h
 *      Reading JSON documents (jsonb) strictly: a key of an object, the
 *      elements of an array, strings, booleans and integers, each with an
 *      error that says where the bad value is (for Unleash's documents, the
 *      targeting columns and the jsonb context).
 */
#ifndef FLAGFORGE_JSONB_READ_H
#define FLAGFORGE_JSONB_READ_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "resolver.h"

/* The value at key of object, false when the key is absent. */
extern bool ff_json_key(JsonbContainer *object, const char *key, JsonbValue *value);

/* True when value is an object (an array) held in a container. */
extern bool ff_json_is_object(const JsonbValue *value);
extern bool ff_json_is_array(const JsonbValue *value);

/* The container of an object or array value; an error naming where and what otherwise. */
extern JsonbContainer *ff_json_object(const JsonbValue *value, const char *where, const char *what);
extern JsonbContainer *ff_json_array(const JsonbValue *value, const char *where, const char *what);

/* The number of elements of an array container, and one of them. */
extern int	ff_json_array_size(JsonbContainer *array);
extern void ff_json_element(JsonbContainer *array, int index, JsonbValue *value);

/* A string value's bytes (pointing into the jsonb); an error unless a string. */
extern FFStr ff_json_string(const JsonbValue *value, const char *where, const char *what);

/* A boolean value; an error unless true or false. */
extern bool ff_json_bool(const JsonbValue *value, const char *where, const char *what);

/* An integer value in [min, max]; an error otherwise. */
extern int	ff_json_int(const JsonbValue *value, int min, int max, const char *where,
						const char *what);

/*
 * A string field of object: *out set and true when present, false when
 * absent or null; an error when present with another type.
 */
extern bool ff_json_string_field(JsonbContainer *object, const char *key, const char *where,
								 FFStr *out);

/* A scalar as text (strings as they are, numbers and booleans printed), false for null. */
extern bool ff_json_scalar_text(const JsonbValue *value, FFStr *out);

/* A jsonb value that is a whole document (the root container). */
extern JsonbContainer *ff_json_root(Jsonb *document);

/* Raise the error of a bad JSON value at where. */
extern void ff_json_error(const char *where, const char *message) __attribute__((noreturn));

#endif							/* FLAGFORGE_JSONB_READ_H */
