/*
 * tenancy.c
 *      Schema-per-tenant: finding the override table through search_path.
 *
 * Apps that give each tenant a schema switch search_path per request.  The
 * first schema on the path that holds a REGISTERED tenant table (made by
 * flagforge_create_tenant_schema, listed in flagforge_tenant_tables)
 * supplies the overrides; a table that only looks like one is ignored, or
 * any user could create one and switch gated rows on for themselves.
 * Without one, the extension's own table applies (flagforge.tenancy = auto),
 * or it is an error (schema).  The answer is remembered per call site until
 * search_path, the setting or the cache changes, so the per-row cost is a
 * generation check.
 */
#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/memutils.h"

#include "settings.h"
#include "tenancy.h"

/* Walk search_path for the first registered tenant table. */
static const FFOverrideSource *
find_on_search_path(void)
{
	List	   *path = fetch_search_path(false);
	ListCell   *lc;
	const FFOverrideSource *found = NULL;

	foreach(lc, path)
	{
		found = ff_cache_source_in_namespace(lfirst_oid(lc));
		if (found)
			break;
	}
	list_free(path);
	return found;
}

/* The error of schema tenancy without a tenant schema on the path. */
static void
report_no_tenant_schema(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_TABLE),
			 errmsg("no tenant schema on search_path"),
			 errdetail("flagforge.tenancy is \"schema\" and no schema on search_path \"%s\" holds a registered flagforge_overrides table.",
					   namespace_search_path),
			 errhint("SET search_path to the tenant's schema first, or create one with flagforge_create_tenant_schema().")));
}

/* Resolve without a memo. */
static const FFOverrideSource *
resolve(int mode)
{
	const FFOverrideSource *source = NULL;

	if (mode != FF_TENANCY_COLUMN && !ff_cache_no_tenant_schemas())
		source = find_on_search_path();
	if (source == NULL && mode == FF_TENANCY_SCHEMA)
		report_no_tenant_schema();
	return source ? source : ff_cache_main_source();
}

/* The override table for the current search_path and flagforge.tenancy. */
const FFOverrideSource *
ff_resolve_source(FFSourceMemo *memo, MemoryContext cxt)
{
	int			mode = ff_setting_tenancy;

	/* The common case: column tenancy, nothing to look at. */
	if (mode != FF_TENANCY_SCHEMA && ff_cache_no_tenant_schemas())
		return ff_cache_main_source();
	if (memo->valid && memo->epoch == ff_cache_epoch && memo->mode == mode &&
		ff_search_path_unchanged(memo->path))
		return memo->source;

	memo->valid = false;
	memo->source = resolve(mode);
	if (memo->path)
		pfree(memo->path);
	memo->path = ff_search_path_capture(cxt);
	memo->epoch = ff_cache_epoch;
	memo->mode = mode;
	memo->valid = true;
	return memo->source;
}
