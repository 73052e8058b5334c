/*
 * context_json.h
 *      The evaluation context from a jsonb object (Unleash's context shape)
 *      and Unleash's fields from the flagforge.* settings.
 */
#ifndef FLAGFORGE_CONTEXT_JSON_H
#define FLAGFORGE_CONTEXT_JSON_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "resolver.h"

/*
 * Fill ctx (ctx->extra = extra) from a jsonb context object: tenant,
 * userId, groups, environment (else flagforge.environment), sessionId,
 * remoteAddress, appName, currentTime, properties and any other scalar key.
 * A bad value is an error naming it.  extra->has_tenant says whether a
 * tenant was given.
 */
extern void ff_context_from_json(Jsonb *json, FFContext *ctx, FFContextExtra *extra);

/*
 * Unleash's fields from flagforge.session_id, .remote_address, .app_name
 * and .properties (a JSON object); false when none is set.
 */
extern bool ff_context_extra_from_settings(FFContextExtra *extra);

/* Point the core's clock (date constraints) and random draws at PostgreSQL's. */
extern void ff_context_json_init(void);

#endif							/* FLAGFORGE_CONTEXT_JSON_H */
