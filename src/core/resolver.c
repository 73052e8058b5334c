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

/* Apply rollout(percentage) and record how it decided. */
static FFDecision
decide_rollout(const FFFlag *flag, const FFContext *ctx, int percentage,
			   FFStep static_step, FFStep rollout_step)
{
	FFDecision	d = {true, static_step, false, -1};

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

/* Steps 2 and 6: the definition's default, narrowed by its rollout. */
static FFDecision
decide_default(const FFFlag *flag, const FFContext *ctx)
{
	FFDecision	off = {false, FF_STEP_DEFAULT_OFF, false, -1};

	if (!flag->default_enabled)
		return off;
	return decide_rollout(flag, ctx, flag->rollout_percentage,
						  FF_STEP_DEFAULT_ON, FF_STEP_DEFAULT_ROLLOUT);
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

/* Decide flag for ctx; override is NULL when the tenant has none. */
FFDecision
ff_resolve(const FFFlag *flag, const FFOverride *override, const FFContext *ctx)
{
	FFDecision	d;

	/* 1. Environment gate: a NULL environment is in no list. */
	if (flag->has_environments &&
		(!ctx->has_environment ||
		 !strlist_contains_unsorted(flag->environments, ctx->environment)))
	{
		d.value = false;
		d.step = FF_STEP_ENVIRONMENT_GATE;
		d.had_override = override != NULL;
		d.bucket = -1;
		return d;
	}

	/* 2. No override: the default. */
	if (override == NULL)
		return decide_default(flag, ctx);

	d.had_override = true;
	d.bucket = -1;

	/* 3. User targeting (an anonymous user is never targeted). */
	if (ctx->has_user && ff_strlist_contains(override->users, ctx->user))
	{
		d.value = true;
		d.step = FF_STEP_USER_TARGET;
		return d;
	}

	/* 4. Group targeting. */
	if (any_group_targeted(override, ctx))
	{
		d.value = true;
		d.step = FF_STEP_GROUP_TARGET;
		return d;
	}

	/* 5. The tenant's own switch, with its own rollout (NULL counts as 0). */
	if (override->enabled == FF_OPINION_OFF)
	{
		d.value = false;
		d.step = FF_STEP_OVERRIDE_OFF;
		return d;
	}
	if (override->enabled == FF_OPINION_ON)
	{
		int			percentage = override->rollout_percentage == FF_ROLLOUT_NULL ?
			0 : override->rollout_percentage;

		d = decide_rollout(flag, ctx, percentage,
						   FF_STEP_OVERRIDE_ON, FF_STEP_OVERRIDE_ROLLOUT);
		d.had_override = true;
		return d;
	}

	/* 6. No opinion: as if there were no override. */
	d = decide_default(flag, ctx);
	d.had_override = true;
	return d;
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
