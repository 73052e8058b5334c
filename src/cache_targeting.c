/*
 * cache_targeting.c
 *      Segments, rules, prerequisites and variants read from their tables
 *      and compiled into the cache (see cache_targeting.h).
 *
 * Everything is read with the statement's snapshot (ff_load_rows) when the
 * definitions load, and compiled into the definitions' memory: a change to
 * any of these tables signals a definitions reload, like a flag's.  Each
 * jsonb is copied into that memory first, since compiled targeting points
 * into it.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "cache_load.h"
#include "cache_targeting.h"
#include "catalog.h"
#include "jsonb_read.h"
#include "targeting_load.h"

/* A segment: its id and its compiled constraints. */
typedef struct Segment
{
	int32		id;
	FFConstraintSet constraints;
} Segment;

/* A rule as read, before rules are grouped by flag and tenant. */
typedef struct RuleRow
{
	int			flag_index;
	bool		has_tenant;
	FFStr		tenant_id;
	int32		position;
	const FFRule *rule;
} RuleRow;

/* A prerequisite as read. */
typedef struct PrerequisiteRow
{
	int			flag_index;
	FFPrerequisite prerequisite;
} PrerequisiteRow;

/* What one load gathers. */
typedef struct TargetingLoad
{
	MemoryContext cxt;
	FFArena		arena;
	FFCachedFlag *flags;
	int			nflags;
	FFFlagIndexFunction find;
	Segment    *segments;
	int			nsegments;
	RuleRow    *rules;
	int			nrules;
	PrerequisiteRow *prerequisites;
	int			nprerequisites;
} TargetingLoad;

/* Make room for one more element of a growing array in cxt. */
static void *
grow(MemoryContext cxt, void *array, int count, size_t size)
{
	if (array == NULL)
		return MemoryContextAlloc(cxt, size * 16);
	if (count >= 16 && (count & (count - 1)) == 0)
		return repalloc(array, size * count * 2);
	return array;
}

/* The jsonb array of a column, copied into the load's memory. */
static JsonbContainer *
column_array(TargetingLoad *load, Datum value)
{
	return ff_json_root(ff_copy_jsonb(value, load->cxt));
}

/* One row of flagforge_segments: id, constraints. */
static void
read_segment(void *arg, const Datum *values, const bool *nulls)
{
	TargetingLoad *load = arg;
	Segment    *segment;
	int32		id = DatumGetInt32(values[0]);
	FFConstraintList list;

	load->segments = grow(load->cxt, load->segments, load->nsegments, sizeof(Segment));
	segment = &load->segments[load->nsegments++];
	segment->id = id;
	list = ff_compile_constraints(&load->arena, column_array(load, values[1]),
								  psprintf("segment %d", id));
	segment->constraints.items = list.items;
	segment->constraints.count = (size_t) list.count;
}

/* Order of segments by id. */
static int
compare_segment_id(const void *a, const void *b)
{
	int32		ia = ((const Segment *) a)->id;
	int32		ib = ((const Segment *) b)->id;

	return (ia > ib) - (ia < ib);
}

/* The segment with id, or NULL. */
static const Segment *
find_segment(const TargetingLoad *load, int32 id)
{
	Segment		key;

	key.id = id;
	return bsearch(&key, load->segments, load->nsegments, sizeof(Segment), compare_segment_id);
}

/*
 * The constraint sets of the segments a rule names, in its order (NULL for
 * a missing segment, which never matches, as in Unleash): shared by every
 * rule that names them, so a rule costs a pointer per segment it names.
 */
static const FFConstraintSet **
rule_segments(TargetingLoad *load, Datum segments, size_t *count)
{
	ArrayType  *array = DatumGetArrayTypeP(segments);
	Datum	   *ids;
	bool	   *id_nulls;
	int			nids;
	const FFConstraintSet **sets;

	deconstruct_array(array, INT4OID, sizeof(int32), true, TYPALIGN_INT, &ids, &id_nulls, &nids);
	sets = MemoryContextAlloc(load->cxt, sizeof(FFConstraintSet *) * Max(nids, 1));
	for (int i = 0; i < nids; i++)
	{
		const Segment *segment = find_segment(load, DatumGetInt32(ids[i]));

		sets[i] = segment ? &segment->constraints : NULL;
	}
	*count = (size_t) nids;
	return sets;
}

/*
 * One row of flagforge_rules: flag_key, tenant_id, position, strategy,
 * parameters, constraints, segments, variants.
 */
static void
read_rule(void *arg, const Datum *values, const bool *nulls)
{
	TargetingLoad *load = arg;
	FFStr		flag_key = ff_copy_text(values[0], CurrentMemoryContext);
	int			flag_index = load->find(flag_key);
	RuleRow    *row;
	char	   *where;
	FFConstraintList constraints;
	const FFConstraintSet **segments;
	size_t		nsegments;
	const FFVariants *variants;

	if (flag_index < 0)
		return;					/* a flag loaded after ours: the next reload's */
	where = psprintf("rule %d of flag \"%s\"", DatumGetInt32(values[2]), flag_key.ptr);
	load->rules = grow(load->cxt, load->rules, load->nrules, sizeof(RuleRow));
	row = &load->rules[load->nrules];
	row->flag_index = flag_index;
	row->has_tenant = !nulls[1];
	if (row->has_tenant)
		row->tenant_id = ff_copy_text(values[1], load->cxt);
	row->position = DatumGetInt32(values[2]);
	CHECK_FOR_INTERRUPTS();
	constraints = ff_compile_constraints(&load->arena, column_array(load, values[5]), where);
	segments = rule_segments(load, values[6], &nsegments);
	variants = ff_compile_variants(&load->arena, column_array(load, values[7]), where);
	row->rule = ff_compile_rule(&load->arena, ff_copy_text(values[3], load->cxt),
								ff_json_root(ff_copy_jsonb(values[4], load->cxt)),
								constraints, segments, nsegments, variants, where);
	load->nrules++;
}

/* One row of flagforge_prerequisites: flag_key, parent_key, enabled, variants. */
static void
read_prerequisite(void *arg, const Datum *values, const bool *nulls)
{
	TargetingLoad *load = arg;
	int			flag_index = load->find(ff_copy_text(values[0], CurrentMemoryContext));
	PrerequisiteRow *row;
	int			parent_index;

	if (flag_index < 0)
		return;
	load->prerequisites = grow(load->cxt, load->prerequisites, load->nprerequisites,
							   sizeof(PrerequisiteRow));
	row = &load->prerequisites[load->nprerequisites++];
	row->flag_index = flag_index;
	row->prerequisite.parent_key = ff_copy_text(values[1], load->cxt);
	parent_index = load->find(row->prerequisite.parent_key);
	row->prerequisite.parent = parent_index >= 0 ? &load->flags[parent_index].def : NULL;
	row->prerequisite.enabled = DatumGetBool(values[2]);
	row->prerequisite.variants = ff_copy_text_array(values[3], load->cxt, true);
}

/* Order of rules: by flag, the flag's own first, then by tenant, then by position. */
static int
compare_rule_rows(const void *a, const void *b)
{
	const RuleRow *ra = a;
	const RuleRow *rb = b;

	if (ra->flag_index != rb->flag_index)
		return ra->flag_index < rb->flag_index ? -1 : 1;
	if (ra->has_tenant != rb->has_tenant)
		return ra->has_tenant ? 1 : -1;
	if (ra->has_tenant)
	{
		int			c = ff_str_compare(ra->tenant_id, rb->tenant_id);

		if (c != 0)
			return c;
	}
	return (ra->position > rb->position) - (ra->position < rb->position);
}

/* Order of prerequisites by flag. */
static int
compare_prerequisite_rows(const void *a, const void *b)
{
	int			ia = ((const PrerequisiteRow *) a)->flag_index;
	int			ib = ((const PrerequisiteRow *) b)->flag_index;

	return (ia > ib) - (ia < ib);
}

/* The targeting of flag, made on first need. */
static FFTargeting *
targeting_of(TargetingLoad *load, FFCachedFlag *flag)
{
	if (flag->def.targeting == NULL)
		flag->def.targeting = MemoryContextAllocZero(load->cxt, sizeof(FFTargeting));
	return (FFTargeting *) flag->def.targeting;
}

/* The rules in rows[from, to) as an array of compiled rules. */
static const FFRule **
rule_array(TargetingLoad *load, int from, int to)
{
	const FFRule **rules = MemoryContextAlloc(load->cxt, sizeof(FFRule *) * Max(to - from, 1));

	for (int i = from; i < to; i++)
		rules[i - from] = load->rules[i].rule;
	return rules;
}

/* True when rows a and b are rules of the same flag and the same tenant (or none). */
static bool
same_owner(const RuleRow *a, const RuleRow *b)
{
	return a->flag_index == b->flag_index && a->has_tenant == b->has_tenant &&
		(!a->has_tenant || ff_str_equal(a->tenant_id, b->tenant_id));
}

/* Give each flag its rules and its tenants' override rules. */
static void
attach_rules(TargetingLoad *load)
{
	qsort(load->rules, load->nrules, sizeof(RuleRow), compare_rule_rows);
	for (int start = 0, end; start < load->nrules; start = end)
	{
		FFCachedFlag *flag = &load->flags[load->rules[start].flag_index];

		for (end = start + 1; end < load->nrules && same_owner(&load->rules[start], &load->rules[end]);)
			end++;
		if (!load->rules[start].has_tenant)
		{
			FFTargeting *targeting = targeting_of(load, flag);

			targeting->rules = rule_array(load, start, end);
			targeting->nrules = (size_t) (end - start);
		}
		else
		{
			FFTenantRules *all = (FFTenantRules *) flag->tenant_rules;
			FFTenantRules *entry;

			all = all == NULL ? MemoryContextAlloc(load->cxt, sizeof(FFTenantRules)) :
				repalloc(all, sizeof(FFTenantRules) * (flag->ntenant_rules + 1));
			entry = &all[flag->ntenant_rules++];
			entry->tenant_id = load->rules[start].tenant_id;
			entry->rules = rule_array(load, start, end);
			entry->nrules = (size_t) (end - start);
			flag->tenant_rules = all;
		}
	}
}

/* Give each flag its prerequisites. */
static void
attach_prerequisites(TargetingLoad *load)
{
	qsort(load->prerequisites, load->nprerequisites, sizeof(PrerequisiteRow),
		  compare_prerequisite_rows);
	for (int start = 0, end; start < load->nprerequisites; start = end)
	{
		FFTargeting *targeting = targeting_of(load, &load->flags[load->prerequisites[start].flag_index]);
		FFPrerequisite *list;

		for (end = start + 1; end < load->nprerequisites &&
			 load->prerequisites[end].flag_index == load->prerequisites[start].flag_index;)
			end++;
		list = MemoryContextAlloc(load->cxt, sizeof(FFPrerequisite) * (end - start));
		for (int i = start; i < end; i++)
			list[i - start] = load->prerequisites[i].prerequisite;
		targeting->prerequisites = list;
		targeting->nprerequisites = (size_t) (end - start);
	}
}

/* Compile each flag's variants column. */
static void
attach_variants(TargetingLoad *load)
{
	for (int i = 0; i < load->nflags; i++)
	{
		FFCachedFlag *flag = &load->flags[i];
		const FFVariants *variants;

		if (flag->variants == NULL)
			continue;
		variants = ff_compile_variants(&load->arena, ff_json_root(flag->variants),
									   psprintf("variants of flag \"%s\"", flag->def.key.ptr));
		if (variants != NULL)
			targeting_of(load, flag)->variants = variants;
	}
}

/* Read and compile every flag's targeting (see cache_targeting.h). */
void
ff_load_targeting(MemoryContext cxt, FFCachedFlag *flags, int nflags, FFFlagIndexFunction find)
{
	static const char *const segment_columns[] = {"id", "constraints"};
	static const char *const rule_columns[] = {"flag_key", "tenant_id", "position", "strategy",
	"parameters", "constraints", "segments", "variants"};
	static const char *const prerequisite_columns[] = {"flag_key", "parent_key", "enabled", "variants"};
	TargetingLoad load;
	Oid			segments = ff_read_relid_if_exists(FF_REL_SEGMENTS);
	Oid			rules = ff_read_relid_if_exists(FF_REL_RULES);
	Oid			prerequisites = ff_read_relid_if_exists(FF_REL_PREREQUISITES);

	memset(&load, 0, sizeof(load));
	load.cxt = cxt;
	ff_targeting_arena(&load.arena, cxt);
	load.flags = flags;
	load.nflags = nflags;
	load.find = find;
	attach_variants(&load);
	if (!OidIsValid(segments) || !OidIsValid(rules) || !OidIsValid(prerequisites))
		return;					/* 1.0's tables: no targeting yet */

	ff_load_rows(segments, &ff_segments_layout, segment_columns, lengthof(segment_columns),
				 read_segment, &load);
	if (load.nsegments > 1)
		qsort(load.segments, load.nsegments, sizeof(Segment), compare_segment_id);
	ff_load_rows(rules, &ff_rules_layout, rule_columns, lengthof(rule_columns),
				 read_rule, &load);
	attach_rules(&load);
	ff_load_rows(prerequisites, &ff_prerequisites_layout, prerequisite_columns,
				 lengthof(prerequisite_columns), read_prerequisite, &load);
	attach_prerequisites(&load);
}

/* Order of a flag's tenant rules by tenant. */
static int
compare_tenant_rules(const void *a, const void *b)
{
	return ff_str_compare(((const FFTenantRules *) a)->tenant_id,
						  ((const FFTenantRules *) b)->tenant_id);
}

/* Give override (tenant's, of flag) its rules (see cache_targeting.h). */
void
ff_attach_override_rules(const FFCachedFlag *flag, FFStr tenant, FFOverride *override)
{
	FFTenantRules key;
	const FFTenantRules *found;

	override->rules = NULL;
	override->nrules = 0;
	if (flag->ntenant_rules == 0)
		return;
	key.tenant_id = tenant;
	found = bsearch(&key, flag->tenant_rules, flag->ntenant_rules, sizeof(FFTenantRules),
					compare_tenant_rules);
	if (found != NULL)
	{
		override->rules = found->rules;
		override->nrules = found->nrules;
	}
}
