/*
 * yaml_rows.h
 *      The PostgreSQL side that import and export share: the stored flag and
 *      override rows as the YAML reader's structs (read through SPI,
 *      connected by the caller, in byte order of their keys: the key columns
 *      are COLLATE "C"), the interrupt hook of the plain-C reader and
 *      emitter, and the encoding conversions at the edges (libyaml and the
 *      emitter work in UTF-8; every conversion is skipped when the database
 *      is UTF-8, and in SQL_ASCII, whose bytes are taken as they are).
 */
#ifndef FLAGFORGE_YAML_ROWS_H
#define FLAGFORGE_YAML_ROWS_H

#include "postgres.h"

#include "yaml_parse.h"

/*
 * Rows read, written, locked or deleted by one statement at a time: rows are
 * read through a cursor and written as arrays of this many, so no array,
 * jsonb or string of a batch nears PostgreSQL's 1 GB limits.
 */
#define FF_YAML_BATCH_ROWS 1000

/* Which version of the rows a read sees. */
typedef enum FFReadMode
{
	FF_READ_SNAPSHOT,			/* the calling statement's snapshot (export: STABLE) */
	FF_READ_LATEST,				/* a new snapshot: all that committed before the read */
	FF_READ_LOCKED				/* the same, rows locked FOR UPDATE: READ COMMITTED
								 * waits for a concurrent writer and returns the
								 * version it committed */
} FFReadMode;

/*
 * Every row of flags_table, by key; strings are palloc'd (server encoding).
 * The readers with computed read the 1.1 rules and prerequisites too (a
 * role without rights on their tables can import a file without them).
 */
extern FFYamlFlag *ff_read_flag_rows(const char *flags_table, FFReadMode mode, int *count);

/* Receives n rows read (an array of FFYamlFlag...), freed when it returns. */
typedef void (*FFRowBatchFn) (void *rows, int n, void *arg);

/*
 * Every row of flags_table, by key, FF_YAML_BATCH_ROWS at a time: each batch
 * is handed to each and freed, so a table of any size is read in bounded
 * memory.
 */
extern void ff_read_flag_batches(const char *flags_table, FFReadMode mode, bool computed,
								 FFRowBatchFn each, void *arg);

/*
 * The rows of overrides_table (with tenant_id), by tenant and flag: all of
 * them when tenants is (Datum) 0, else those whose (tenant_id, flag_key) is
 * one of the pairs of the equally long text[] tenants and flag_keys.  Every
 * field is marked present.
 */
extern FFYamlOverride *ff_read_override_rows(const char *overrides_table, Datum tenants,
											 Datum flag_keys, FFReadMode mode, bool computed,
											 int *count);

/*
 * Point ff_yaml_interrupt_hook at a function that runs CHECK_FOR_INTERRUPTS()
 * and, when that raises an error (a cancel, a statement timeout), keeps the
 * error and tells the reader or emitter to stop and release its memory.
 */
extern void ff_yaml_pg_watch_interrupts(void);

/* Raise the error the hook kept, if any (after the reader or emitter stopped). */
extern void ff_yaml_pg_rethrow_interrupt(void);

/* The document text (server encoding) as UTF-8 for the reader; s itself in a UTF-8 database. */
extern const char *ff_yaml_pg_text_to_utf8(const char *s, size_t len, size_t *utf8_len);

/*
 * The emitted document (UTF-8) as a text value in the server encoding, or an
 * error naming the 1 GB limit of a text value when it is larger.
 */
extern text *ff_yaml_pg_utf8_to_text(const char *s, size_t len);

/* The reader's strings (malloc'd, UTF-8), each replaced by its server-encoding form. */
extern void ff_yaml_pg_document_to_server(FFYamlDocument *doc);

/* Stored rows' strings (palloc'd, server encoding), each replaced by its UTF-8 form. */
extern void ff_yaml_pg_document_to_utf8(FFYamlDocument *doc);

/*
 * A reader's message or error field (UTF-8) in the server encoding, for
 * ereport: a character the database cannot hold is written as \uXXXX
 * rather than hiding the message behind a conversion error.
 */
extern const char *ff_yaml_pg_message_to_server(const char *utf8);

#endif							/* FLAGFORGE_YAML_ROWS_H */
