/*
 * yaml_rows.c
 *      Stored flag and override rows as FFYamlFlag / FFYamlOverride.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "yaml_rows.h"

/* The non-NULL elements of a text[] datum as a list of C strings. */
static FFYamlStringList
text_array_list(Datum datum)
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

/* A column of an SPI result row as a C string ("" if NULL). */
static char *
spi_text(int row, int col)
{
	char	   *value = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return value ? value : pstrdup("");
}

/* A column of an SPI result row as a Datum, with its null flag. */
static Datum
spi_datum(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

/* Every row of flags_table, by key; strings are palloc'd. */
FFYamlFlag *
ff_read_flag_rows(const char *flags_table, int *count)
{
	char	   *sql = psprintf("SELECT key, name, description, default_enabled, is_public,"
							   " rollout_percentage, deprecated, environments FROM %s ORDER BY key",
							   flags_table);
	FFYamlFlag *flags;

	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", sql);
	*count = (int) SPI_processed;
	flags = palloc0(sizeof(FFYamlFlag) * Max(*count, 1));
	for (int i = 0; i < *count; i++)
	{
		bool		isnull;
		Datum		envs;

		flags[i].key = spi_text(i, 1);
		flags[i].name = spi_text(i, 2);
		flags[i].description = spi_text(i, 3);
		flags[i].default_enabled = DatumGetBool(spi_datum(i, 4, &isnull));
		flags[i].is_public = DatumGetBool(spi_datum(i, 5, &isnull));
		flags[i].rollout_percentage = DatumGetInt32(spi_datum(i, 6, &isnull));
		flags[i].deprecated = DatumGetBool(spi_datum(i, 7, &isnull));
		envs = spi_datum(i, 8, &isnull);
		flags[i].has_environments = !isnull;
		if (!isnull)
			flags[i].environments = text_array_list(envs);
	}
	return flags;
}

/* The rows of overrides_table, by tenant and flag (see yaml_rows.h). */
FFYamlOverride *
ff_read_override_rows(const char *overrides_table, Datum tenants, int *count)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		values[1] = {tenants};
	char	   *sql = psprintf("SELECT tenant_id, flag_key, enabled, rollout_percentage,"
							   " enabled_for_users, enabled_for_groups FROM %s%s"
							   " ORDER BY tenant_id, flag_key", overrides_table,
							   tenants ? " WHERE tenant_id OPERATOR(pg_catalog.=) ANY ($1)" : "");
	FFYamlOverride *rows;

	if (SPI_execute_with_args(sql, tenants ? 1 : 0, argtypes, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", sql);
	*count = (int) SPI_processed;
	rows = palloc0(sizeof(FFYamlOverride) * Max(*count, 1));
	for (int i = 0; i < *count; i++)
	{
		bool		isnull;
		Datum		d;

		rows[i].tenant_id = spi_text(i, 1);
		rows[i].flag_key = spi_text(i, 2);
		d = spi_datum(i, 3, &isnull);
		rows[i].has_enabled = true;
		rows[i].enabled = isnull ? -1 : DatumGetBool(d) ? 1 : 0;
		d = spi_datum(i, 4, &isnull);
		rows[i].has_rollout = true;
		rows[i].rollout_percentage = isnull ? -1 : DatumGetInt32(d);
		rows[i].has_users = rows[i].has_groups = true;
		rows[i].users = text_array_list(spi_datum(i, 5, &isnull));
		rows[i].groups = text_array_list(spi_datum(i, 6, &isnull));
	}
	return rows;
}
