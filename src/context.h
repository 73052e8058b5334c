/*
 * context.h
 *      Building the evaluation context (tenant, user, groups, environment)
 *      from SQL arguments and the flagforge.* settings.
 */
#ifndef FLAGFORGE_CONTEXT_H
#define FLAGFORGE_CONTEXT_H

#include "postgres.h"

#include "fmgr.h"
#include "resolver.h"

/* Parsed groups of a text[] argument, remembered across the rows of a query. */
typedef struct FFGroupsMemo
{
	char	   *raw;			/* bytes of the array the list came from */
	Size		raw_len;
	FFStrList	list;
	MemoryContext cxt;			/* where raw and list live */
} FFGroupsMemo;

/*
 * A text argument as an FFStr pointing into the argument; false if NULL.
 * Inline: the row-gating scan reads three on every row.
 */
static inline bool
ff_text_arg(FunctionCallInfo fcinfo, int argno, FFStr *out)
{
	struct varlena *t;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return false;
	t = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	/* Only compressed or out-of-line values need detoasting (as pg_detoast_datum_packed). */
	if (unlikely(VARATT_IS_COMPRESSED(t) || VARATT_IS_EXTERNAL(t)))
		t = pg_detoast_datum_packed(t);
	out->ptr = VARDATA_ANY(t);
	out->len = VARSIZE_ANY_EXHDR(t);
	return true;
}

/*
 * The tenant: the argument, else flagforge.tenant, else default_tenant (the
 * schema's name in a tenant schema; may be NULL), else an error.
 */
extern FFStr ff_tenant_arg(FunctionCallInfo fcinfo, int argno, const FFStr *default_tenant);

/* The tenant from the settings, else default_tenant, else an error. */
extern FFStr ff_tenant_from_settings(const FFStr *default_tenant);

/*
 * Fill ctx from the arguments tenant_arg, tenant_arg+1 (user),
 * tenant_arg+2 (groups) and tenant_arg+3 (environment).
 */
extern void ff_context_from_args(FunctionCallInfo fcinfo, int tenant_arg,
								 FFGroupsMemo *groups_memo, const FFStr *default_tenant,
								 FFContext *ctx);

/* Fill ctx from the settings alone (the context forms). */
extern void ff_context_from_settings(const FFStr *default_tenant, FFContext *ctx);

/* The non-NULL elements of a text[] as a list, reusing memo when unchanged. */
extern FFStrList ff_groups_from_array(Datum array, FFGroupsMemo *memo);

/*
 * The groups argument at argno as a list: none when absent or NULL.
 * Inline: the row-gating scan reads it on every row.
 */
static inline FFStrList
ff_groups_arg(FunctionCallInfo fcinfo, int argno, FFGroupsMemo *memo)
{
	FFStrList	none = {NULL, 0};

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return none;
	return ff_groups_from_array(PG_GETARG_DATUM(argno), memo);
}

/* s itself, or its first 60 characters and "..." (for messages). */
extern const char *ff_abbreviate(const char *s);

#endif							/* FLAGFORGE_CONTEXT_H */
