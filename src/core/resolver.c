/*
 * resolver.c
 *      The evaluation order of the FlagForge reference library.
 *
 * This is the one place that decides a flag.  It is deliberately free of
 * PostgreSQL types (unit tested in test/unit/test_resolver.c) and of
 * allocation, so that the SQL layer can call it once per row.
 *
 * Kept on purpose from the reference: a rollout only narrows a flag that is
 * already on.  default_enabled false with rollout_percentage 20 is off for
 * everyone, and rollout 0 means "no bucketing", i.e. on for everyone.
 */
#include <stdlib.h>
#include <string.h>

#include "murmur3.h"
#include "resolver.h"
#include "targeting.h"

/* Byte-wise order of two strings (shorter first on a common prefix). */
int
ff_str_compare(FFStr a, FFStr b)
{
	size_t		common = a.len < b.len ? a.len : b.len;
	int			cmp = common > 0 ? memcmp(a.ptr, b.ptr, common) : 0;

	if (cmp != 0)
		return cmp;
	return (a.len > b.len) - (a.len < b.len);
}

/* True when a and b hold the same bytes. */
bool
ff_str_equal(FFStr a, FFStr b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* qsort adapter for ff_str_compare. */
static int
compare_str_items(const void *a, const void *b)
{
	return ff_str_compare(*(const FFStr *) a, *(const FFStr *) b);
}

/* Sort a list in place for ff_strlist_contains. */
void
ff_strlist_sort(FFStr *items, size_t count)
{
	if (count > 1)
		qsort(items, count, sizeof(FFStr), compare_str_items);
}

/* Binary search in a sorted list. */
bool
ff_strlist_contains(FFStrList sorted, FFStr s)
{
	size_t		lo = 0;
	size_t		hi = sorted.count;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		int			cmp = ff_str_compare(sorted.items[mid], s);

		if (cmp == 0)
			return true;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Linear search, for short unsorted lists such as a flag's environments. */
static bool
strlist_contains_unsorted(FFStrList list, FFStr s)
{
	for (size_t i = 0; i < list.count; i++)
		if (ff_str_equal(list.items[i], s))
			return true;
	return false;
}

/* The bucket function (see resolver.h). */
FFBucketFunction ff_resolver_bucket = ff_bucket;

/* rollout(p) of the reference: 0 and >= 100 are on for everyone. */
bool
ff_rollout_needs_bucket(int percentage)
{
	return percentage != 0 && percentage < 100;
}

/* A decision with no bucket and no rule. */
static inline FFDecision
decision(bool value, FFStep step, bool had_override)
{
	FFDecision	d;

	d.value = value;
	d.step = step;
	d.had_override = had_override;
	d.bucket = -1;
	d.rule_index = -1;
	d.prerequisite_index = -1;
	d.rule = NULL;
	return d;
}

/* Apply rollout(percentage) and record how it decided. */
static FFDecision
decide_rollout(const FFFlag *flag, const FFContext *ctx, int percentage,
			   FFStep static_step, FFStep rollout_step, bool had_override)
{
	FFDecision	d = decision(true, static_step, had_override);

	if (ff_rollout_needs_bucket(percentage))
	{
		d.bucket = ff_resolver_bucket(ctx->tenant.ptr, ctx->tenant.len,
									  flag->key.ptr, flag->key.len,
									  ctx->has_user ? ctx->user.ptr : NULL,
									  ctx->has_user ? ctx->user.len : 0);
		d.value = d.bucket < percentage;
		d.step = rollout_step;
	}
	return d;
}

/* The definition's default, narrowed by its rollout. */
static FFDecision
decide_default(const FFFlag *flag, const FFContext *ctx, bool had_override)
{
	if (!flag->default_enabled)
		return decision(false, FF_STEP_DEFAULT_OFF, had_override);
	return decide_rollout(flag, ctx, flag->rollout_percentage,
						  FF_STEP_DEFAULT_ON, FF_STEP_DEFAULT_ROLLOUT, had_override);
}

/* True when one of the context's groups is a target of the override. */
static bool
any_group_targeted(const FFOverride *override, const FFContext *ctx)
{
	for (size_t i = 0; i < ctx->groups.count; i++)
		if (ff_strlist_contains(override->groups, ctx->groups.items[i]))
			return true;
	return false;
}

/* Where a rule's variant goes when the caller wants it (NULL: nowhere). */
typedef struct RuleVariant
{
	FFVariantChoice choice;
	bool		has_choice;
} RuleVariant;

/*
 * The first of rules that matches ctx, or -1; its variant into *variant
 * when wanted.
 */
static int
first_matching_rule(const FFRule *const *rules, size_t nrules, const FFFlag *flag,
					const FFContext *ctx, RuleVariant *variant)
{
	for (size_t i = 0; i < nrules; i++)
	{
		RuleVariant scratch;
		RuleVariant *into = variant ? variant : &scratch;

		into->has_choice = false;
		if (ff_rule_matches(rules[i], flag->key, ctx, &into->choice, &into->has_choice))
			return (int) i;
	}
	return -1;
}

static FFDecision decide(const FFFlag *flag, const FFOverride *override, const FFContext *ctx,
						 const FFResolveHost *host, RuleVariant *variant);

/*
 * Whether one prerequisite is met (Unleash's isParentDependencySatisfied):
 * a missing parent, or a parent that has prerequisites of its own, is not.
 */
static bool
prerequisite_met(const FFPrerequisite *p, const FFContext *ctx, const FFResolveHost *host)
{
	const FFFlag *parent = p->parent;
	const FFOverride *override;

	if (parent == NULL ||
		(parent->targeting != NULL && parent->targeting->nprerequisites > 0))
		return false;
	override = host ? host->override_of(host->arg, parent) : NULL;
	if (!p->enabled)
		return !decide(parent, override, ctx, host, NULL).value;
	if (p->variants.count > 0)
	{
		FFVariantResult v = ff_resolve_variant(parent, override, ctx, host, NULL);

		return v.feature_enabled && ff_strlist_contains(p->variants, v.variant.name);
	}
	return decide(parent, override, ctx, host, NULL).value;
}

/* The tenant's override (steps 4): targets, its rules, its switch; *decided false: no opinion. */
static FFDecision
decide_override(const FFFlag *flag, const FFOverride *override, const FFContext *ctx,
				RuleVariant *variant, bool *decided)
{
	int			rule;

	*decided = true;
	/* User targeting (an anonymous user is never targeted). */
	if (ctx->has_user && override->users.count > 0 &&
		ff_strlist_contains(override->users, ctx->user))
		return decision(true, FF_STEP_USER_TARGET, true);
	/* Group targeting. */
	if (any_group_targeted(override, ctx))
		return decision(true, FF_STEP_GROUP_TARGET, true);
	/* The override's own rules: the first match turns the flag on. */
	rule = first_matching_rule(override->rules, override->nrules, flag, ctx, variant);
	if (rule >= 0)
	{
		FFDecision	d = decision(true, FF_STEP_OVERRIDE_RULE, true);

		d.rule_index = rule;
		d.rule = override->rules[rule];
		return d;
	}
	/* The tenant's own switch, with its own rollout (NULL counts as 0). */
	if (override->enabled == FF_OPINION_OFF)
		return decision(false, FF_STEP_OVERRIDE_OFF, true);
	if (override->enabled == FF_OPINION_ON)
		return decide_rollout(flag, ctx,
							  override->rollout_percentage == FF_ROLLOUT_NULL ?
							  0 : override->rollout_percentage,
							  FF_STEP_OVERRIDE_ON, FF_STEP_OVERRIDE_ROLLOUT, true);
	*decided = false;			/* no opinion */
	return decision(false, FF_STEP_DEFAULT_OFF, true);
}

/* The decision order (README "How a flag is decided"); a matching rule's variant into *variant. */
static FFDecision
decide(const FFFlag *flag, const FFOverride *override, const FFContext *ctx,
	   const FFResolveHost *host, RuleVariant *variant)
{
	const FFTargeting *targeting = flag->targeting;
	bool		had_override = override != NULL;

	/* 1. The kill switch beats everything. */
	if (flag->kill_switch)
		return decision(false, FF_STEP_KILL_SWITCH, had_override);

	/* 2. Environment gate: a NULL environment is in no list. */
	if (flag->has_environments &&
		(!ctx->has_environment ||
		 !strlist_contains_unsorted(flag->environments, ctx->environment)))
		return decision(false, FF_STEP_ENVIRONMENT_GATE, had_override);

	/* 3. Every prerequisite must be met. */
	for (size_t i = 0; targeting != NULL && i < targeting->nprerequisites; i++)
		if (!prerequisite_met(&targeting->prerequisites[i], ctx, host))
		{
			FFDecision	d = decision(false, FF_STEP_PREREQUISITE, had_override);

			d.prerequisite_index = (int) i;
			return d;
		}

	/* 4. The tenant's override, unless it has no opinion. */
	if (override != NULL)
	{
		bool		decided;
		FFDecision	d = decide_override(flag, override, ctx, variant, &decided);

		if (decided)
			return d;
	}

	/* 5. The flag's rules: the first match turns it on, none matching: off. */
	if (targeting != NULL && targeting->nrules > 0)
	{
		int			rule = first_matching_rule(targeting->rules, targeting->nrules,
											   flag, ctx, variant);
		FFDecision	d = decision(rule >= 0, rule >= 0 ? FF_STEP_RULE : FF_STEP_NO_RULE,
								 had_override);

		d.rule_index = rule;
		d.rule = rule >= 0 ? targeting->rules[rule] : NULL;
		return d;
	}

	/* 6. No rules: the default, with the FlagForge rollout. */
	return decide_default(flag, ctx, had_override);
}

/* Decide flag for ctx; override is NULL when the tenant has none. */
FFDecision
ff_resolve(const FFFlag *flag, const FFOverride *override, const FFContext *ctx)
{
	return decide(flag, override, ctx, NULL, NULL);
}

/* ff_resolve, with the host that finds prerequisites' overrides. */
FFDecision
ff_resolve_with(const FFFlag *flag, const FFOverride *override, const FFContext *ctx,
				const FFResolveHost *host)
{
	return decide(flag, override, ctx, host, NULL);
}

/* The flag's decision and its variant (see targeting.h). */
FFVariantResult
ff_resolve_variant(const FFFlag *flag, const FFOverride *override, const FFContext *ctx,
				   const FFResolveHost *host, FFDecision *decision_out)
{
	static const char disabled[] = "disabled";
	FFVariantResult result;
	RuleVariant rule_variant = {{{NULL, 0}, false, {NULL, 0}, {NULL, 0}}, false};
	FFDecision	d = decide(flag, override, ctx, host, &rule_variant);
	const FFVariants *variants = flag->targeting ? flag->targeting->variants : NULL;

	if (decision_out)
		*decision_out = d;
	memset(&result, 0, sizeof(result));
	result.variant.name.ptr = disabled;
	result.variant.name.len = sizeof(disabled) - 1;
	result.feature_enabled = d.value;
	if (!d.value)
		return result;
	if (d.rule != NULL && rule_variant.has_choice)
	{
		result.variant = rule_variant.choice;
		result.enabled = true;
		return result;
	}
	if (variants != NULL)
	{
		FFVariantChoice chosen;

		if (ff_variants_select(variants, flag->key, ff_variants_stickiness(variants), ctx,
							   &chosen))
		{
			result.variant = chosen;
			result.enabled = true;
		}
	}
	return result;
}

/* Just the answer of ff_resolve. */
bool
ff_is_enabled(const FFFlag *flag, const FFOverride *override, const FFContext *ctx)
{
	return ff_resolve(flag, override, ctx).value;
}

/*
 * What each step is called, in explain's "step" and in OpenFeature's
 * resolution reasons, in FFStep's order.
 */
static const struct
{
	const char *name;			/* stable, for explain and the CLI */
	const char *reason;			/* OpenFeature's resolution reason */
}			step_info[] =
{
	[FF_STEP_UNKNOWN_FLAG] = {"unknown_flag", "ERROR"},
	[FF_STEP_ENVIRONMENT_GATE] = {"environment_gate", "DISABLED"},
	[FF_STEP_DEFAULT_OFF] = {"default_off", "DEFAULT"},
	[FF_STEP_DEFAULT_ON] = {"default_on", "STATIC"},
	[FF_STEP_DEFAULT_ROLLOUT] = {"default_rollout", "SPLIT"},
	[FF_STEP_USER_TARGET] = {"user_target", "TARGETING_MATCH"},
	[FF_STEP_GROUP_TARGET] = {"group_target", "TARGETING_MATCH"},
	[FF_STEP_OVERRIDE_OFF] = {"override_off", "DISABLED"},
	[FF_STEP_OVERRIDE_ON] = {"override_on", "TARGETING_MATCH"},
	[FF_STEP_OVERRIDE_ROLLOUT] = {"override_rollout", "SPLIT"},
	[FF_STEP_KILL_SWITCH] = {"kill_switch", "DISABLED"},
	[FF_STEP_PREREQUISITE] = {"prerequisite", "PREREQUISITE_FAILED"},
	[FF_STEP_OVERRIDE_RULE] = {"override_rule", "TARGETING_MATCH"},
	[FF_STEP_RULE] = {"rule", "TARGETING_MATCH"},
	[FF_STEP_NO_RULE] = {"no_rule_matched", "DEFAULT"},
};

/* True when step is one of FFStep's values. */
static bool
step_is_known(FFStep step)
{
	return (unsigned) step < sizeof(step_info) / sizeof(step_info[0]) &&
		step_info[step].name != NULL;
}

/* A stable name for a step ("environment_gate", "user_target", ...). */
const char *
ff_step_name(FFStep step)
{
	return step_is_known(step) ? step_info[step].name : "unknown";
}

/* The OpenFeature resolution reason of a step (DISABLED, TARGETING_MATCH, SPLIT, ...). */
const char *
ff_step_reason(FFStep step)
{
	return step_is_known(step) ? step_info[step].reason : "UNKNOWN";
}
