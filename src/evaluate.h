/*
 * evaluate.h
 *      What the jsonb-context forms share with the evaluation functions.
 */
#ifndef FLAGFORGE_EVALUATE_H
#define FLAGFORGE_EVALUATE_H

#include "postgres.h"

#include "eval_memo.h"

/*
 * Every flag (or every public one) in the host's call as a jsonb object;
 * with no tenant, a flag that needs one is an error (ff_require_tenant_if_needed).
 */
extern Datum ff_evaluate_all_object(FFMemoHost *host, bool public_only);

#endif							/* FLAGFORGE_EVALUATE_H */
