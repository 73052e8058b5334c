/*
 * flagforge.c
 *      Module entry point: settings and the cache's invalidation hook.
 *
 * Where things live:
 *   murmur3.c      the MurmurHash3 bucket (plain C)
 *   resolver.c     the evaluation order (plain C)
 *   settings.c     the flagforge.* settings
 *   context.c      the evaluation context from arguments and settings
 *   catalog.c      the extension's schema and tables
 *   cache.c        the per-backend cache and its invalidation
 *   cache_load.c   reading rows into the cache
 *   evaluate.c     the SQL evaluation functions
 *   admin.c        the DBA functions
 *   triggers.c     the trigger that keeps caches fresh
 *   encoding.c     hashing the UTF-8 bytes in databases of other encodings
 *   table_layout.c the layout every table read is checked against
 *   ddl_guard.c    the event trigger that keeps those layouts
 *   tenant_access.c tenant-scoped roles and tenant tables' creation
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "cache.h"
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
}

/* flagforge_version(): the version of the loaded library. */
Datum
flagforge_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(FLAGFORGE_VERSION));
}
