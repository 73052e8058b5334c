/*
 * strategy.c
 *      Unleash's activation strategies (flagforge's rules), compiled once
 *      and tested per call as the Node SDK's lib/strategy/ files do:
 *      constraints first, then the strategy's own test; an unknown strategy
 *      never matches.
 *
 * Percentages are JavaScript's Number(parameter): absent is NaN and never
 * matches; present but not a number from 0 to 100 is a compile error.  The
 * normalized value is MurmurHash3 x86_32 (seed 0) of the UTF-8 bytes of
 * "groupId:id", % 100 + 1, enabled when it is at most the percentage.
 */
#define _POSIX_C_SOURCE 200112L	/* gethostname */

#include <string.h>
#include <unistd.h>

#include "murmur3.h"
#include "targeting_internal.h"

#define STRATEGY_SEED 0
#define HOSTNAME_MAX 256
#define RANDOM_STICKINESS_RANGE 10001

struct FFRule
{
	FFStrategyKind kind;
	FFStr		name;			/* the strategy's name as written */
	const FFConstraint *const *constraints;
	size_t		nconstraints;
	const FFConstraintSet *const *segments;	/* referenced, not copied; NULL: missing */
	size_t		nsegments;
	const FFVariants *variants;
	bool		has_percentage; /* false: NaN, never enabled */
	double		percentage;		/* rollout or percentage */
	bool		has_group_id;
	FFStr		group_id;
	bool		has_stickiness;
	FFStr		stickiness;
	FFStr	   *list;			/* userIds, IPs or hostNames, split */
	size_t		nlist;
	FFCidr	   *ranges;			/* remoteAddress: IPs parsed */
	FFStr		hostname;		/* applicationHostname: this host, lower case */
};

/* The strategies by name, in FFStrategyKind order. */
static const char *const strategy_names[] = {
	"unknown", "default", "userWithId", "flexibleRollout", "gradualRolloutUserId",
	"gradualRolloutSessionId", "gradualRolloutRandom", "remoteAddress", "applicationHostname"
};

/* The value of parameter name, when the rule has it and it is not empty ("" is falsy in JavaScript). */
static bool
parameter(const FFRuleSpec *spec, const char *name, FFStr *value)
{
	for (size_t i = 0; i < spec->nparameters; i++)
		if (ff_str_is(spec->parameter_names[i], name))
		{
			*value = spec->parameter_values[i];
			return value->len > 0;
		}
	return false;
}

/*
 * Split a parameter as JavaScript's split(/\s*,\s* /) does (white space
 * next to a comma goes, at the two ends it stays), lower-cased when lower.
 */
static size_t
split_list(FFArena *arena, FFStr s, bool lower, FFStr **out)
{
	size_t		n = 1;
	size_t		start = 0;
	size_t		k = 0;

	for (size_t i = 0; i < s.len; i++)
		n += s.ptr[i] == ',';
	*out = arena->alloc(arena->cx, sizeof(FFStr) * n);
	for (size_t i = 0; i <= s.len; i++)
	{
		FFStr		item = {s.ptr + start, i - start};

		if (i < s.len && s.ptr[i] != ',')
			continue;
		item = ff_js_trim_sides(item, start > 0, i < s.len);
		(*out)[k++] = ff_arena_str(arena, item, lower);
		start = i + 1;
	}
	return k;
}

/* The percentage parameter (rollout or percentage): absent is NaN; present must be 0..100. */
static bool
compile_percentage(const FFRuleSpec *spec, const char *name, FFRule *rule,
				   char *err, size_t errlen)
{
	FFStr		text = {NULL, 0};
	bool		present = false;

	for (size_t i = 0; i < spec->nparameters && !present; i++)
		if (ff_str_is(spec->parameter_names[i], name))
		{
			text = spec->parameter_values[i];
			present = true;
		}
	if (!present)
		return true;
	if (!ff_js_number(text, &rule->percentage) || !(rule->percentage >= 0 && rule->percentage <= 100))
		return ff_targeting_error(err, errlen, "strategy \"%s\": parameter \"%s\" is not a number from 0 to 100: \"%.*s\"",
								  strategy_names[rule->kind], name, (int) text.len, text.ptr);
	rule->has_percentage = true;
	return true;
}

/* This host's name as Unleash's applicationHostname sees it (lower case; "undefined" when unknown). */
static FFStr
host_name(FFArena *arena)
{
	char		name[HOSTNAME_MAX + 1];

	if (gethostname(name, HOSTNAME_MAX) != 0 || name[0] == '\0')
		strcpy(name, "undefined");
	name[HOSTNAME_MAX] = '\0';
	return ff_arena_str(arena, (FFStr) {name, strlen(name)}, true);
}

/* The parameters each strategy reads, compiled into rule. */
static bool
compile_parameters(FFArena *arena, const FFRuleSpec *spec, FFRule *rule,
				   char *err, size_t errlen)
{
	FFStr		value;

	rule->has_group_id = parameter(spec, "groupId", &rule->group_id);
	rule->has_stickiness = parameter(spec, "stickiness", &rule->stickiness);
	switch (rule->kind)
	{
		case FF_STRATEGY_FLEXIBLE_ROLLOUT:
			return compile_percentage(spec, "rollout", rule, err, errlen);
		case FF_STRATEGY_GRADUAL_ROLLOUT_USER_ID:
		case FF_STRATEGY_GRADUAL_ROLLOUT_SESSION_ID:
		case FF_STRATEGY_GRADUAL_ROLLOUT_RANDOM:
			return compile_percentage(spec, "percentage", rule, err, errlen);
		case FF_STRATEGY_USER_WITH_ID:
			if (parameter(spec, "userIds", &value))
				rule->nlist = split_list(arena, value, false, &rule->list);
			return true;
		case FF_STRATEGY_REMOTE_ADDRESS:
			if (parameter(spec, "IPs", &value))
				rule->nlist = split_list(arena, value, false, &rule->list);
			rule->ranges = arena->alloc(arena->cx, sizeof(FFCidr) * (rule->nlist + 1));
			for (size_t i = 0; i < rule->nlist; i++)
				ff_cidr_parse(rule->list[i], &rule->ranges[i]);
			return true;
		case FF_STRATEGY_APPLICATION_HOSTNAME:
			if (parameter(spec, "hostNames", &value))
				rule->nlist = split_list(arena, value, true, &rule->list);
			rule->hostname = host_name(arena);
			return true;
		default:
			return true;
	}
}

/* Compile a rule; false with err when malformed (a rollout or percentage that is not 0..100). */
bool
ff_rule_compile(FFArena *arena, const FFRuleSpec *spec, const FFRule **out,
				char *err, size_t errlen)
{
	FFRule	   *rule = arena->alloc(arena->cx, sizeof(FFRule));
	const FFConstraint **constraints;

	memset(rule, 0, sizeof(*rule));
	rule->kind = FF_STRATEGY_UNKNOWN;
	rule->name = ff_arena_str(arena, spec->strategy_name, false);
	for (size_t i = 1; i < sizeof(strategy_names) / sizeof(strategy_names[0]); i++)
		if (ff_str_is(spec->strategy_name, strategy_names[i]))
			rule->kind = (FFStrategyKind) i;
	constraints = arena->alloc(arena->cx, sizeof(FFConstraint *) * (spec->nconstraints + 1));
	for (size_t i = 0; i < spec->nconstraints; i++)
		constraints[i] = spec->constraints[i];
	rule->constraints = constraints;
	rule->nconstraints = spec->nconstraints;
	if (spec->nsegments > 0)
	{
		const FFConstraintSet **segments = arena->alloc(arena->cx,
														sizeof(FFConstraintSet *) * spec->nsegments);

		for (size_t i = 0; i < spec->nsegments; i++)
			segments[i] = spec->segments[i];
		rule->segments = segments;
		rule->nsegments = spec->nsegments;
	}
	rule->variants = spec->variants;
	if (!compile_parameters(arena, spec, rule, err, errlen))
		return false;
	if (rule->has_group_id)
		rule->group_id = ff_arena_str(arena, rule->group_id, false);
	if (rule->has_stickiness)
		rule->stickiness = ff_arena_str(arena, rule->stickiness, false);
	*out = rule;
	return true;
}

/* The strategy name of a compiled rule, as written (for explain). */
FFStr
ff_rule_name(const FFRule *rule)
{
	return rule->name;
}

/* The kind of a compiled rule (for explain). */
FFStrategyKind
ff_rule_kind(const FFRule *rule)
{
	return rule->kind;
}

/* Unleash's normalizedValue: murmur3("group_id:id", seed) % modulus + 1. */
uint32_t
ff_normalized_value(FFStr id, FFStr group_id, uint32_t modulus, uint32_t seed)
{
	FFMurmur3	state;

	ff_murmur3_init(&state, seed);
	ff_murmur3_update(&state, group_id.ptr, group_id.len);
	ff_murmur3_update(&state, ":", 1);
	ff_murmur3_update(&state, id.ptr, id.len);
	return ff_murmur3_final(&state) % modulus + 1;
}

/* percentage > 0 && normalizedStrategyValue(id, group) <= percentage. */
static bool
in_rollout(const FFRule *rule, FFStr id, FFStr group)
{
	return rule->has_percentage && rule->percentage > 0 &&
		ff_normalized_value(id, group, 100, STRATEGY_SEED) <= rule->percentage;
}

/* FlexibleRolloutStrategy.isEnabled (a missing or empty stickiness id is off). */
static bool
flexible_rollout(const FFRule *rule, FFStr flag_key, const FFContext *ctx)
{
	char		buf[16];
	FFStr		id = {NULL, 0};
	bool		random = rule->has_stickiness && ff_str_is(rule->stickiness, "random");

	if (!rule->has_stickiness || ff_str_is(rule->stickiness, "default"))
	{
		if (ctx->has_user && ctx->user.len > 0)
			id = ctx->user;
		else if (ff_context_extra(ctx)->has_session_id && ff_context_extra(ctx)->session_id.len > 0)
			id = ff_context_extra(ctx)->session_id;
		else
			random = true;
	}
	else if (!random && !ff_context_value(ctx, rule->stickiness, &id))
		return false;
	if (random)
		id = ff_random_id(buf, RANDOM_STICKINESS_RANGE);
	if (id.len == 0)
		return false;
	return in_rollout(rule, id, rule->has_group_id ? rule->group_id : flag_key);
}

/* True when a list entry equals s. */
static bool
list_contains(const FFRule *rule, FFStr s)
{
	for (size_t i = 0; i < rule->nlist; i++)
		if (ff_str_equal(rule->list[i], s))
			return true;
	return false;
}

/* RemoteAddressStrategy.isEnabled: the same text, or an IPv4 address inside an IPv4 range. */
static bool
remote_address(const FFRule *rule, const FFContext *ctx)
{
	FFCidr		address;
	bool		parsed = ff_context_extra(ctx)->has_remote_address && ff_cidr_parse(ff_context_extra(ctx)->remote_address, &address);

	for (size_t i = 0; i < rule->nlist; i++)
	{
		const FFCidr *range = &rule->ranges[i];

		if (ff_context_extra(ctx)->has_remote_address && ff_str_equal(rule->list[i], ff_context_extra(ctx)->remote_address))
			return true;
		if (parsed && range->family == 4 && address.family == 4 &&
			address.prefix >= range->prefix && ff_cidr_contains(range, &address))
			return true;
	}
	return false;
}

/* The strategy's own test (Strategy.isEnabled of each kind). */
static bool
strategy_enabled(const FFRule *rule, FFStr flag_key, const FFContext *ctx)
{
	FFStr		empty = {"", 0};
	FFStr		group = rule->has_group_id ? rule->group_id : empty;

	switch (rule->kind)
	{
		case FF_STRATEGY_DEFAULT:
			return true;
		case FF_STRATEGY_USER_WITH_ID:
			return ctx->has_user && list_contains(rule, ctx->user);
		case FF_STRATEGY_FLEXIBLE_ROLLOUT:
			return flexible_rollout(rule, flag_key, ctx);
		case FF_STRATEGY_GRADUAL_ROLLOUT_USER_ID:
			return ctx->has_user && ctx->user.len > 0 && in_rollout(rule, ctx->user, group);
		case FF_STRATEGY_GRADUAL_ROLLOUT_SESSION_ID:
			return ff_context_extra(ctx)->has_session_id && ff_context_extra(ctx)->session_id.len > 0 &&
				in_rollout(rule, ff_context_extra(ctx)->session_id, group);
		case FF_STRATEGY_GRADUAL_ROLLOUT_RANDOM:
			return rule->has_percentage &&
				rule->percentage >= (double) (ff_targeting_random() % 100 + 1);
		case FF_STRATEGY_REMOTE_ADDRESS:
			return remote_address(rule, ctx);
		case FF_STRATEGY_APPLICATION_HOSTNAME:
			return list_contains(rule, rule->hostname);
		default:
			return false;
	}
}

/*
 * True when the rule matches ctx for flag_key (Strategy.getResult); with
 * variants, *choice is the one picked with the rule's groupId (or flag_key)
 * and the first variant's stickiness, else the rule's.
 */
bool
ff_rule_matches(const FFRule *rule, FFStr flag_key, const FFContext *ctx,
				FFVariantChoice *choice, bool *has_choice)
{
	const FFStr *stickiness;

	*has_choice = false;
	if (!ff_constraints_match(rule->constraints, rule->nconstraints, ctx))
		return false;
	/* A segment's constraints hold too; a missing segment never matches (Unleash). */
	for (size_t i = 0; i < rule->nsegments; i++)
		if (rule->segments[i] == NULL ||
			!ff_constraints_match(rule->segments[i]->items, rule->segments[i]->count, ctx))
			return false;
	if (!strategy_enabled(rule, flag_key, ctx))
		return false;
	if (rule->variants != NULL)
	{
		stickiness = ff_variants_stickiness(rule->variants);
		if (stickiness == NULL && rule->has_stickiness)
			stickiness = &rule->stickiness;
		*has_choice = ff_variants_select(rule->variants,
										 rule->has_group_id ? rule->group_id : flag_key,
										 stickiness, ctx, choice);
	}
	return true;
}

/* The share of contexts the strategy alone lets through (see ff_rule_share_guess). */
static double
strategy_share_guess(const FFRule *rule)
{
	switch (rule->kind)
	{
		case FF_STRATEGY_DEFAULT:
			return 1.0;
		case FF_STRATEGY_FLEXIBLE_ROLLOUT:
		case FF_STRATEGY_GRADUAL_ROLLOUT_USER_ID:
		case FF_STRATEGY_GRADUAL_ROLLOUT_SESSION_ID:
		case FF_STRATEGY_GRADUAL_ROLLOUT_RANDOM:
			return rule->has_percentage && rule->percentage > 0 ? rule->percentage / 100.0 : 0.0;
		case FF_STRATEGY_USER_WITH_ID:
		case FF_STRATEGY_REMOTE_ADDRESS:
			return rule->nlist > 0 ? FF_RULE_LIST_SHARE : 0.0;
		case FF_STRATEGY_APPLICATION_HOSTNAME:
			return list_contains(rule, rule->hostname) ? 1.0 : 0.0;
		default:
			return 0.0;
	}
}

/* A guess of the share of contexts rule matches, for the planner (see targeting.h). */
double
ff_rule_share_guess(const FFRule *rule)
{
	double		share = strategy_share_guess(rule);

	for (size_t i = 0; i < rule->nsegments; i++)
		if (rule->segments[i] == NULL)
			return 0.0;
	if (rule->nconstraints > 0 || rule->nsegments > 0)
		share *= FF_RULE_CONSTRAINT_SHARE;
	return share;
}
