/*
 * compat.h
 *      The PostgreSQL API differences between the major versions flagforge
 *      builds against (15 to 18, and 19 in development), in one place, the
 *      way pgvector and pg_cron keep theirs: the code calls the names below
 *      and never tests PG_VERSION_NUM itself.
 */
#ifndef FLAGFORGE_COMPAT_H
#define FLAGFORGE_COMPAT_H

#include "postgres.h"

#include "catalog/namespace.h"
#include "utils/acl.h"

/* 17 renamed OverrideSearchPath and its two functions. */
#if PG_VERSION_NUM >= 170000
typedef SearchPathMatcher FFSearchPath;
#define ff_search_path_capture(cxt)		GetSearchPathMatcher(cxt)
#define ff_search_path_unchanged(path)	SearchPathMatchesCurrentEnvironment(path)
#else
typedef OverrideSearchPath FFSearchPath;
#define ff_search_path_capture(cxt)		GetOverrideSearchPath(cxt)
#define ff_search_path_unchanged(path)	OverrideSearchPathMatchesCurrent(path)
#endif

/* 16 replaced the per-catalog pg_*_aclcheck functions by object_aclcheck. */
#if PG_VERSION_NUM >= 160000
#include "catalog/pg_database.h"
#include "catalog/pg_namespace.h"
#define ff_namespace_aclcheck(nsp, role, mode)	object_aclcheck(NamespaceRelationId, (nsp), (role), (mode))
#define ff_database_aclcheck(db, role, mode)	object_aclcheck(DatabaseRelationId, (db), (role), (mode))
#else
#define ff_namespace_aclcheck(nsp, role, mode)	pg_namespace_aclcheck((nsp), (role), (mode))
#define ff_database_aclcheck(db, role, mode)	pg_database_aclcheck((db), (role), (mode))
#endif

/*
 * Building a jsonb object: 19 gives pushJsonbValue a JsonbInState (whose
 * result field holds the finished value) instead of a JsonbParseState **
 * (whose last call returned it).  Declare with FF_JSONB_BUILDER_INIT.
 */
#include "utils/jsonb.h"
#if PG_VERSION_NUM >= 190000
typedef JsonbInState FFJsonbBuilder;
#define FF_JSONB_BUILDER_INIT	{0}
#define ff_jsonb_push(builder, token, value)	pushJsonbValue((builder), (token), (value))
/* End the object and return its value. */
static inline JsonbValue *
ff_jsonb_finish(FFJsonbBuilder *builder)
{
	pushJsonbValue(builder, WJB_END_OBJECT, NULL);
	return builder->result;
}
#else
typedef struct FFJsonbBuilder
{
	JsonbParseState *state;
} FFJsonbBuilder;
#define FF_JSONB_BUILDER_INIT	{NULL}
#define ff_jsonb_push(builder, token, value)	((void) pushJsonbValue(&(builder)->state, (token), (value)))
/* End the object and return its value. */
static inline JsonbValue *
ff_jsonb_finish(FFJsonbBuilder *builder)
{
	return pushJsonbValue(&builder->state, WJB_END_OBJECT, NULL);
}
#endif

/* Append key: value to a jsonb object being built (value is a scalar). */
static inline void
ff_jsonb_push_field(FFJsonbBuilder *builder, const char *key, JsonbValue *value)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = (int) strlen(key);
	ff_jsonb_push(builder, WJB_KEY, &k);
	ff_jsonb_push(builder, WJB_VALUE, value);
}

/*
 * Whether text is valid JSON, without raising an error (for a GUC check
 * hook): 17 made the lexer context the caller's.
 */
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
static inline bool
ff_json_text_is_valid(const char *text)
{
#if PG_VERSION_NUM >= 170000
	JsonLexContext lex;
	bool		valid;

	makeJsonLexContextCstringLen(&lex, text, strlen(text), GetDatabaseEncoding(), false);
	valid = pg_parse_json(&lex, (JsonSemAction *) &nullSemAction) == JSON_SUCCESS;
	freeJsonLexContext(&lex);
	return valid;
#else
	JsonLexContext *lex = makeJsonLexContextCstringLen((char *) text, (int) strlen(text),
													   GetDatabaseEncoding(), false);

	return pg_parse_json(lex, &nullSemAction) == JSON_SUCCESS;
#endif
}

#endif							/* FLAGFORGE_COMPAT_H */
