/*
 * yaml_export.c
 *      flagforge_export_yaml(include_overrides): the flags (and optionally
 *      the column-tenancy overrides) as a FlagForge YAML document.
 *
 * Rows are read in byte order of their keys and written by the plain-C
 * emitter (yaml_emit.c), which quotes whatever would not read back as the
 * same string; so the output is deterministic and importing it changes
 * nothing.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "yaml_emit.h"
#include "yaml_rows.h"

PG_FUNCTION_INFO_V1(flagforge_export_yaml);

/* flagforge_export_yaml(include_overrides boolean) → text */
Datum
flagforge_export_yaml(PG_FUNCTION_ARGS)
{
	bool		include_overrides = !PG_ARGISNULL(0) && PG_GETARG_BOOL(0);
	FFYamlDocument doc;
	int			nflags = 0;
	int			noverrides = 0;
	FFBuf		buf;
	bool		ok;
	text	   *result;
	MemoryContext caller_cxt = CurrentMemoryContext;

	memset(&doc, 0, sizeof(doc));
	SPI_connect();
	doc.flags = ff_read_flag_rows(ff_qualified_table_name(ff_flags_relid()), &nflags);
	doc.nflags = nflags;
	if (include_overrides)
	{
		doc.overrides = ff_read_override_rows(ff_qualified_table_name(ff_overrides_relid()),
											  (Datum) 0, &noverrides);
		doc.noverrides = noverrides;
	}

	/* The emitter's buffer is malloc'd: nothing below may throw before it is freed. */
	ff_buf_init(&buf);
	ok = ff_yaml_emit_document(&buf, &doc);
	if (ok)
	{
		MemoryContext spi_cxt = MemoryContextSwitchTo(caller_cxt);

		result = cstring_to_text_with_len(buf.data, (int) buf.len);
		MemoryContextSwitchTo(spi_cxt);
	}
	ff_buf_free(&buf);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while writing the flag file")));
	SPI_finish();
	PG_RETURN_TEXT_P(result);
}
