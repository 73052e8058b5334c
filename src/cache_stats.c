/*
 * cache_stats.c
 *      flagforge_cache_stats(): what this backend's cache holds, for the
 *      benchmark and for DBAs sizing flagforge.cache_memory_limit.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"

#include "cache.h"

PG_FUNCTION_INFO_V1(flagforge_cache_stats);

/* flagforge_cache_stats() → (flags, flag_bytes, tenants, tenant_bytes, memory_limit_bytes) */
Datum
flagforge_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	int64		flag_bytes,
				tenant_bytes;
	int			nflags,
				ntenants;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	ff_cache_stats(&flag_bytes, &tenant_bytes, &nflags, &ntenants);
	values[0] = Int32GetDatum(nflags);
	values[1] = Int64GetDatum(flag_bytes);
	values[2] = Int32GetDatum(ntenants);
	values[3] = Int64GetDatum(tenant_bytes);
	values[4] = Int64GetDatum(ff_cache_memory_limit_bytes());
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
