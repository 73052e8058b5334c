/*
 * targeting_load.c
 *      Unleash's JSON compiled into the core's targeting, and the CHECK
 *      functions of the targeting columns (see targeting_load.h).
 *
 * The compiled objects point into the jsonb they were compiled from, so
 * the caller keeps that jsonb as long as them (the cache copies each
 * column's value into its own memory first).
 */
#include "postgres.h"

#include "fmgr.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "jsonb_read.h"
#include "settings.h"
#include "targeting_load.h"

PG_FUNCTION_INFO_V1(flagforge_check_constraints);
PG_FUNCTION_INFO_V1(flagforge_check_variants);
PG_FUNCTION_INFO_V1(flagforge_check_rule);

/* Allocate in the arena's memory context. */
static void *
arena_alloc(void *cx, size_t size)
{
	return MemoryContextAllocZero((MemoryContext) cx, size);
}

/* Free a compiled regex when its memory context goes. */
static void
free_regex(void *regex)
{
	ff_regex_free(regex);
}

/* Register a compiled regex to be freed with the arena's memory context. */
static void
arena_on_regex(void *cx, void *regex)
{
	MemoryContextCallback *callback = MemoryContextAlloc((MemoryContext) cx,
														 sizeof(MemoryContextCallback));

	callback->func = free_regex;
	callback->arg = regex;
	MemoryContextRegisterResetCallback((MemoryContext) cx, callback);
}

/* An arena in cxt (see targeting_load.h). */
void
ff_targeting_arena(FFArena *arena, MemoryContext cxt)
{
	arena->alloc = arena_alloc;
	arena->on_regex = arena_on_regex;
	arena->cx = cxt;
}

/* Raise a compile error of the core at where. */
static void
compile_error(const char *where, const char *err)
{
	ff_json_error(where, err);
}

/* An optional boolean field (absent or null: false). */
static bool
optional_bool(JsonbContainer *object, const char *key, const char *where)
{
	JsonbValue	value;

	if (!ff_json_key(object, key, &value) || value.type == jbvNull)
		return false;
	return ff_json_bool(&value, where, key);
}

/* The strings of an optional array field (absent or null: none), in arena memory. */
static const FFStr *
string_array_field(FFArena *arena, JsonbContainer *object, const char *key,
				   const char *where, size_t *count)
{
	JsonbValue	value;
	JsonbContainer *array;
	FFStr	   *items;
	int			n;

	*count = 0;
	if (!ff_json_key(object, key, &value) || value.type == jbvNull)
		return NULL;
	array = ff_json_array(&value, where, key);
	n = ff_json_array_size(array);
	items = arena->alloc(arena->cx, sizeof(FFStr) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		JsonbValue	element;

		CHECK_FOR_INTERRUPTS();
		ff_json_element(array, i, &element);
		items[i] = ff_json_string(&element, where, psprintf("%s[%d]", key, i));
	}
	*count = (size_t) n;
	return items;
}

/* One Unleash constraint object, compiled. */
static const FFConstraint *
compile_constraint(FFArena *arena, const JsonbValue *value, const char *where)
{
	JsonbContainer *object = ff_json_object(value, where, "a constraint");
	FFConstraintSpec spec;
	const FFConstraint *compiled;
	char		err[FF_TARGETING_ERROR_MAX];

	memset(&spec, 0, sizeof(spec));
	if (!ff_json_string_field(object, "contextName", where, &spec.context_name))
		ff_json_error(where, "contextName is required");
	if (!ff_json_string_field(object, "operator", where, &spec.operator_name))
		ff_json_error(where, "operator is required");
	spec.inverted = optional_bool(object, "inverted", where);
	spec.case_insensitive = optional_bool(object, "caseInsensitive", where);
	spec.values = string_array_field(arena, object, "values", where, &spec.nvalues);
	spec.has_value = ff_json_string_field(object, "value", where, &spec.value);
	if (!ff_constraint_compile(arena, &spec, &compiled, err, sizeof(err)))
		compile_error(where, err);
	return compiled;
}

/* A list of constraints is at most this long (each costs every evaluation). */
#define FF_MAX_CONSTRAINTS 1000

/* The length of an array of constraints; an error past FF_MAX_CONSTRAINTS. */
static int
constraint_count(JsonbContainer *array, const char *where)
{
	int			n = ff_json_array_size(array);

	if (n > FF_MAX_CONSTRAINTS)
		ff_json_error(where, psprintf("%d constraints, at most %d are allowed in one list",
									  n, FF_MAX_CONSTRAINTS));
	return n;
}

/* An array of Unleash constraints (see targeting_load.h). */
FFConstraintList
ff_compile_constraints(FFArena *arena, JsonbContainer *array, const char *where)
{
	FFConstraintList list;
	int			n = constraint_count(array, where);

	list.items = arena->alloc(arena->cx, sizeof(FFConstraint *) * Max(n, 1));
	list.count = n;
	for (int i = 0; i < n; i++)
	{
		JsonbValue	element;

		CHECK_FOR_INTERRUPTS();
		ff_json_element(array, i, &element);
		list.items[i] = compile_constraint(arena, &element,
										   psprintf("%s: constraint %d", where, i + 1));
	}
	return list;
}

/* The overrides of a variant ([{contextName, values}]), into spec. */
static void
read_variant_overrides(FFArena *arena, JsonbContainer *object, const char *where,
					   FFVariantSpec *spec)
{
	JsonbValue	value;
	JsonbContainer *array;
	FFVariantOverrideSpec *overrides;
	int			n;

	if (!ff_json_key(object, "overrides", &value) || value.type == jbvNull)
		return;
	array = ff_json_array(&value, where, "overrides");
	n = ff_json_array_size(array);
	overrides = arena->alloc(arena->cx, sizeof(FFVariantOverrideSpec) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		JsonbValue	element;
		char	   *at = psprintf("%s: override %d", where, i + 1);
		JsonbContainer *override;

		ff_json_element(array, i, &element);
		override = ff_json_object(&element, at, "an override");
		if (!ff_json_string_field(override, "contextName", at, &overrides[i].context_name))
			ff_json_error(at, "contextName is required");
		overrides[i].values = string_array_field(arena, override, "values", at,
												 &overrides[i].nvalues);
	}
	spec->overrides = overrides;
	spec->noverrides = (size_t) n;
}

/* The payload of a variant ({type, value}), into spec. */
static void
read_variant_payload(JsonbContainer *object, const char *where, FFVariantSpec *spec)
{
	JsonbValue	value;
	JsonbContainer *payload;
	char	   *at = psprintf("%s: payload", where);

	if (!ff_json_key(object, "payload", &value) || value.type == jbvNull)
		return;
	payload = ff_json_object(&value, where, "payload");
	if (!ff_json_string_field(payload, "type", at, &spec->payload_type))
		ff_json_error(at, "type is required");
	if (!ff_json_string_field(payload, "value", at, &spec->payload_value))
		ff_json_error(at, "value is required");
	spec->has_payload = true;
}

/* One Unleash variant object, read into spec. */
static void
read_variant(FFArena *arena, const JsonbValue *value, const char *where, FFVariantSpec *spec)
{
	JsonbContainer *object = ff_json_object(value, where, "a variant");
	JsonbValue	weight;
	FFStr		weight_type;

	memset(spec, 0, sizeof(*spec));
	if (!ff_json_string_field(object, "name", where, &spec->name))
		ff_json_error(where, "name is required");
	if (ff_json_key(object, "weight", &weight) && weight.type != jbvNull)
		spec->weight = ff_json_int(&weight, 0, 1000000, where, "weight");
	if (ff_json_string_field(object, "weightType", where, &weight_type))
	{
		if (weight_type.len == 3 && memcmp(weight_type.ptr, "fix", 3) == 0)
			spec->fixed = true;
		else if (!(weight_type.len == 8 && memcmp(weight_type.ptr, "variable", 8) == 0))
			ff_json_error(where, "weightType must be \"variable\" or \"fix\"");
	}
	spec->has_stickiness = ff_json_string_field(object, "stickiness", where, &spec->stickiness);
	read_variant_payload(object, where, spec);
	read_variant_overrides(arena, object, where, spec);
}

/* An array of Unleash variants (see targeting_load.h). */
const FFVariants *
ff_compile_variants(FFArena *arena, JsonbContainer *array, const char *where)
{
	int			n = ff_json_array_size(array);
	FFVariantSpec *specs;
	const FFVariants *compiled;
	char		err[FF_TARGETING_ERROR_MAX];

	if (n == 0)
		return NULL;
	specs = arena->alloc(arena->cx, sizeof(FFVariantSpec) * n);
	for (int i = 0; i < n; i++)
	{
		JsonbValue	element;

		CHECK_FOR_INTERRUPTS();
		ff_json_element(array, i, &element);
		read_variant(arena, &element, psprintf("%s: variant %d", where, i + 1), &specs[i]);
	}
	if (!ff_variants_compile(arena, specs, (size_t) n, &compiled, err, sizeof(err)))
		compile_error(where, err);
	return compiled;
}

/* The parameters object of a rule as name/value lists (scalars as text, nulls left out). */
static void
read_parameters(FFArena *arena, JsonbContainer *parameters, const char *where, FFRuleSpec *spec)
{
	JsonbIterator *it = JsonbIteratorInit(parameters);
	JsonbValue	value;
	JsonbIteratorToken token;
	int			n = (int) JsonContainerSize(parameters);
	FFStr	   *names = arena->alloc(arena->cx, sizeof(FFStr) * Max(n, 1));
	FFStr	   *values = arena->alloc(arena->cx, sizeof(FFStr) * Max(n, 1));
	FFStr		name = {NULL, 0};
	int			count = 0;

	while ((token = JsonbIteratorNext(&it, &value, true)) != WJB_DONE)
	{
		if (token == WJB_KEY)
			name = ff_json_string(&value, where, "a parameter name");
		else if (token == WJB_VALUE && value.type != jbvNull)
		{
			if (!ff_json_scalar_text(&value, &values[count]))
				ff_json_error(where, psprintf("parameter \"%.*s\" must be a string",
											  (int) name.len, name.ptr));
			names[count++] = name;
		}
	}
	spec->parameter_names = names;
	spec->parameter_values = values;
	spec->nparameters = (size_t) count;
}

/* A rule (see targeting_load.h). */
const FFRule *
ff_compile_rule(FFArena *arena, FFStr strategy, JsonbContainer *parameters,
				FFConstraintList constraints, const FFConstraintSet *const *segments,
				size_t nsegments, const FFVariants *variants, const char *where)
{
	FFRuleSpec	spec;
	const FFRule *compiled;
	char		err[FF_TARGETING_ERROR_MAX];

	memset(&spec, 0, sizeof(spec));
	spec.strategy_name = strategy;
	if (!JsonContainerIsObject(parameters))
		ff_json_error(where, "parameters must be a JSON object");
	read_parameters(arena, parameters, where, &spec);
	spec.constraints = constraints.items;
	spec.nconstraints = (size_t) constraints.count;
	spec.segments = segments;
	spec.nsegments = nsegments;
	spec.variants = variants;
	if (!ff_rule_compile(arena, &spec, &compiled, err, sizeof(err)))
		compile_error(where, err);
	return compiled;
}

/* An array argument's container, or an error naming the argument. */
static JsonbContainer *
array_argument(FunctionCallInfo fcinfo, int argno, const char *what)
{
	Jsonb	   *document = PG_GETARG_JSONB_P(argno);

	if (!JB_ROOT_IS_ARRAY(document) || JB_ROOT_IS_SCALAR(document))
		ff_json_error(what, "must be a JSON array");
	return ff_json_root(document);
}

/* Compile into a throw-away memory context, so that the check keeps nothing. */
static MemoryContext
check_begin(FFArena *arena)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "flagforge check",
											  ALLOCSET_SMALL_SIZES);

	ff_targeting_arena(arena, cxt);
	return cxt;
}

/*
 * True when a write may store an operator Unleash does not know: while
 * flagforge_import_unleash writes (Unleash's payloads may hold one, and it
 * never matches), and when rows are restored (replica role, or a COPY, as
 * pg_restore loads them), so that what was stored restores whole.
 */
static bool
unknown_operator_allowed(void)
{
	return (ff_setting_importing != NULL && strcmp(ff_setting_importing, "unleash") == 0) ||
		SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA ||
		(debug_query_string != NULL && pg_strncasecmp(debug_query_string, "copy", 4) == 0);
}

/* A bad operator is an error when written (but what unknown_operator_allowed lets through). */
static void
check_operator(const JsonbValue *element, const char *where)
{
	FFStr		name;

	if (!ff_json_is_object(element) ||
		!ff_json_string_field(element->val.binary.data, "operator", where, &name) ||
		ff_operator_from_name(name) != FF_OP_UNKNOWN || unknown_operator_allowed())
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: operator \"%.*s\" is not one of Unleash's", where, (int) name.len, name.ptr),
			 errhint("The operators are IN, NOT_IN, STR_STARTS_WITH, STR_ENDS_WITH, STR_CONTAINS, NUM_EQ, NUM_GT, NUM_GTE, NUM_LT, NUM_LTE, DATE_AFTER, DATE_BEFORE, SEMVER_EQ, SEMVER_GT, SEMVER_LT, SEMVER_GTE, SEMVER_LTE, REGEX and IN_CIDR.")));
}

/*
 * Check an array of constraints one at a time, each compiled into a context
 * of its own that goes at once: a check keeps no compiled regex alive.
 */
static void
check_constraints(JsonbContainer *array, const char *where)
{
	int			n = constraint_count(array, where);

	for (int i = 0; i < n; i++)
	{
		FFArena		arena;
		MemoryContext cxt = check_begin(&arena);
		JsonbValue	element;

		CHECK_FOR_INTERRUPTS();
		ff_json_element(array, i, &element);
		check_operator(&element, psprintf("%s: constraint %d", where, i + 1));
		(void) compile_constraint(&arena, &element, psprintf("%s: constraint %d", where, i + 1));
		MemoryContextDelete(cxt);
	}
}

/* flagforge_check_constraints(jsonb): true, or an error naming the bad constraint. */
Datum
flagforge_check_constraints(PG_FUNCTION_ARGS)
{
	check_constraints(array_argument(fcinfo, 0, "constraints"), "constraints");
	PG_RETURN_BOOL(true);
}

/* flagforge_check_variants(jsonb): true, or an error naming the bad variant. */
Datum
flagforge_check_variants(PG_FUNCTION_ARGS)
{
	FFArena		arena;
	MemoryContext cxt = check_begin(&arena);

	(void) ff_compile_variants(&arena, array_argument(fcinfo, 0, "variants"), "variants");
	MemoryContextDelete(cxt);
	PG_RETURN_BOOL(true);
}

/* flagforge_check_rule(strategy, parameters, constraints, variants): true or an error. */
Datum
flagforge_check_rule(PG_FUNCTION_ARGS)
{
	FFArena		arena;
	MemoryContext cxt = check_begin(&arena);
	text	   *strategy = PG_GETARG_TEXT_PP(0);
	Jsonb	   *parameters = PG_GETARG_JSONB_P(1);
	FFStr		name;
	FFConstraintList constraints;
	const FFVariants *variants;

	name.ptr = VARDATA_ANY(strategy);
	name.len = VARSIZE_ANY_EXHDR(strategy);
	if (!JB_ROOT_IS_OBJECT(parameters))
		ff_json_error("rule", "parameters must be a JSON object");
	check_constraints(array_argument(fcinfo, 2, "constraints"), "rule");
	constraints.items = NULL;
	constraints.count = 0;
	variants = ff_compile_variants(&arena, array_argument(fcinfo, 3, "variants"), "rule");
	(void) ff_compile_rule(&arena, name, ff_json_root(parameters), constraints, NULL, 0,
						   variants, "rule");
	MemoryContextDelete(cxt);
	PG_RETURN_BOOL(true);
}
