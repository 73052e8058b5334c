/*
 * flagforge.c
 *      Module entry point: settings and the cache's invalidation hook.
 *
 * The map of the source files is in the README ("Source layout").
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "cache.h"
#include "context_json.h"
#include "encoding.h"
#include "settings.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(flagforge_version);

void		_PG_init(void);

/* Load-time set-up. */
void
_PG_init(void)
{
	ff_settings_define();
	ff_cache_init();
	ff_encoding_init();
	ff_context_json_init();
}

/* flagforge_version(): the version of the loaded library. */
Datum
flagforge_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(FLAGFORGE_VERSION));
}
