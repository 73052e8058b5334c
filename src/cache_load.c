/*
 * cache_load.c
 *      Reading flag and override rows into cache memory.
 *
 * No SPI and no planning: a heap scan of the definitions, and for overrides
 * a scan through a btree index that leads with the filtered column (the
 * primary key (tenant_id, flag_key) for one tenant, the flag_key index for
 * one flag; a heap scan when the table has no such index).  Scans use the snapshot the
 * cache took when the statement began (ff_cache_snapshot), so everything a
 * statement loads comes from one state; a change committed after it sends
 * an invalidation that the next statement acts on.  Columns are found by
 * name, and every table's layout is checked before a row is read
 * (table_layout.c), so an altered table gives an error, never a crash.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "cache_load.h"
#include "catalog.h"
#include "table_layout.h"

/* An open table, the snapshot it is read with and a per-row memory context. */
typedef struct FFTableRead
{
	Relation	rel;
	Snapshot	snapshot;
	MemoryContext row_cxt;		/* reset after every row */
} FFTableRead;

/* Open relid and take the fresh snapshot the file header explains. */
static void
table_read_begin(FFTableRead *read, Oid relid)
{
	read->rel = table_open(relid, AccessShareLock);
	read->snapshot = RegisterSnapshot(ff_cache_snapshot());
	read->row_cxt = AllocSetContextCreate(CurrentMemoryContext,
										  "flagforge row",
										  ALLOCSET_SMALL_SIZES);
}

/* Release what table_read_begin took. */
static void
table_read_end(FFTableRead *read)
{
	MemoryContextDelete(read->row_cxt);
	UnregisterSnapshot(read->snapshot);
	table_close(read->rel, AccessShareLock);
}

/* The number of a column that must exist. */
static AttrNumber
column_number(Relation rel, const char *column)
{
	AttrNumber	attnum = get_attnum(RelationGetRelid(rel), column);

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of table \"%s\" does not exist",
						column, RelationGetRelationName(rel)),
				 errhint("The table no longer has the layout flagforge created; reinstall the extension.")));
	return attnum;
}

/* Copy a text datum's bytes into cxt (NUL-terminated). */
FFStr
ff_copy_text(Datum datum, MemoryContext cxt)
{
	text	   *t = DatumGetTextPP(datum);
	FFStr		s;
	char	   *copy;

	s.len = VARSIZE_ANY_EXHDR(t);
	copy = MemoryContextAlloc(cxt, s.len + 1);
	memcpy(copy, VARDATA_ANY(t), s.len);
	copy[s.len] = '\0';
	s.ptr = copy;
	return s;
}

/* Copy the non-NULL elements of a text[] into cxt, sorted when asked. */
FFStrList
ff_copy_text_array(Datum datum, MemoryContext cxt, bool sort)
{
	ArrayType  *array = DatumGetArrayTypeP(datum);
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	FFStr	   *items;
	FFStrList	list;
	size_t		count = 0;

	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &nelems);
	items = nelems > 0 ? MemoryContextAlloc(cxt, sizeof(FFStr) * nelems) : NULL;
	for (int i = 0; i < nelems; i++)
		if (!nulls[i])
			items[count++] = ff_copy_text(elems[i], cxt);
	if (sort)
		ff_strlist_sort(items, count);
	list.items = items;
	list.count = count;
	return list;
}

/* Every row of flagforge_flags, copied into cxt (in table order). */
FFCachedFlag *
ff_load_flags(MemoryContext cxt, int *nflags)
{
	FFTableRead read;
	SysScanDesc scan;
	HeapTuple	tuple;
	TupleDesc	desc;
	AttrNumber	att_key,
				att_name,
				att_deprecated,
				att_default,
				att_public,
				att_rollout,
				att_envs,
				att_kill,
				att_variants;
	int			count = 0;
	int			capacity = 64;
	FFCachedFlag *flags = MemoryContextAlloc(cxt, sizeof(FFCachedFlag) * capacity);
	Datum	   *values;
	bool	   *isnull;

	table_read_begin(&read, ff_read_relid(FF_REL_FLAGS));
	ff_check_layout(read.rel, &ff_flags_layout);
	desc = RelationGetDescr(read.rel);
	att_key = column_number(read.rel, "key");
	att_name = column_number(read.rel, "name");
	att_deprecated = column_number(read.rel, "deprecated");
	att_default = column_number(read.rel, "default_enabled");
	att_public = column_number(read.rel, "is_public");
	att_rollout = column_number(read.rel, "rollout_percentage");
	att_envs = column_number(read.rel, "environments");
	/* 1.1's columns: absent until ALTER EXTENSION UPDATE has run */
	att_kill = get_attnum(RelationGetRelid(read.rel), "kill_switch");
	att_variants = get_attnum(RelationGetRelid(read.rel), "variants");
	values = palloc(sizeof(Datum) * desc->natts);
	isnull = palloc(sizeof(bool) * desc->natts);

	scan = systable_beginscan(read.rel, InvalidOid, false, read.snapshot, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		MemoryContext old = MemoryContextSwitchTo(read.row_cxt);
		FFCachedFlag *flag;

		heap_deform_tuple(tuple, desc, values, isnull);
		if (count == capacity)
		{
			capacity *= 2;
			flags = repalloc(flags, sizeof(FFCachedFlag) * capacity);
		}
		flag = &flags[count];
		memset(flag, 0, sizeof(*flag));
		flag->def.key = ff_copy_text(values[att_key - 1], cxt);
		flag->name = ff_copy_text(values[att_name - 1], cxt);
		flag->deprecated = !isnull[att_deprecated - 1] &&
			DatumGetBool(values[att_deprecated - 1]);
		flag->def.default_enabled = !isnull[att_default - 1] &&
			DatumGetBool(values[att_default - 1]);
		flag->is_public = !isnull[att_public - 1] &&
			DatumGetBool(values[att_public - 1]);
		flag->def.rollout_percentage = isnull[att_rollout - 1] ? 0 :
			DatumGetInt32(values[att_rollout - 1]);
		flag->def.has_environments = !isnull[att_envs - 1];
		if (flag->def.has_environments)
			flag->def.environments = ff_copy_text_array(values[att_envs - 1], cxt, false);
		flag->def.kill_switch = att_kill != InvalidAttrNumber && !isnull[att_kill - 1] &&
			DatumGetBool(values[att_kill - 1]);
		if (att_variants != InvalidAttrNumber && !isnull[att_variants - 1])
			flag->variants = ff_copy_jsonb(values[att_variants - 1], cxt);
		flag->index = count++;
		MemoryContextSwitchTo(old);
		MemoryContextReset(read.row_cxt);
	}
	systable_endscan(scan);
	table_read_end(&read);
	*nflags = count;
	return flags;
}

/* A jsonb datum, detoasted and copied into cxt. */
Jsonb *
ff_copy_jsonb(Datum datum, MemoryContext cxt)
{
	Jsonb	   *value = DatumGetJsonbP(datum);
	Jsonb	   *copy = MemoryContextAlloc(cxt, VARSIZE(value));

	memcpy(copy, value, VARSIZE(value));
	return copy;
}

/* Every row of relid, its columns handed to fn in a per-row context (see cache_load.h). */
void
ff_load_rows(Oid relid, const FFTableLayout *layout, const char *const *columns, int ncolumns,
			 FFRowFunction fn, void *arg)
{
	FFTableRead read;
	SysScanDesc scan;
	HeapTuple	tuple;
	TupleDesc	desc;
	AttrNumber *attnums = palloc(sizeof(AttrNumber) * ncolumns);
	Datum	   *all_values;
	bool	   *all_nulls;
	Datum	   *values = palloc(sizeof(Datum) * ncolumns);
	bool	   *nulls = palloc(sizeof(bool) * ncolumns);

	table_read_begin(&read, relid);
	ff_check_layout(read.rel, layout);
	desc = RelationGetDescr(read.rel);
	for (int i = 0; i < ncolumns; i++)
		attnums[i] = column_number(read.rel, columns[i]);
	all_values = palloc(sizeof(Datum) * desc->natts);
	all_nulls = palloc(sizeof(bool) * desc->natts);

	scan = systable_beginscan(read.rel, InvalidOid, false, read.snapshot, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		MemoryContext old = MemoryContextSwitchTo(read.row_cxt);

		heap_deform_tuple(tuple, desc, all_values, all_nulls);
		for (int i = 0; i < ncolumns; i++)
		{
			values[i] = all_values[attnums[i] - 1];
			nulls[i] = all_nulls[attnums[i] - 1];
		}
		fn(arg, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(read.row_cxt);
	}
	systable_endscan(scan);
	table_read_end(&read);
}

/* An index of rel whose first column is attnum, or InvalidOid. */
static Oid
index_leading_with(Relation rel, AttrNumber attnum)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			found = InvalidOid;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);

		/* A plain, whole-table btree: a partial one would hide rows. */
		if (index->rd_index->indnkeyatts > 0 && index->rd_index->indkey.values[0] == attnum &&
			index->rd_rel->relam == BTREE_AM_OID && index->rd_index->indisvalid &&
			RelationGetIndexPredicate(index) == NIL &&
			TupleDescAttr(RelationGetDescr(index), 0)->attcollation ==
			TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attcollation)
			found = RelationGetRelid(index);
		index_close(index, AccessShareLock);
		if (OidIsValid(found))
			break;
	}
	list_free(indexes);
	return found;
}

/* A scan of rel's rows whose column attnum equals value (through an index when there is one). */
static SysScanDesc
begin_filtered_scan(FFTableRead *read, AttrNumber attnum, FFStr value, ScanKey key)
{
	Oid			collation = TupleDescAttr(RelationGetDescr(read->rel), attnum - 1)->attcollation;
	Oid			index = index_leading_with(read->rel, attnum);

	ScanKeyEntryInitialize(key, 0, attnum, BTEqualStrategyNumber, InvalidOid, collation, F_TEXTEQ,
						   PointerGetDatum(cstring_to_text_with_len(value.ptr, (int) value.len)));
	return systable_beginscan(read->rel, index, OidIsValid(index), read->snapshot, 1, key);
}

/* The rows of override table relid, all or those matching filter (see cache_load.h). */
FFLoadedOverride *
ff_load_overrides(MemoryContext cxt, MemoryContext scratch, Oid relid,
				  const FFOverrideFilter *filter, int *noverrides)
{
	FFTableRead read;
	SysScanDesc scan;
	HeapTuple	tuple;
	TupleDesc	desc;
	ScanKeyData key;
	AttrNumber	att_tenant,
				att_flag,
				att_enabled,
				att_rollout,
				att_users,
				att_groups;
	int			count = 0;
	int			capacity = 8;
	FFLoadedOverride *rows = MemoryContextAlloc(scratch, sizeof(FFLoadedOverride) * capacity);
	Datum	   *values;
	bool	   *isnull;

	/* The extension's table: read this node's rows (its Citus placement, see catalog.h). */
	if (relid == ff_overrides_relid())
		relid = ff_read_relid(FF_REL_OVERRIDES);
	table_read_begin(&read, relid);
	ff_check_layout(read.rel, relid == ff_read_relid(FF_REL_OVERRIDES) ?
					&ff_overrides_layout : &ff_tenant_table_layout);
	desc = RelationGetDescr(read.rel);
	att_tenant = get_attnum(relid, "tenant_id");	/* a tenant schema's table may have none */
	att_flag = column_number(read.rel, "flag_key");
	att_enabled = column_number(read.rel, "enabled");
	att_rollout = column_number(read.rel, "rollout_percentage");
	att_users = column_number(read.rel, "enabled_for_users");
	att_groups = column_number(read.rel, "enabled_for_groups");
	values = palloc(sizeof(Datum) * desc->natts);
	isnull = palloc(sizeof(bool) * desc->natts);

	if (filter == NULL)
		scan = systable_beginscan(read.rel, InvalidOid, false, read.snapshot, 0, NULL);
	else
		scan = begin_filtered_scan(&read,
								   filter->by_tenant ? column_number(read.rel, "tenant_id") : att_flag,
								   filter->value, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		MemoryContext old = MemoryContextSwitchTo(read.row_cxt);
		FFLoadedOverride *row;

		heap_deform_tuple(tuple, desc, values, isnull);
		if (count == capacity)
		{
			capacity *= 2;
			rows = repalloc(rows, sizeof(FFLoadedOverride) * capacity);
		}
		row = &rows[count++];
		memset(row, 0, sizeof(*row));
		row->flag_key = ff_copy_text(values[att_flag - 1], scratch);
		if (att_tenant != InvalidAttrNumber && !isnull[att_tenant - 1])
			row->tenant_id = ff_copy_text(values[att_tenant - 1], scratch);
		row->override.enabled = isnull[att_enabled - 1] ? FF_OPINION_NONE :
			DatumGetBool(values[att_enabled - 1]) ? FF_OPINION_ON : FF_OPINION_OFF;
		row->override.rollout_percentage = isnull[att_rollout - 1] ? FF_ROLLOUT_NULL :
			DatumGetInt32(values[att_rollout - 1]);
		if (!isnull[att_users - 1])
			row->override.users = ff_copy_text_array(values[att_users - 1], cxt, true);
		if (!isnull[att_groups - 1])
			row->override.groups = ff_copy_text_array(values[att_groups - 1], cxt, true);
		MemoryContextSwitchTo(old);
		MemoryContextReset(read.row_cxt);
	}
	systable_endscan(scan);
	table_read_end(&read);
	*noverrides = count;
	return rows;
}

/*
 * True when a registered table may be read as a tenant table: a plain table
 * (a view or a partitioned table has no rows to scan), not in the
 * extension's schema (where its own tables are), and, once 1.1 is installed (it creates tenant tables as
 * the extension owner and gives 1.0's to it), owned by the extension owner.
 * So a row an administrator wrote into the registry cannot make evaluation
 * read a table of theirs.
 */
static bool
usable_tenant_table(Oid relid, bool any_owner)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class form;
	bool		usable;

	if (!HeapTupleIsValid(tuple))
		return false;			/* dropped */
	form = (Form_pg_class) GETSTRUCT(tuple);
	usable = form->relkind == RELKIND_RELATION &&
		form->relnamespace != ff_extension_schema() &&	/* none of the extension's own */
		(any_owner || form->relowner == ff_extension_owner());
	ReleaseSysCache(tuple);
	return usable;
}

/* True while a 1.0 installation (whose tenant tables belong to their creators) runs this library. */
static bool
tenant_tables_of_any_owner(void)
{
	return !OidIsValid(get_relname_relid("flagforge_tenant_security", ff_extension_schema()));
}

/* The registered tenant tables that still exist. */
FFLoadedTenantTable *
ff_load_tenant_tables(MemoryContext cxt, int *count)
{
	FFTableRead read;
	SysScanDesc scan;
	HeapTuple	tuple;
	TupleDesc	desc;
	AttrNumber	att_table,
				att_has_tenant_id;
	int			n = 0;
	int			capacity = 8;
	FFLoadedTenantTable *tables = MemoryContextAlloc(cxt, sizeof(FFLoadedTenantTable) * capacity);
	bool		any_owner = tenant_tables_of_any_owner();

	table_read_begin(&read, ff_tenant_tables_relid());
	ff_check_layout(read.rel, &ff_registry_layout);
	desc = RelationGetDescr(read.rel);
	att_table = column_number(read.rel, "table_oid");
	att_has_tenant_id = column_number(read.rel, "has_tenant_id");
	scan = systable_beginscan(read.rel, InvalidOid, false, read.snapshot, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		bool		relid_null;
		bool		flag_null;
		Oid			relid = DatumGetObjectId(heap_getattr(tuple, att_table, desc, &relid_null));
		bool		has_tenant_id = DatumGetBool(heap_getattr(tuple, att_has_tenant_id, desc, &flag_null));

		/* A row left behind by a dropped table is not a tenant table, nor is a view. */
		if (relid_null || flag_null || !usable_tenant_table(relid, any_owner))
			continue;
		if (n == capacity)
		{
			capacity *= 2;
			tables = repalloc(tables, sizeof(FFLoadedTenantTable) * capacity);
		}
		tables[n].relid = relid;
		tables[n].has_tenant_id = has_tenant_id;
		n++;
	}
	systable_endscan(scan);
	table_read_end(&read);
	*count = n;
	return tables;
}

/* True when relid is registered in flagforge_tenant_tables (see cache_load.h). */
bool
ff_is_registered_tenant_table(Oid relid)
{
	Relation	rel = table_open(ff_tenant_tables_relid(), AccessShareLock);
	AttrNumber	att_table;
	Oid			index;
	ScanKeyData key;
	SysScanDesc scan;
	bool		found;

	ff_check_layout(rel, &ff_registry_layout);
	att_table = column_number(rel, "table_oid");
	index = index_leading_with(rel, att_table);
	ScanKeyInit(&key, att_table, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, index, OidIsValid(index), NULL, 1, &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found && usable_tenant_table(relid, tenant_tables_of_any_owner());
}
