/*
 * yaml_export.c
 *      flagforge_export_yaml(include_overrides): the flags (and optionally
 *      the column-tenancy overrides) as a FlagForge YAML document.
 *
 * Rows are read in byte order of their keys and written by the plain-C
 * emitter (yaml_emit.c), which quotes whatever would not read back as the
 * same string; so the output is deterministic and importing it changes
 * nothing.  The emitter writes UTF-8: in a database of another encoding the
 * rows' strings are converted to UTF-8 before and the document back after.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "yaml_emit.h"
#include "yaml_rows.h"
#include "yaml_targeting.h"

PG_FUNCTION_INFO_V1(flagforge_export_yaml);

/* The stored flags (and with include_overrides, every override) as a document, UTF-8. */
static void
read_document(FFYamlDocument *doc, bool include_overrides)
{
	int			nflags = 0;
	int			noverrides = 0;

	memset(doc, 0, sizeof(*doc));
	doc->flags = ff_read_flag_rows(ff_qualified_table_name(ff_flags_relid()),
								   FF_READ_SNAPSHOT, &nflags);
	doc->nflags = nflags;
	/* a flag without rules or prerequisites does not show them */
	for (int i = 0; i < nflags; i++)
	{
		doc->flags[i].has_rules = strcmp(doc->flags[i].rules, "[]") != 0;
		doc->flags[i].has_prerequisites = strcmp(doc->flags[i].prerequisites, "[]") != 0;
	}
	if (include_overrides)
	{
		doc->overrides = ff_read_override_rows(ff_qualified_table_name(ff_overrides_relid()),
											   (Datum) 0, (Datum) 0, FF_READ_SNAPSHOT, true,
											   &noverrides);
		doc->noverrides = noverrides;
		/* an override without rules of its own does not show rules: [] */
		for (int i = 0; i < noverrides; i++)
			doc->overrides[i].has_rules = strcmp(doc->overrides[i].rules, "[]") != 0;
	}
	doc->segments = ff_targeting_read_segments();
	ff_yaml_pg_document_to_utf8(doc);
}

/*
 * Emit the document into a malloc'd buffer and return it as text in
 * caller_cxt; the buffer is freed on every path, an interrupt that stopped
 * the emitter is raised.
 */
static text *
emit_as_text(const FFYamlDocument *doc, MemoryContext caller_cxt)
{
	FFBuf		buf;
	text	   *volatile result = NULL;
	MemoryContext spi_cxt = CurrentMemoryContext;
	bool		ok;

	ff_buf_init(&buf);
	ff_yaml_pg_watch_interrupts();
	ok = ff_yaml_emit_document(&buf, doc);
	PG_TRY();
	{
		if (!ok)
		{
			ff_yaml_pg_rethrow_interrupt();
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory while writing the flag file")));
		}
		MemoryContextSwitchTo(caller_cxt);
		result = ff_yaml_pg_utf8_to_text(buf.data, buf.len);
		MemoryContextSwitchTo(spi_cxt);
	}
	PG_FINALLY();
	{
		ff_buf_free(&buf);
	}
	PG_END_TRY();
	return result;
}

/* flagforge_export_yaml(include_overrides boolean) → text */
Datum
flagforge_export_yaml(PG_FUNCTION_ARGS)
{
	bool		include_overrides = !PG_ARGISNULL(0) && PG_GETARG_BOOL(0);
	MemoryContext caller_cxt = CurrentMemoryContext;
	FFYamlDocument doc;
	text	   *result;

	SPI_connect();
	read_document(&doc, include_overrides);
	result = emit_as_text(&doc, caller_cxt);
	SPI_finish();
	PG_RETURN_TEXT_P(result);
}
