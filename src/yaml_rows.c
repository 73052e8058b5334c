/*
 * yaml_rows.c
 *      The PostgreSQL side shared by import and export: stored flag and
 *      override rows as FFYamlFlag / FFYamlOverride, the interrupt hook of
 *      the plain-C reader and emitter, and encoding conversions.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "field_columns.h"
#include "yaml_rows.h"

/* Bytes of text converted between encodings by one call. */
#define CONVERT_PIECE (1024 * 1024)

/* ----------------------------------------------------------------
 * Reading rows
 * ----------------------------------------------------------------
 */

/* Fill one element of a row array from an SPI result row. */
typedef void (*RowFiller) (void *row, HeapTuple tuple, TupleDesc desc);

/* A column of a result row as a C string ("" if NULL). */
static char *
column_text(HeapTuple tuple, TupleDesc desc, int col)
{
	char	   *value = SPI_getvalue(tuple, desc, col);

	return value ? value : pstrdup("");
}

/*
 * Run a query through a cursor, FF_YAML_BATCH_ROWS rows at a time, each
 * row made a row_size struct by fill.  With each, every batch is handed to
 * it and freed when it returns (NULL is returned); without, the rows are
 * gathered into one array of *count.  The fetched tuples are freed batch by
 * batch, so the rows are never held twice.
 */
static void *
read_rows(const char *sql, int nargs, Oid *argtypes, Datum *values, FFReadMode mode,
		  Size row_size, RowFiller fill, FFRowBatchFn each, void *arg, int *count)
{
	Portal		portal = SPI_cursor_open_with_args(NULL, sql, nargs, argtypes, values, NULL,
												   mode == FF_READ_SNAPSHOT, 0);
	MemoryContext batch_cxt = each == NULL ? CurrentMemoryContext :
		AllocSetContextCreate(CurrentMemoryContext, "flagforge rows", ALLOCSET_DEFAULT_SIZES);
	Size		cap = FF_YAML_BATCH_ROWS;
	char	   *rows = palloc_extended(cap * row_size, MCXT_ALLOC_HUGE);
	Size		n = 0;

	for (;;)
	{
		uint64		fetched;
		Size		first = each == NULL ? n : 0;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, FF_YAML_BATCH_ROWS);
		fetched = SPI_processed;
		if (fetched == 0)
			break;
		if (first + fetched > cap)
		{
			cap = Max(cap * 2, first + fetched);
			rows = repalloc_huge(rows, cap * row_size);
		}
		old = MemoryContextSwitchTo(batch_cxt);
		for (uint64 i = 0; i < fetched; i++)
		{
			memset(rows + (first + i) * row_size, 0, row_size);
			fill(rows + (first + i) * row_size, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
		}
		MemoryContextSwitchTo(old);
		SPI_freetuptable(SPI_tuptable);
		n += fetched;
		if (each != NULL)
		{
			each(rows, (int) fetched, arg);
			MemoryContextReset(batch_cxt);
		}
	}
	SPI_freetuptable(SPI_tuptable);
	SPI_cursor_close(portal);
	if (each != NULL)
	{
		MemoryContextDelete(batch_cxt);
		pfree(rows);
		rows = NULL;
	}
	if (count != NULL)
		*count = (int) n;
	return rows;
}

/*
 * Error unless a result row has the column types the fillers read: nkeys
 * text key columns, then the set's fields.  A table whose column type was
 * changed (with the DDL guard switched off) gives an error, never a
 * misread datum.
 */
static void
check_row_types(TupleDesc desc, int nkeys, const FFFieldSet *set)
{
	int			ncolumns = nkeys + __builtin_popcount(ff_fields_column_mask(set));

	if (desc->natts != nkeys + set->count && desc->natts != ncolumns)
		elog(ERROR, "flagforge read %d columns, expected %d", desc->natts, nkeys + set->count);
	for (int i = 0; i < desc->natts; i++)
	{
		Oid			type = i < nkeys ? TEXTOID : ff_field_column_type(&set->fields[i - nkeys]);

		if (TupleDescAttr(desc, i)->atttypid != type)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("column \"%s\" has type %s, not %s",
							NameStr(TupleDescAttr(desc, i)->attname),
							format_type_be(TupleDescAttr(desc, i)->atttypid), format_type_be(type)),
					 errhint("flagforge reads only tables with the columns it created; restore the column or reinstall the extension.")));
	}
}

/* Fill a record's fields from the columns after its nkeys key columns. */
static void
fill_fields(const FFFieldSet *set, void *record, HeapTuple tuple, TupleDesc desc,
			int nkeys, bool every_present)
{
	check_row_types(desc, nkeys, set);
	for (int i = 0; i < desc->natts - nkeys; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(tuple, desc, nkeys + i + 1, &isnull);

		ff_field_from_datum(&set->fields[i], record, d, isnull, every_present);
	}
}

/* RowFiller: a flagforge_flags row (key, then the fields). */
static void
fill_flag(void *row, HeapTuple tuple, TupleDesc desc)
{
	FFYamlFlag *flag = row;

	flag->key = column_text(tuple, desc, 1);
	fill_fields(&ff_flag_fields, flag, tuple, desc, 1, false);
}

/* RowFiller: a flagforge_overrides row (tenant, flag, the fields), every field present. */
static void
fill_override(void *row, HeapTuple tuple, TupleDesc desc)
{
	FFYamlOverride *ovr = row;

	ovr->tenant_id = column_text(tuple, desc, 1);
	ovr->flag_key = column_text(tuple, desc, 2);
	fill_fields(&ff_override_fields, ovr, tuple, desc, 2, true);
}

/* " FOR UPDATE OF alias" when the mode locks, else "". */
static const char *
locking_clause(FFReadMode mode, const char *alias)
{
	return mode == FF_READ_LOCKED ? psprintf(" FOR UPDATE OF %s", alias) : "";
}

/* The query of every row of flags_table, by key. */
static char *
flag_rows_query(const char *flags_table, FFReadMode mode, bool computed)
{
	return psprintf("SELECT f.key%s%s FROM %s f ORDER BY f.key%s",
					ff_field_columns(&ff_flag_fields, "f.%s", ~0u, true),
					computed ? ff_field_computed_reads(&ff_flag_fields, false) : "",
					flags_table, locking_clause(mode, "f"));
}

/* Every row of flags_table, by key; strings are palloc'd. */
FFYamlFlag *
ff_read_flag_rows(const char *flags_table, FFReadMode mode, int *count)
{
	return read_rows(flag_rows_query(flags_table, mode, true), 0, NULL, NULL, mode,
					 sizeof(FFYamlFlag), fill_flag, NULL, NULL, count);
}

/* Every row of flags_table, by key, a batch at a time (see yaml_rows.h). */
void
ff_read_flag_batches(const char *flags_table, FFReadMode mode, bool computed,
					 FFRowBatchFn each, void *arg)
{
	read_rows(flag_rows_query(flags_table, mode, computed), 0, NULL, NULL, mode,
			  sizeof(FFYamlFlag), fill_flag, each, arg, NULL);
}

/* The rows of overrides_table, by tenant and flag (see yaml_rows.h). */
FFYamlOverride *
ff_read_override_rows(const char *overrides_table, Datum tenants, Datum flag_keys,
					  FFReadMode mode, bool computed, int *count)
{
	Oid			argtypes[2] = {TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[2] = {tenants, flag_keys};
	char	   *sql = psprintf("SELECT o.tenant_id, o.flag_key%s%s FROM %s o%s"
							   " ORDER BY o.tenant_id, o.flag_key%s",
							   ff_field_columns(&ff_override_fields, "o.%s", ~0u, true),
							   computed ? ff_field_computed_reads(&ff_override_fields, true) : "",
							   overrides_table,
							   tenants ? " JOIN ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2))"
							   " AS k(tenant_id, flag_key)"
							   " ON o.tenant_id OPERATOR(pg_catalog.=) k.tenant_id"
							   " AND o.flag_key OPERATOR(pg_catalog.=) k.flag_key" : "",
							   locking_clause(mode, "o"));

	return read_rows(sql, tenants ? 2 : 0, argtypes, values, mode, sizeof(FFYamlOverride),
					 fill_override, NULL, NULL, count);
}

/* ----------------------------------------------------------------
 * Interrupts
 * ----------------------------------------------------------------
 */

/* The error CHECK_FOR_INTERRUPTS() raised inside the hook, until rethrown. */
static ErrorData *kept_interrupt = NULL;

/*
 * ff_yaml_interrupt_hook: serve a pending interrupt.  The error it raises
 * (a cancel, a statement timeout) is kept for ff_yaml_pg_rethrow_interrupt
 * and the reader or emitter is told to stop, so that it frees its malloc'd
 * memory before the error unwinds the stack.
 */
static bool
pg_interrupt_hook(void)
{
	MemoryContext cxt;

	if (likely(!INTERRUPTS_PENDING_CONDITION()))
		return false;
	cxt = CurrentMemoryContext;
	PG_TRY();
	{
		CHECK_FOR_INTERRUPTS();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		kept_interrupt = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	return kept_interrupt != NULL;
}

/* Let the reader and emitter serve interrupts (see yaml_rows.h). */
void
ff_yaml_pg_watch_interrupts(void)
{
	kept_interrupt = NULL;
	ff_yaml_interrupt_hook = pg_interrupt_hook;
}

/* Raise the error the hook kept, if any. */
void
ff_yaml_pg_rethrow_interrupt(void)
{
	ErrorData  *edata = kept_interrupt;

	if (edata == NULL)
		return;
	kept_interrupt = NULL;
	ReThrowError(edata);
}

/* ----------------------------------------------------------------
 * Encodings
 * ----------------------------------------------------------------
 */

/*
 * Do the edges convert?  Not in a UTF-8 database, and not in SQL_ASCII,
 * where text has no encoding to convert from (its bytes go to the reader
 * as they are, which requires UTF-8).
 */
static bool
converting(void)
{
	int			encoding = GetDatabaseEncoding();

	return encoding != PG_UTF8 && encoding != PG_SQL_ASCII;
}

/*
 * Convert len bytes between the server encoding and UTF-8 (to_utf8 says
 * which way) a piece at a time, cut at character boundaries: interrupts are
 * served between pieces and the result (NUL-terminated, *outlen bytes) may
 * be larger than 1 GB.  A character the target cannot hold is PostgreSQL's
 * conversion error.
 */
static char *
convert_in_pieces(const char *s, size_t len, bool to_utf8, size_t *outlen)
{
	int			from = to_utf8 ? GetDatabaseEncoding() : PG_UTF8;
	Size		cap = len + 1;
	char	   *out = palloc_extended(cap, MCXT_ALLOC_HUGE);
	size_t		used = 0;

	for (size_t pos = 0; pos < len;)
	{
		int			piece = (int) Min(len - pos, CONVERT_PIECE);
		int			cut = pg_encoding_mbcliplen(from, s + pos, piece, piece);
		char	   *conv;
		size_t		n;

		CHECK_FOR_INTERRUPTS();
		if (cut <= 0)
			cut = piece;		/* a broken character: let the conversion say so */
		conv = to_utf8 ? pg_server_to_any(s + pos, cut, PG_UTF8)
			: pg_any_to_server(s + pos, cut, PG_UTF8);
		n = conv == s + pos ? (size_t) cut : strlen(conv);
		if (used + n + 1 > cap)
		{
			cap = Max(cap * 2, used + n + 1);
			out = repalloc_huge(out, cap);
		}
		memcpy(out + used, conv, n);
		used += n;
		if (conv != s + pos)
			pfree(conv);
		pos += cut;
	}
	out[used] = '\0';
	*outlen = used;
	return out;
}

/* The document text as UTF-8 for the reader. */
const char *
ff_yaml_pg_text_to_utf8(const char *s, size_t len, size_t *utf8_len)
{
	if (!converting())
	{
		*utf8_len = len;
		return s;
	}
	return convert_in_pieces(s, len, true, utf8_len);
}

/* The emitted document as text in the server encoding, at most 1 GB. */
text *
ff_yaml_pg_utf8_to_text(const char *s, size_t len)
{
	const char *server = s;
	size_t		n = len;

	if (converting())
		server = convert_in_pieces(s, len, false, &n);
	if (n > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the flag file would be %zu MB, more than the 1 GB a text value can hold",
						n >> 20),
				 errhint("Export without overrides (include_overrides => false), or copy the tables with COPY.")));
	return cstring_to_text_with_len(server, (int) n);
}

/* ff_yaml_document_strings callback: a reader's string in the server encoding. */
static void
malloced_to_server(char **s, void *arg)
{
	size_t		len;
	char	   *conv = convert_in_pieces(*s, strlen(*s), false, &len);
	char	   *copy = malloc(len + 1);

	(void) arg;
	if (copy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while converting the flag file to the database encoding")));
	memcpy(copy, conv, len + 1);
	pfree(conv);
	free(*s);
	*s = copy;
}

/* Replace the reader's strings by their server-encoding form. */
void
ff_yaml_pg_document_to_server(FFYamlDocument *doc)
{
	if (converting())
		ff_yaml_document_strings(doc, malloced_to_server, NULL);
}

/* ff_yaml_document_strings callback: a stored (palloc'd) string as UTF-8. */
static void
palloced_to_utf8(char **s, void *arg)
{
	size_t		len;

	(void) arg;
	*s = convert_in_pieces(*s, strlen(*s), true, &len);
}

/* Replace stored rows' strings by their UTF-8 form. */
void
ff_yaml_pg_document_to_utf8(FFYamlDocument *doc)
{
	if (converting())
		ff_yaml_document_strings(doc, palloced_to_utf8, NULL);
}

/* Convert UTF-8 to the server encoding; NULL (the error dropped) when a character does not fit. */
static const char *
try_to_server(const char *utf8, int len)
{
	MemoryContext cxt = CurrentMemoryContext;
	const char *volatile result = NULL;

	PG_TRY();
	{
		result = pg_any_to_server(utf8, len, PG_UTF8);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		result = NULL;
	}
	PG_END_TRY();
	return result;
}

/* A message in the server encoding, each character that does not fit written as \uXXXX. */
static char *
escape_unconvertible(const char *utf8)
{
	StringInfoData buf;
	const unsigned char *u = (const unsigned char *) utf8;

	initStringInfo(&buf);
	while (*u)
	{
		int			n = pg_utf_mblen(u);
		const char *conv;
		pg_wchar	c;

		if (strnlen((const char *) u, n) < (size_t) n)
			n = 1;
		if (*u < 0x80)
			appendStringInfoChar(&buf, (char) *u);
		else if ((conv = try_to_server((const char *) u, n)) == NULL)
		{
			c = utf8_to_unicode(u);
			appendStringInfo(&buf, c > 0xFFFF ? "\\U%08X" : "\\u%04X", (unsigned) c);
		}
		else if (conv == (const char *) u)
			appendBinaryStringInfo(&buf, conv, n);	/* nothing to convert */
		else
			appendStringInfoString(&buf, conv);
		u += n;
	}
	return buf.data;
}

/* A reader's message in the server encoding; see yaml_rows.h. */
const char *
ff_yaml_pg_message_to_server(const char *utf8)
{
	const char *conv;

	if (!converting())
		return utf8;
	conv = try_to_server(utf8, (int) strlen(utf8));
	return conv != NULL ? conv : escape_unconvertible(utf8);
}
