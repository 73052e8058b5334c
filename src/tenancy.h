/*
 * tenancy.h
 *      Which override table applies: the extension's own (column tenancy)
 *      or a registered tenant schema's, found through search_path.
 */
#ifndef FLAGFORGE_TENANCY_H
#define FLAGFORGE_TENANCY_H

#include "postgres.h"

#include "catalog/namespace.h"

#include "cache.h"
#include "compat.h"

/* flagforge.tenancy */
typedef enum FFTenancyMode
{
	FF_TENANCY_AUTO,			/* a tenant schema on the path if any, else column */
	FF_TENANCY_COLUMN,			/* always the extension's table */
	FF_TENANCY_SCHEMA			/* a tenant schema must be on the path */
} FFTenancyMode;

/* The resolution remembered by one call site, valid while the path is unchanged. */
typedef struct FFSourceMemo
{
	bool		valid;
	uint64		epoch;			/* ff_cache_epoch of source */
	int			mode;			/* flagforge.tenancy it was resolved under */
	FFSearchPath *path;			/* the search_path it was resolved for */
	const FFOverrideSource *source;
} FFSourceMemo;

/* The override table for the current search_path and flagforge.tenancy. */
extern const FFOverrideSource *ff_resolve_source(FFSourceMemo *memo, MemoryContext cxt);

#endif							/* FLAGFORGE_TENANCY_H */
