/*
 * planner_support.c
 *      The planner support function of the evaluation functions
 *      (flagforge_is_enabled in its tenant and jsonb context forms): what
 *      share of the rows a flag lets through, and what a call costs.
 *
 * Without it PostgreSQL plans WHERE flagforge_is_enabled('beta', t, u) at
 * a third of the rows whatever the flag says.  With a constant key the
 * estimate follows the decision order (README "How a flag is decided")
 * from the cached definition and the flag's overrides:
 *   - a kill switch, an environment gate the (constant or settings')
 *     environment fails, or a prerequisite that cannot be met: ~0;
 *   - a tenant that overrides the flag: the share its override lets
 *     through (its user and group targets when the user or groups are
 *     constants, its rules' guessed share, off, on or its rollout);
 *   - every other tenant: the flag's default share (its rules' guessed
 *     share, off, on or its rollout p/100);
 * and the tenants are weighed by the tenant column's statistics when the
 * tenant argument is a column: each most common value by its frequency,
 * the overriding tenants among the rest by the column's n_distinct, like
 * var_eq_const.  Nothing here runs user code or raises an error for odd
 * arguments: what cannot be known gives PostgreSQL's default (NULL).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/selfuncs.h"

#include "cache.h"
#include "settings.h"
#include "targeting.h"

PG_FUNCTION_INFO_V1(flagforge_planner_support);

/*
 * The cost of one call of flagforge_is_enabled in units of
 * cpu_operator_cost (a builtin such as hashtext costs 1): measured as
 * ns/row of a gating scan over 1M rows against hashtext over the same rows
 * (README "Planner support").
 */
#define FF_CALL_COST 2.0

/* Never 0: a flag that lets nothing through is estimated at this share. */
#define FF_MIN_SELECTIVITY 1.0e-6

/* What the planner knows of one argument of the call. */
typedef enum FFPlanArgKind
{
	FF_ARG_ABSENT,				/* NULL or not given (a tenant or environment: no setting either) */
	FF_ARG_CONST,				/* a known string */
	FF_ARG_EXPR					/* known only at run time (expr: the expression, or NULL) */
} FFPlanArgKind;

/* One argument of the call as the planner sees it. */
typedef struct FFPlanArg
{
	FFPlanArgKind kind;
	FFStr		value;			/* FF_ARG_CONST */
	Node	   *expr;			/* FF_ARG_EXPR: the expression, when it is one of ours */
} FFPlanArg;

/* The call being estimated. */
typedef struct FFPlanCall
{
	FFStr		key;
	FFPlanArg	tenant;
	FFPlanArg	user;
	FFPlanArg	environment;
	FFStrList	groups;			/* constant groups (empty: none, or not known) */
} FFPlanCall;

/* The planner's view of the tenants: where their statistics come from. */
typedef struct FFPlanTenants
{
	PlannerInfo *root;
	int			varRelid;
} FFPlanTenants;

/* The sum and count of the shares of a flag's overrides (ff_cache_flag_overrides_foreach). */
typedef struct FFOverrideTally
{
	const FFCachedFlag *flag;
	const FFPlanCall *call;
	double		sum;
	int			count;
} FFOverrideTally;

/* Argument n of the call, or a NULL constant when it has fewer. */
static Node *
nth_arg(List *args, int n)
{
	if (n < list_length(args))
		return (Node *) list_nth(args, n);
	return (Node *) makeNullConst(TEXTOID, -1, InvalidOid);
}

/*
 * The string of a non-NULL text constant, or of a literal left unknown (as
 * jsonb_build_object's "any" arguments are); false for anything else.
 */
static bool
const_string(Node *node, FFStr *key)
{
	Const	   *c = (Const *) node;

	if (!IsA(node, Const) || c->constisnull)
		return false;
	if (c->consttype == UNKNOWNOID)
	{
		key->ptr = DatumGetCString(c->constvalue);
		key->len = strlen(key->ptr);
		return true;
	}
	if (c->consttype == TEXTOID || c->consttype == VARCHAROID)
	{
		text	   *t = DatumGetTextPP(c->constvalue);

		key->ptr = VARDATA_ANY(t);
		key->len = VARSIZE_ANY_EXHDR(t);
		return true;
	}
	return false;
}

/* A string argument the planner sees: an FF_ARG_CONST from a text Const, else by its kind. */
static FFPlanArg
plan_text_arg(Node *node)
{
	FFPlanArg	arg = {FF_ARG_EXPR, {NULL, 0}, node};

	if (node != NULL && IsA(node, Const))
	{
		if (((Const *) node)->constisnull)
			arg.kind = FF_ARG_ABSENT;
		else if (const_string(node, &arg.value))
			arg.kind = FF_ARG_CONST;
		else
			arg.expr = NULL;	/* a constant of another type: not known as text */
	}
	return arg;
}

/* An absent tenant or environment argument falls back to its setting, as evaluation does. */
static void
apply_setting(FFPlanArg *arg, const char *setting)
{
	if (arg->kind == FF_ARG_ABSENT && ff_setting_value(setting, &arg->value))
		arg->kind = FF_ARG_CONST;
}

/* The constant groups of a text[] Const (none for anything else). */
static FFStrList
plan_groups_arg(Node *node)
{
	FFStrList	list = {NULL, 0};
	Datum	   *items;
	bool	   *nulls;
	int			n;
	FFStr	   *strs;

	if (node == NULL || !IsA(node, Const) || ((Const *) node)->constisnull ||
		((Const *) node)->consttype != TEXTARRAYOID)
		return list;
	deconstruct_array(DatumGetArrayTypeP(((Const *) node)->constvalue), TEXTOID, -1, false,
					  TYPALIGN_INT, &items, &nulls, &n);
	strs = palloc(sizeof(FFStr) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			continue;
		t = DatumGetTextPP(items[i]);
		strs[list.count].ptr = VARDATA_ANY(t);
		strs[list.count].len = VARSIZE_ANY_EXHDR(t);
		list.count++;
	}
	list.items = strs;
	return list;
}

/* A field of a constant jsonb context: a string is a constant, absent or null is absent. */
static FFPlanArg
const_context_field(Jsonb *context, const char *name)
{
	FFPlanArg	arg = {FF_ARG_ABSENT, {NULL, 0}, NULL};
	JsonbValue	key;
	JsonbValue *value;

	if (!JB_ROOT_IS_OBJECT(context))
		return arg;
	key.type = jbvString;
	key.val.string.val = (char *) name;
	key.val.string.len = (int) strlen(name);
	value = findJsonbValueFromContainer(&context->root, JB_FOBJECT, &key);
	if (value == NULL || value->type == jbvNull)
		return arg;
	if (value->type == jbvString)
	{
		arg.kind = FF_ARG_CONST;
		arg.value.ptr = value->val.string.val;
		arg.value.len = value->val.string.len;
	}
	else
		arg.kind = FF_ARG_EXPR;
	return arg;
}

/*
 * A field of a jsonb_build_object(k1, v1, ...) context: the value after
 * the constant key name (absent when no key is name; unknown when a key
 * is not a constant).
 */
static FFPlanArg
built_context_field(FuncExpr *build, const char *name)
{
	FFPlanArg	arg = {FF_ARG_ABSENT, {NULL, 0}, NULL};
	for (int i = 0; i + 1 < list_length(build->args); i += 2)
	{
		FFStr		key;

		if (!const_string((Node *) list_nth(build->args, i), &key))
			arg.kind = FF_ARG_EXPR;
		else if (key.len == strlen(name) && memcmp(key.ptr, name, key.len) == 0)
			return plan_text_arg((Node *) list_nth(build->args, i + 1));
	}
	return arg;
}

/* A field of the jsonb context argument, as far as the planner can see it. */
static FFPlanArg
context_field(Node *context, const char *name)
{
	FFPlanArg	unknown = {FF_ARG_EXPR, {NULL, 0}, NULL};

	if (IsA(context, Const) && ((Const *) context)->consttype == JSONBOID)
	{
		if (((Const *) context)->constisnull)
			return unknown;
		return const_context_field(DatumGetJsonbP(((Const *) context)->constvalue), name);
	}
	if (IsA(context, FuncExpr) && ((FuncExpr *) context)->funcid == F_JSONB_BUILD_OBJECT_ANY &&
		!((FuncExpr *) context)->funcvariadic)
		return built_context_field((FuncExpr *) context, name);
	return unknown;
}

/*
 * Read the call's arguments: (key, tenant, user, groups, environment) or
 * (key, context jsonb).  False when the key is not a known constant.
 */
static bool
read_call(List *args, FFPlanCall *call)
{
	FFPlanArg	key;
	Node	   *second;

	if (list_length(args) < 2)
		return false;
	key = plan_text_arg((Node *) linitial(args));
	if (key.kind != FF_ARG_CONST)
		return false;
	call->key = key.value;
	second = (Node *) lsecond(args);
	call->groups.items = NULL;
	call->groups.count = 0;
	if (exprType(second) == JSONBOID)
	{
		call->tenant = context_field(second, "tenant");
		call->user = context_field(second, "userId");
		call->environment = context_field(second, "environment");
	}
	else
	{
		call->tenant = plan_text_arg(second);
		/* Arguments not given (defaults not yet inserted) are NULL. */
		call->user = plan_text_arg(nth_arg(args, 2));
		call->groups = plan_groups_arg(nth_arg(args, 3));
		call->environment = plan_text_arg(nth_arg(args, 4));
	}
	apply_setting(&call->tenant, ff_setting_tenant);
	apply_setting(&call->environment, ff_setting_environment);
	return true;
}

/* The share of rows rollout(p) lets through: p = 0 (or NULL) and p >= 100 are everyone. */
static double
rollout_share(int percentage)
{
	if (percentage == FF_ROLLOUT_NULL || !ff_rollout_needs_bucket(percentage))
		return 1.0;
	return percentage / 100.0;
}

/* The share of contexts the first of n rules to match lets through (one of them matches). */
static double
rules_share(const FFRule *const *rules, size_t n)
{
	double		none = 1.0;

	for (size_t i = 0; i < n; i++)
		none *= 1.0 - ff_rule_share_guess(rules[i]);
	return 1.0 - none;
}

/* Steps 5 and 6 for a tenant with no override: the flag's rules, else its default. */
static double
default_share(const FFCachedFlag *flag)
{
	const FFTargeting *targeting = flag->def.targeting;

	if (targeting != NULL && targeting->nrules > 0)
		return rules_share(targeting->rules, targeting->nrules);
	return flag->def.default_enabled ? rollout_share(flag->def.rollout_percentage) : 0.0;
}

/* True when the constant environment of the call passes the flag's environment gate. */
static bool
environment_passes(const FFFlag *def, const FFPlanArg *environment)
{
	if (!def->has_environments || environment->kind == FF_ARG_EXPR)
		return true;			/* no gate, or an environment known only at run time */
	if (environment->kind == FF_ARG_ABSENT)
		return false;
	for (size_t i = 0; i < def->environments.count; i++)
		if (ff_str_equal(def->environments.items[i], environment->value))
			return true;
	return false;
}

/* The share steps 1 and 2 (kill switch, environment gate) let through: 0 or 1. */
static double
gate_share(const FFFlag *def, const FFPlanCall *call)
{
	return !def->kill_switch && environment_passes(def, &call->environment) ? 1.0 : 0.0;
}

/*
 * The share of rows where a prerequisite is met: its parent's own share
 * (gates and default, not the tenant's override of the parent), or its
 * complement for enabled = false.  A missing parent, or one with
 * prerequisites of its own, is never met.
 */
static double
prerequisite_share(const FFPrerequisite *prerequisite, const FFPlanCall *call)
{
	const FFCachedFlag *parent = (const FFCachedFlag *) prerequisite->parent;
	double		on;

	if (parent == NULL ||
		(parent->def.targeting != NULL && parent->def.targeting->nprerequisites > 0))
		return 0.0;
	on = gate_share(&parent->def, call) * default_share(parent);
	return prerequisite->enabled ? on : 1.0 - on;
}

/* The share steps 1 to 3 let through: the gates times every prerequisite's share. */
static double
flag_gates_share(const FFCachedFlag *flag, const FFPlanCall *call)
{
	const FFTargeting *targeting = flag->def.targeting;
	double		share = gate_share(&flag->def, call);

	if (targeting != NULL)
		for (size_t i = 0; i < targeting->nprerequisites && share > 0; i++)
			share *= prerequisite_share(&targeting->prerequisites[i], call);
	return share;
}

/* True when a constant group of the call is one of the override's groups. */
static bool
groups_match(const FFOverride *override, const FFStrList *groups)
{
	for (size_t i = 0; i < groups->count; i++)
		if (ff_strlist_contains(override->groups, groups->items[i]))
			return true;
	return false;
}

/* Step 4 (and 6 when it has no opinion): the share a tenant's override lets through. */
static double
override_share(const FFCachedFlag *flag, const FFOverride *override, const FFPlanCall *call)
{
	double		rules;
	double		rest;

	if (call->user.kind == FF_ARG_CONST && ff_strlist_contains(override->users, call->user.value))
		return 1.0;
	if (groups_match(override, &call->groups))
		return 1.0;
	rules = rules_share(override->rules, override->nrules);
	if (override->enabled == FF_OPINION_OFF)
		rest = 0.0;
	else if (override->enabled == FF_OPINION_ON)
		rest = rollout_share(override->rollout_percentage);
	else
		rest = default_share(flag);
	return rules + (1.0 - rules) * rest;
}

/*
 * The share for one known tenant: its override's, else the flag's default.
 * Its overrides are read alone (as a query about one tenant reads them),
 * never every tenant's override of the flag.
 */
static double
tenant_share(const FFCachedFlag *flag, FFStr tenant_id, const FFPlanCall *call)
{
	const FFTenant *tenant = ff_cache_tenant(ff_cache_main_source(), tenant_id);
	const FFOverride *override = ff_tenant_override(tenant, flag->index);

	return override ? override_share(flag, override, call) : default_share(flag);
}

/* Add one override's share to the tally (an FFOverrideVisitor). */
static void
tally_override(void *arg, FFStr tenant_id, const FFOverride *override)
{
	FFOverrideTally *tally = (FFOverrideTally *) arg;

	tally->sum += override_share(tally->flag, override, tally->call);
	tally->count++;
}

/*
 * The sums of the overrides' shares of the flags last estimated, by key,
 * kept across cache states (the oldest replaced).  While the cache holds
 * (same flag, same ff_cache_epoch) a sum is exact and the overrides are not
 * walked again; after a change, it tells how many overrides the flag had
 * and stands in for them when reading them again would cost too much (see
 * stand_in_summary).
 */
#define FF_KEPT_SUMMARIES 32

typedef struct FFKeptSummary
{
	char	   *key;			/* NULL: unused */
	size_t		key_len;
	const FFCachedFlag *flag;	/* valid while epoch is ff_cache_epoch */
	uint64		epoch;
	double		sum;
	int			count;
} FFKeptSummary;

static FFKeptSummary kept_summaries[FF_KEPT_SUMMARIES];
static int	next_kept_summary = 0;

/* The kept summary of the flag with this key, or NULL. */
static FFKeptSummary *
find_kept_summary(FFStr key)
{
	for (int i = 0; i < FF_KEPT_SUMMARIES; i++)
		if (kept_summaries[i].key != NULL && kept_summaries[i].key_len == key.len &&
			memcmp(kept_summaries[i].key, key.ptr, key.len) == 0)
			return &kept_summaries[i];
	return NULL;
}

/* Keep the tally of a flag's overrides, in its own entry or the oldest one. */
static void
keep_summary(const FFCachedFlag *flag, const FFOverrideTally *tally)
{
	FFKeptSummary *kept = find_kept_summary(flag->def.key);

	if (kept == NULL)
	{
		kept = &kept_summaries[next_kept_summary];
		next_kept_summary = (next_kept_summary + 1) % FF_KEPT_SUMMARIES;
		if (kept->key != NULL)
			pfree(kept->key);
		kept->key = MemoryContextAlloc(TopMemoryContext, Max(flag->def.key.len, 1));
		memcpy(kept->key, flag->def.key.ptr, flag->def.key.len);
		kept->key_len = flag->def.key.len;
	}
	kept->flag = flag;
	kept->epoch = ff_cache_epoch;
	kept->sum = tally->sum;
	kept->count = tally->count;
}

/*
 * Tally the shares of every override of tally->flag: the kept sum while
 * the cache holds, else by walking them.  Only calls with no constant user
 * or groups are kept (the shares depend on nothing else).
 */
static void
tally_all_overrides(FFOverrideTally *tally)
{
	bool		keepable = tally->call->user.kind != FF_ARG_CONST && tally->call->groups.count == 0;
	FFKeptSummary *kept = keepable ? find_kept_summary(tally->flag->def.key) : NULL;

	if (kept != NULL && kept->flag == tally->flag && kept->epoch == ff_cache_epoch)
	{
		tally->sum = kept->sum;
		tally->count = kept->count;
		return;
	}
	ff_cache_flag_overrides_foreach(tally->flag, tally_override, tally);
	if (keepable)
		keep_summary(tally->flag, tally);
}

/* More overrides than the planner reads again after a change (see stand_in_summary). */
#define FF_PLAN_LOAD_MAX 1000

/*
 * The kept summary to estimate with instead of the flag's overrides, or
 * NULL to read them: when they are not in the cache (a change dropped
 * them) and the flag had more than FF_PLAN_LOAD_MAX at the last count,
 * reading them again would cost the planner more than a millisecond
 * (about a microsecond each), so their count and sum from then stand in,
 * without which tenants they are.  The first scan that evaluates the flag
 * reads them, and the next plan is exact again.
 */
static const FFKeptSummary *
stand_in_summary(const FFCachedFlag *flag)
{
	const FFKeptSummary *kept;

	if (flag->by_tenant_loaded)
		return NULL;
	kept = find_kept_summary(flag->def.key);
	return kept != NULL && kept->count > FF_PLAN_LOAD_MAX ? kept : NULL;
}

/*
 * The average share over n tenants of which count override with shares
 * summing to sum, the others at dflt (more overrides than tenants: an
 * average override each).
 */
static double
average_share(double n, double count, double sum, double dflt)
{
	n = Max(n, 1.0);
	if (count > n)
	{
		sum *= n / count;
		count = n;
	}
	return (sum + (n - count) * dflt) / n;
}

/* True when the statistics of vardata may be read as text tenants (not hidden by privileges). */
static bool
text_stats_usable(const VariableStatData *vardata)
{
	return HeapTupleIsValid(vardata->statsTuple) && vardata->acl_ok &&
		(vardata->atttype == TEXTOID || vardata->atttype == VARCHAROID);
}

/* The fraction of NULLs of a column with statistics (0 without). */
static double
null_fraction(const VariableStatData *vardata)
{
	if (!HeapTupleIsValid(vardata->statsTuple))
		return 0.0;
	return ((Form_pg_statistic) GETSTRUCT(vardata->statsTuple))->stanullfrac;
}

/*
 * The share of the most common tenants of a text column, each at its
 * frequency with its own override's share; adds their frequencies to
 * *freq, their number to *nmcv and the overriding ones to *in_mcv.
 */
static double
mcv_share(const VariableStatData *vardata, const FFCachedFlag *flag, const FFPlanCall *call,
		  double *freq, int *nmcv, FFOverrideTally *in_mcv)
{
	AttStatsSlot sslot;
	double		dflt = default_share(flag);
	double		share = 0.0;

	if (!text_stats_usable(vardata) ||
		!get_attstatsslot(&sslot, vardata->statsTuple, STATISTIC_KIND_MCV, InvalidOid,
						  ATTSTATSSLOT_VALUES | ATTSTATSSLOT_NUMBERS))
		return 0.0;
	*nmcv = Min(sslot.nvalues, sslot.nnumbers);
	for (int i = 0; i < *nmcv; i++)
	{
		text	   *t = DatumGetTextPP(sslot.values[i]);
		FFStr		tenant = {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
		const FFOverride *override = ff_cache_flag_override(flag, tenant);
		double		tenant_share = dflt;

		if (override)
		{
			tenant_share = override_share(flag, override, call);
			in_mcv->sum += tenant_share;
			in_mcv->count++;
		}
		share += sslot.numbers[i] * tenant_share;
		*freq += sslot.numbers[i];
	}
	free_attstatsslot(&sslot);
	return share;
}

/*
 * The share for a tenant column: each most common tenant at its frequency,
 * the rest (n_distinct of them) each at the same frequency, the overriding
 * ones among them at their overrides' shares, the others at the default;
 * NULL tenants (flagforge.tenant at run time) at the default.  With a
 * stand-in summary (no tenant known by name), every tenant alike.
 */
static double
column_share(const FFPlanTenants *tenants, Node *expr, const FFCachedFlag *flag,
			 const FFPlanCall *call, const FFKeptSummary *stand_in)
{
	FFOverrideTally all = {flag, call, 0.0, 0};
	FFOverrideTally in_mcv = {flag, call, 0.0, 0};
	VariableStatData vardata;
	double		dflt = default_share(flag);
	double		share = 0.0;
	double		mcv_freq = 0.0;
	double		nullfrac;
	int			nmcv = 0;
	double		ndistinct;
	bool		isdefault;

	examine_variable(tenants->root, expr, tenants->varRelid, &vardata);
	nullfrac = null_fraction(&vardata);
	if (stand_in != NULL)
	{
		all.sum = stand_in->sum;
		all.count = stand_in->count;
	}
	else
	{
		tally_all_overrides(&all);
		share = mcv_share(&vardata, flag, call, &mcv_freq, &nmcv, &in_mcv);
	}
	ndistinct = get_variable_numdistinct(&vardata, &isdefault);
	ReleaseVariableStats(vardata);

	share += Max(1.0 - mcv_freq - nullfrac, 0.0) *
		average_share(ndistinct - nmcv, all.count - in_mcv.count, all.sum - in_mcv.sum, dflt);
	return share + nullfrac * dflt;
}

/* The share of rows for which flag lets the call through (before the floor; -1: unknown). */
static double
flag_share(const FFPlanTenants *tenants, const FFCachedFlag *flag, const FFPlanCall *call)
{
	double		gates = flag_gates_share(flag, call);
	const FFKeptSummary *stand_in;

	if (gates <= 0.0)
		return 0.0;
	/* Overrides in tenant schemas are found through search_path at run time. */
	if (!ff_cache_no_tenant_schemas() || call->tenant.kind == FF_ARG_ABSENT)
		return gates * default_share(flag);
	if (call->tenant.kind == FF_ARG_CONST)
		return gates * tenant_share(flag, call->tenant.value, call);
	stand_in = stand_in_summary(flag);
	if (stand_in == NULL && !ff_cache_flag_has_overrides(flag))
		return gates * default_share(flag);
	if (call->tenant.expr == NULL)
		return -1.0;			/* a tenant we cannot see: PostgreSQL's default */
	return gates * column_share(tenants, call->tenant.expr, flag, call, stand_in);
}

/*
 * The selectivity of a call (restriction or join), or -1 when the planner
 * cannot know it (a key known only at run time, a tenant inside a jsonb
 * value): PostgreSQL's default then applies.
 */
static double
call_selectivity(SupportRequestSelectivity *req)
{
	FFPlanCall	call;
	FFPlanTenants tenants = {req->root, req->is_join ? 0 : req->varRelid};
	const FFCachedFlag *flag;
	double		share;

	if (!read_call(req->args, &call))
		return -1.0;
	ff_cache_begin();
	flag = ff_cache_find_flag(call.key);
	if (flag == NULL)
		return FF_MIN_SELECTIVITY;	/* an unknown key is off */
	share = flag_share(&tenants, flag, &call);
	if (share < 0.0)
		return -1.0;
	return Min(Max(share, FF_MIN_SELECTIVITY), 1.0);
}

/*
 * flagforge_planner_support(internal): the SUPPORT function of the
 * evaluation functions.  Answers SupportRequestSelectivity (the share of
 * rows the flag lets through) and SupportRequestCost (FF_CALL_COST
 * operators per call); NULL for every other request.
 */
Datum
flagforge_planner_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);

	if (IsA(rawreq, SupportRequestSelectivity))
	{
		SupportRequestSelectivity *req = (SupportRequestSelectivity *) rawreq;
		double		selectivity = call_selectivity(req);

		if (selectivity < 0.0)
			PG_RETURN_POINTER(NULL);
		req->selectivity = selectivity;
		PG_RETURN_POINTER(req);
	}
	if (IsA(rawreq, SupportRequestCost))
	{
		SupportRequestCost *req = (SupportRequestCost *) rawreq;

		req->startup = 0;
		req->per_tuple = FF_CALL_COST * cpu_operator_cost;
		PG_RETURN_POINTER(req);
	}
	PG_RETURN_POINTER(NULL);
}
