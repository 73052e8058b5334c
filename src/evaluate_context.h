/*
 * evaluate_context.h
 *      A call of a function that takes Unleash's context as jsonb (the
 *      evaluation functions and explain share it).
 */
#ifndef FLAGFORGE_EVALUATE_CONTEXT_H
#define FLAGFORGE_EVALUATE_CONTEXT_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"

#include "eval_memo.h"
#include "targeting.h"

/* One call: its memo, its context, where its overrides come from. */
typedef struct FFContextCall
{
	FFEvalMemo *memo;
	FFContext	ctx;
	FFContextExtra extra;		/* ctx.extra; extra.has_tenant: a tenant was found */
	const FFOverrideSource *source;
	FFMemoHost	host;
} FFContextCall;

/*
 * Set up call from the jsonb context at argument argno: the tenant from the
 * context, else flagforge.tenant, else the tenant schema in use, else none.
 */
extern void ff_context_call(FunctionCallInfo fcinfo, int argno, FFContextCall *call);

/* The decision for flag in the call's context, and its variant when variant is not NULL. */
extern FFDecision ff_context_decide(FFContextCall *call, const FFCachedFlag *flag,
									FFVariantResult *variant);

/* A variant result in the shape of Unleash's getVariant. */
extern Jsonb *ff_variant_jsonb(const FFVariantResult *variant);

#endif							/* FLAGFORGE_EVALUATE_CONTEXT_H */
