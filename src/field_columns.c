/*
 * field_columns.c
 *      The field table in SQL terms: column types, column lists and field
 *      values from result columns; see field_columns.h.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "field_columns.h"
#include "yaml_targeting.h"

/* The type of the field's column. */
Oid
ff_field_column_type(const FFField *field)
{
	switch (field->type)
	{
		case FF_FIELD_STRING:
			return TEXTOID;
		case FF_FIELD_BOOL:
			return BOOLOID;
		case FF_FIELD_INT:
			return INT4OID;
		case FF_FIELD_STRING_LIST:
			return TEXTARRAYOID;
		case FF_FIELD_JSON:
			return JSONBOID;
	}
	elog(ERROR, "flagforge: unknown field type %d", (int) field->type);
	return InvalidOid;
}

/* The columns of the fields in mask, each written with format. */
char *
ff_field_columns(const FFFieldSet *set, const char *format, unsigned mask, bool leading)
{
	StringInfoData buf;
	bool		first = !leading;

	initStringInfo(&buf);
	for (int i = 0; i < set->count; i++)
	{
		if (!(mask & (1u << i)) || set->fields[i].computed)
			continue;
		if (!first)
			appendStringInfoString(&buf, ", ");
		first = false;
		appendStringInfo(&buf, format, set->fields[i].column);
	}
	return buf.data;
}

/* The non-NULL elements of a text[] datum as a list of C strings. */
FFYamlStringList
ff_text_array_list(Datum datum)
{
	FFYamlStringList list = {NULL, 0};
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	deconstruct_array(DatumGetArrayTypeP(datum), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	if (n == 0)
		return list;
	list.items = palloc(sizeof(char *) * n);
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			list.items[list.count++] = TextDatumGetCString(elems[i]);
	return list;
}

/* Set a field of a record from a result column. */
void
ff_field_from_datum(const FFField *field, void *record, Datum value, bool isnull,
					bool every_present)
{
	void	   *out = ff_field_value(field, record);

	if (every_present || !isnull)
		ff_field_set_present(field, record);
	if (isnull)
	{
		ff_field_set_null(field, record);
		if (field->type == FF_FIELD_STRING)
			*(char **) out = pstrdup("");
		return;
	}
	switch (field->type)
	{
		case FF_FIELD_STRING:
			*(char **) out = TextDatumGetCString(value);
			break;
		case FF_FIELD_BOOL:
			if (field->null == FF_NULL_VALUE)
				*(int *) out = DatumGetBool(value) ? 1 : 0;
			else
				*(bool *) out = DatumGetBool(value);
			break;
		case FF_FIELD_INT:
			*(int *) out = DatumGetInt32(value);
			break;
		case FF_FIELD_STRING_LIST:
			*(FFYamlStringList *) out = ff_text_array_list(value);
			break;
		case FF_FIELD_JSON:
			*(char **) out = DatumGetCString(DirectFunctionCall1(jsonb_out, value));
			break;
	}
}

/* The read expressions of the set's computed fields, each preceded by ", ". */
char *
ff_field_computed_reads(const FFFieldSet *set, bool override)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < set->count; i++)
		if (set->fields[i].computed)
			appendStringInfo(&buf, ", %s", ff_targeting_read_expr(&set->fields[i], override));
	return buf.data;
}
