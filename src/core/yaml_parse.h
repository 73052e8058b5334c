/*
 * yaml_parse.h
 *      Reader of the FlagForge flag file (YAML) into plain C structs.
 *
 * Plain C on libyaml's event API, with no PostgreSQL headers or types, so
 * that it can be unit tested and fuzzed alone; the SQL wrapper copies the
 * result into PostgreSQL memory and tables.  Every string in the result is
 * UTF-8, NUL-terminated and malloc'd; ff_yaml_document_free() releases it
 * all.  The rules the reader applies (which spellings are booleans, what is
 * refused, what only warns) are listed at the top of yaml_parse.c.
 */
#ifndef FLAGFORGE_YAML_PARSE_H
#define FLAGFORGE_YAML_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "ff_buf.h"
#include "flag_fields.h"
#include "yaml_scalar.h"

/* A flag key is 1 to 255 characters (Unicode code points), as the table says. */
#define FF_YAML_KEY_MAX_CHARS	255
/* Room for the longest key in UTF-8 (4 bytes a character) and its NUL. */
#define FF_YAML_KEY_BUFSIZE		1024
/* Collections nested deeper than this are refused (the format needs 5). */
#define FF_YAML_MAX_DEPTH		64

/* Something legal but probably not what the author meant. */
typedef struct FFYamlWarning
{
	int			line;			/* 1-based */
	int			column;
	char	   *flag_key;
	char	   *message;		/* lower case, no trailing period */
} FFYamlWarning;

/* The whole file; flags and overrides in document order. */
typedef struct FFYamlDocument
{
	FFYamlFlag *flags;
	size_t		nflags;
	FFYamlOverride *overrides;
	size_t		noverrides;
	char	   *segments;		/* 1.1: JSON text of the segments: mapping
								 * (id -> {name, constraints}); NULL: absent */
	FFYamlWarning *warnings;
	size_t		nwarnings;
} FFYamlDocument;

/* What went wrong; FF_YAML_OK is 0.  New values are only ever appended. */
typedef enum FFYamlStatus
{
	FF_YAML_OK = 0,
	FF_YAML_SYNTAX,				/* not YAML: libyaml's complaint, NUL byte */
	FF_YAML_STRUCTURE,			/* a mapping/list/scalar where another was due */
	FF_YAML_TYPE,				/* a scalar of the wrong type */
	FF_YAML_RANGE,				/* rollout outside 0..100, key length */
	FF_YAML_UNKNOWN_FIELD,		/* a key the format does not know */
	FF_YAML_DUPLICATE,			/* the same key twice in one mapping */
	FF_YAML_MISSING,			/* a flag without name, a document without flags */
	FF_YAML_LIMIT,				/* nesting deeper than FF_YAML_MAX_DEPTH */
	FF_YAML_NOMEM,				/* malloc failed */
	FF_YAML_UNSUPPORTED,		/* anchors, aliases, tags, merge keys, 2+ documents */
	FF_YAML_INTERRUPTED			/* ff_yaml_interrupt_hook asked to stop */
} FFYamlStatus;

/* The first error found; the parse stops there. */
typedef struct FFYamlError
{
	FFYamlStatus status;
	int			line;			/* 1-based; 0 when unknown (out of memory) */
	int			column;			/* 1-based, in characters */
	char		tenant_id[FF_YAML_KEY_BUFSIZE]; /* override's tenant, else "" */
	char		flag_key[FF_YAML_KEY_BUFSIZE];	/* flag being read, else "" */
	char		field[64];		/* field being read, else "" */
	char		message[512];	/* lower case, no trailing period */
} FFYamlError;

/*
 * Asked by the reader and the emitter in every loop over their input: before
 * each libyaml event, each time libyaml reads a chunk (so also inside a long
 * scalar), and for each flag, override, list item and 64 kB of a quoted
 * scalar written.  Returning true stops the work: ff_yaml_parse() then
 * returns FF_YAML_INTERRUPTED and ff_yaml_emit_document() false, with
 * everything released.  NULL (the default) never stops.  The PostgreSQL side
 * sets it to a function that runs CHECK_FOR_INTERRUPTS().
 */
typedef bool (*FFYamlInterruptHook) (void);
extern FFYamlInterruptHook ff_yaml_interrupt_hook;

/* Ask ff_yaml_interrupt_hook (if set) whether to stop. */
extern bool ff_yaml_interrupted(void);

/*
 * Parse len bytes of UTF-8 YAML (input need not be NUL-terminated).
 * On FF_YAML_OK *doc holds the result, to be released with
 * ff_yaml_document_free().  A document must have a flags mapping (which
 * may be {}): an empty document, one of only comments, a null document,
 * flags: null and a document without flags are FF_YAML_MISSING.  On any other status *doc is left empty (nothing
 * to free) and *err, when err is not NULL, says what and where.
 */
extern FFYamlStatus ff_yaml_parse(const char *input, size_t len,
								  FFYamlDocument *doc, FFYamlError *err);

/* Release everything a document holds and leave it empty; NULL is fine. */
extern void ff_yaml_document_free(FFYamlDocument *doc);

/*
 * Call fn with the address of every string a document holds (flag keys,
 * names, descriptions, environments, tenant ids, override flag keys,
 * users, groups, warnings' flag keys and messages), so that a caller can
 * replace them (to convert their encoding, or free them).
 */
typedef void (*FFYamlStringFn) (char **s, void *arg);
extern void ff_yaml_document_strings(FFYamlDocument *doc, FFYamlStringFn fn, void *arg);

/* Short name of a status, such as "syntax" or "unknown field". */
extern const char *ff_yaml_status_name(FFYamlStatus status);

#endif							/* FLAGFORGE_YAML_PARSE_H */
