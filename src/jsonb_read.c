/*
 * jsonb_read.c
 *      Reading JSON documents (jsonb) strictly (see jsonb_read.h).
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "jsonb_read.h"

/* Raise the error of a bad JSON value at where. */
void
ff_json_error(const char *where, const char *message)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s", where, message),
			 errhint("See the README's \"Targeting\" section for the shape of each field.")));
	pg_unreachable();
}

/* The value at key of object, false when the key is absent. */
bool
ff_json_key(JsonbContainer *object, const char *key, JsonbValue *value)
{
	return getKeyJsonValueFromContainer(object, key, strlen(key), value) != NULL;
}

/* True when value is an object held in a container. */
bool
ff_json_is_object(const JsonbValue *value)
{
	return value->type == jbvBinary && JsonContainerIsObject(value->val.binary.data);
}

/* True when value is an array held in a container (not a raw scalar). */
bool
ff_json_is_array(const JsonbValue *value)
{
	return value->type == jbvBinary && JsonContainerIsArray(value->val.binary.data) &&
		!JsonContainerIsScalar(value->val.binary.data);
}

/* The container of an object value, or an error. */
JsonbContainer *
ff_json_object(const JsonbValue *value, const char *where, const char *what)
{
	if (!ff_json_is_object(value))
		ff_json_error(where, psprintf("%s must be a JSON object", what));
	return value->val.binary.data;
}

/* The container of an array value, or an error. */
JsonbContainer *
ff_json_array(const JsonbValue *value, const char *where, const char *what)
{
	if (!ff_json_is_array(value))
		ff_json_error(where, psprintf("%s must be a JSON array", what));
	return value->val.binary.data;
}

/* The number of elements of an array container. */
int
ff_json_array_size(JsonbContainer *array)
{
	return (int) JsonContainerSize(array);
}

/* Element index of an array container. */
void
ff_json_element(JsonbContainer *array, int index, JsonbValue *value)
{
	JsonbValue *found = getIthJsonbValueFromContainer(array, (uint32) index);

	*value = *found;
	pfree(found);
}

/* A string value's bytes, or an error. */
FFStr
ff_json_string(const JsonbValue *value, const char *where, const char *what)
{
	FFStr		s;

	if (value->type != jbvString)
		ff_json_error(where, psprintf("%s must be a string", what));
	s.ptr = value->val.string.val;
	s.len = (size_t) value->val.string.len;
	return s;
}

/* A boolean value, or an error. */
bool
ff_json_bool(const JsonbValue *value, const char *where, const char *what)
{
	if (value->type != jbvBool)
		ff_json_error(where, psprintf("%s must be true or false", what));
	return value->val.boolean;
}

/* An integer value in [min, max], or an error. */
int
ff_json_int(const JsonbValue *value, int min, int max, const char *where, const char *what)
{
	int64		n;

	if (value->type != jbvNumeric)
		ff_json_error(where, psprintf("%s must be a number", what));
	if (!DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(value->val.numeric),
										  DirectFunctionCall1(numeric_floor,
															  NumericGetDatum(value->val.numeric)))))
		ff_json_error(where, psprintf("%s must be a whole number", what));
	if (DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(value->val.numeric),
										 NumericGetDatum(int64_to_numeric(min)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_gt, NumericGetDatum(value->val.numeric),
										 NumericGetDatum(int64_to_numeric(max)))))
		ff_json_error(where, psprintf("%s must be from %d to %d", what, min, max));
	n = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(value->val.numeric)));
	return (int) n;
}

/* A string field of object, if present and not null (see jsonb_read.h). */
bool
ff_json_string_field(JsonbContainer *object, const char *key, const char *where, FFStr *out)
{
	JsonbValue	value;

	if (!ff_json_key(object, key, &value) || value.type == jbvNull)
		return false;
	*out = ff_json_string(&value, where, key);
	return true;
}

/* A scalar as text (see jsonb_read.h). */
bool
ff_json_scalar_text(const JsonbValue *value, FFStr *out)
{
	switch (value->type)
	{
		case jbvString:
			out->ptr = value->val.string.val;
			out->len = (size_t) value->val.string.len;
			return true;
		case jbvNumeric:
			out->ptr = DatumGetCString(DirectFunctionCall1(numeric_out,
														   NumericGetDatum(value->val.numeric)));
			out->len = strlen(out->ptr);
			return true;
		case jbvBool:
			out->ptr = value->val.boolean ? "true" : "false";
			out->len = strlen(out->ptr);
			return true;
		default:
			return false;
	}
}

/* The root container of a jsonb document. */
JsonbContainer *
ff_json_root(Jsonb *document)
{
	return &document->root;
}
