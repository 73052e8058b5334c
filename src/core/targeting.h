/*
 * targeting.h
 *      Unleash's targeting model, compiled once and evaluated per call:
 *      constraints (with their operators), strategies (flagforge's rules)
 *      and variants, as Unleash's client specification defines them.
 *
 * Plain C with no PostgreSQL types.  The server reads the rows (jsonb) and
 * hands their parts to the compile functions below, which check them (a bad
 * date, semver or number is an error, said in err) and pre-parse them, so
 * nothing is parsed per evaluation.  What Unleash itself tolerates is kept
 * and evaluates as the specification says: an unknown operator or strategy
 * never matches, an invalid regex or CIDR entry never matches.
 *
 * Memory: the compile functions allocate through an FFArena (the server's
 * cache memory); nothing is freed one by one except compiled regular
 * expressions, which the arena is told about (on_regex) so that their owner
 * frees them (ff_regex_free) when the memory goes.
 */
#ifndef FLAGFORGE_TARGETING_H
#define FLAGFORGE_TARGETING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolver.h"

/* Where compiled targeting lives. */
typedef struct FFArena
{
	void	   *(*alloc) (void *cx, size_t size);	/* never returns NULL */
	void		(*on_regex) (void *cx, void *regex);	/* a compiled regex to free later */
	void	   *cx;
} FFArena;

/* Room for a compile error message. */
#define FF_TARGETING_ERROR_MAX 256

/* Unleash's constraint operators (FF_OP_UNKNOWN: a name Unleash does not know). */
typedef enum FFOperator
{
	FF_OP_UNKNOWN = 0,
	FF_OP_IN,
	FF_OP_NOT_IN,
	FF_OP_STR_STARTS_WITH,
	FF_OP_STR_ENDS_WITH,
	FF_OP_STR_CONTAINS,
	FF_OP_NUM_EQ,
	FF_OP_NUM_GT,
	FF_OP_NUM_GTE,
	FF_OP_NUM_LT,
	FF_OP_NUM_LTE,
	FF_OP_DATE_AFTER,
	FF_OP_DATE_BEFORE,
	FF_OP_SEMVER_EQ,
	FF_OP_SEMVER_GT,
	FF_OP_SEMVER_LT,
	FF_OP_SEMVER_GTE,
	FF_OP_SEMVER_LTE,
	FF_OP_REGEX,
	FF_OP_IN_CIDR
} FFOperator;

/* The operator of a name, FF_OP_UNKNOWN when it is none of Unleash's. */
extern FFOperator ff_operator_from_name(FFStr name);

/* The name of an operator ("IN", ...; "UNKNOWN"). */
extern const char *ff_operator_name(FFOperator op);

/* A constraint as written (Unleash's JSON object). */
typedef struct FFConstraintSpec
{
	FFStr		context_name;
	FFStr		operator_name;
	bool		inverted;
	bool		case_insensitive;
	const FFStr *values;		/* "values" (may be empty) */
	size_t		nvalues;
	bool		has_value;		/* "value" present */
	FFStr		value;
} FFConstraintSpec;

/* A compiled constraint (opaque outside targeting). */
typedef struct FFConstraint FFConstraint;

/*
 * Compile spec into *out (allocated in arena).  False, with a message in err
 * naming the field, when the constraint is malformed: an empty context
 * name, a NUM_ value that is not a number, a DATE_ value that is not an
 * ISO 8601 timestamp, a SEMVER_ value that is not a semantic version, an
 * operator that needs "value" or "values" without it.
 */
extern bool ff_constraint_compile(FFArena *arena, const FFConstraintSpec *spec,
								  const FFConstraint **out, char *err, size_t errlen);

/* A constraint that never matches (a strategy's reference to a missing segment). */
extern const FFConstraint *ff_constraint_never(void);

/* True when ctx satisfies the constraint (Unleash's checkConstraint, "inverted" included). */
extern bool ff_constraint_matches(const FFConstraint *constraint, const FFContext *ctx);

/* Unleash's strategies (FF_STRATEGY_UNKNOWN: a name it does not know: never matches). */
typedef enum FFStrategyKind
{
	FF_STRATEGY_UNKNOWN = 0,
	FF_STRATEGY_DEFAULT,
	FF_STRATEGY_USER_WITH_ID,
	FF_STRATEGY_FLEXIBLE_ROLLOUT,
	FF_STRATEGY_GRADUAL_ROLLOUT_USER_ID,
	FF_STRATEGY_GRADUAL_ROLLOUT_SESSION_ID,
	FF_STRATEGY_GRADUAL_ROLLOUT_RANDOM,
	FF_STRATEGY_REMOTE_ADDRESS,
	FF_STRATEGY_APPLICATION_HOSTNAME
} FFStrategyKind;

/* A variant payload and override as written. */
typedef struct FFVariantOverrideSpec
{
	FFStr		context_name;
	const FFStr *values;
	size_t		nvalues;
} FFVariantOverrideSpec;

typedef struct FFVariantSpec
{
	FFStr		name;
	int			weight;			/* 0..1000 (as the features API gives it) */
	bool		fixed;			/* weightType "fix" */
	bool		has_stickiness;
	FFStr		stickiness;
	bool		has_payload;
	FFStr		payload_type;	/* string, json, csv, number */
	FFStr		payload_value;
	const FFVariantOverrideSpec *overrides;
	size_t		noverrides;
} FFVariantSpec;

/* A compiled list of variants (opaque outside targeting). */
typedef struct FFVariants FFVariants;

/* The largest total of a list's weights (Unleash's lists add up to 1000). */
#define FF_VARIANT_TOTAL_MAX 100000000

/* Compile a list of variants; false with err when malformed (a negative weight, an empty name). */
extern bool ff_variants_compile(FFArena *arena, const FFVariantSpec *specs, size_t n,
								const FFVariants **out, char *err, size_t errlen);

/* One variant chosen: what the spec's expectedResult shows. */
typedef struct FFVariantChoice
{
	FFStr		name;
	bool		has_payload;
	FFStr		payload_type;
	FFStr		payload_value;
} FFVariantChoice;

/*
 * Unleash's selectVariantDefinition: an override that matches the context
 * first, else by weight with MurmurHash3 (seed 86028157) of
 * "group_id:stickiness value" % total weight + 1.  stickiness NULL or
 * "default": userId, sessionId, remoteAddress, else random.  False when
 * there is none to choose (no variants, total weight 0).
 */
extern bool ff_variants_select(const FFVariants *variants, FFStr group_id,
							   const FFStr *stickiness, const FFContext *ctx,
							   FFVariantChoice *choice);

/* The stickiness of the first variant (Unleash uses it for the whole list), or NULL. */
extern const FFStr *ff_variants_stickiness(const FFVariants *variants);

/* A list of compiled constraints (a segment's), shared by the rules that name it. */
typedef struct FFConstraintSet
{
	const FFConstraint *const *items;
	size_t		count;
} FFConstraintSet;

/* A strategy (flagforge rule) as written. */
typedef struct FFRuleSpec
{
	FFStr		strategy_name;
	const FFStr *parameter_names;	/* "parameters": string values only */
	const FFStr *parameter_values;
	size_t		nparameters;
	const FFConstraint *const *constraints;	/* its own */
	size_t		nconstraints;
	const FFConstraintSet *const *segments;	/* its segments' (NULL: a missing one) */
	size_t		nsegments;
	const FFVariants *variants; /* NULL: none */
} FFRuleSpec;

/* A compiled rule (opaque outside targeting). */
typedef struct FFRule FFRule;

/*
 * Compile a rule; false with err when malformed (a rollout or percentage
 * that is not a number from 0 to 100).
 */
extern bool ff_rule_compile(FFArena *arena, const FFRuleSpec *spec, const FFRule **out,
							char *err, size_t errlen);

/* The strategy name of a compiled rule, as written (for explain). */
extern FFStr ff_rule_name(const FFRule *rule);

/* The kind of a compiled rule (for explain). */
extern FFStrategyKind ff_rule_kind(const FFRule *rule);

/*
 * A guess of the share of contexts a rule matches (0..1), for the planner:
 * its strategy's share (default 1, a rollout its percentage, a list of
 * users or addresses FF_RULE_LIST_SHARE, an application hostname exactly),
 * times FF_RULE_CONSTRAINT_SHARE when constraints or segments narrow it;
 * 0 for a rule that never matches (unknown strategy, missing segment).
 */
#define FF_RULE_LIST_SHARE 0.01
#define FF_RULE_CONSTRAINT_SHARE 0.5
extern double ff_rule_share_guess(const FFRule *rule);

/*
 * True when the rule matches ctx for flag_key (Unleash's
 * Strategy.getResult: constraints, then the strategy's own test).  When it
 * matches and has variants, *choice is the variant (Unleash picks with the
 * rule's groupId, or flag_key, and the first variant's stickiness, else the
 * rule's), *has_choice true.
 */
extern bool ff_rule_matches(const FFRule *rule, FFStr flag_key, const FFContext *ctx,
							FFVariantChoice *choice, bool *has_choice);

/* A prerequisite (Unleash's dependency) of a flag. */
typedef struct FFPrerequisite
{
	FFStr		parent_key;
	const FFFlag *parent;		/* NULL: no such flag (never met) */
	bool		enabled;		/* the parent must be on (false: must be off) */
	FFStrList	variants;		/* when on, one of these variants (sorted); empty: any */
} FFPrerequisite;

/* A flag's targeting, compiled (FFFlag.targeting). */
typedef struct FFTargeting
{
	const FFRule *const *rules; /* the flag's rules for every tenant, in order */
	size_t		nrules;
	const FFPrerequisite *prerequisites;
	size_t		nprerequisites;
	const FFVariants *variants; /* the flag's variants; NULL: none */
} FFTargeting;

/* A flag's variant in a context (Unleash's getVariant). */
typedef struct FFVariantResult
{
	FFVariantChoice variant;	/* "disabled" without payload when there is none */
	bool		enabled;		/* a variant was chosen */
	bool		feature_enabled;	/* the flag is on */
} FFVariantResult;

/*
 * The flag's decision and its variant: a matching rule's variant, else
 * one of the flag's variants (grouped by the flag's key, with the first
 * variant's stickiness), else "disabled".  decision may be NULL.
 */
extern FFVariantResult ff_resolve_variant(const FFFlag *flag, const FFOverride *override,
										  const FFContext *ctx, const FFResolveHost *host,
										  FFDecision *decision);

/*
 * Regular expressions (RE2 syntax, as Unleash's clients use): regex_re2.cpp.
 * Each may take FF_REGEX_MAX_MEM bytes (a pattern that needs more is
 * invalid: never matches); a pattern longer than FF_REGEX_MAX_PATTERN
 * bytes is a compile error of its constraint.
 */
#define FF_REGEX_MAX_MEM (1024 * 1024)
#define FF_REGEX_MAX_PATTERN 4096
extern void *ff_regex_compile(const char *pattern, size_t len, bool case_insensitive);	/* NULL: invalid */
extern bool ff_regex_find(const void *regex, const char *text, size_t len);
extern void ff_regex_free(void *regex);

/*
 * Where random stickiness and gradualRolloutRandom draw from: a number in
 * [0, 2^32).  The server sets PostgreSQL's generator; the default is rand().
 */
extern uint32_t (*ff_targeting_random) (void);

/* The Unleash fields of ctx: its own, or an empty set when it has none. */
extern const FFContextExtra *ff_context_extra(const FFContext *ctx);

/*
 * The host's clock in microseconds since 1970 UTC, for date constraints
 * when the context gives no currentTime: the server sets the statement's
 * timestamp.
 */
extern int64_t (*ff_targeting_now) (void);

/* The time date constraints compare with: the context's, else the host's clock. */
extern int64_t ff_context_now(const FFContext *ctx);

/* The value of a context field as Unleash resolves it: a standard field, else a property. */
extern bool ff_context_value(const FFContext *ctx, FFStr field, FFStr *value);

/* An ISO 8601 timestamp (as JavaScript's Date parses it) in microseconds since 1970 UTC. */
extern bool ff_parse_timestamp(FFStr text, int64_t *micros);

#endif							/* FLAGFORGE_TARGETING_H */
