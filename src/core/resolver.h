/*
 * resolver.h
 *      The FlagForge resolver: which answer a flag gives in a context.
 *
 * Plain C with no PostgreSQL types.  The evaluation order (README "How a
 * flag is decided") is the reference library's to the letter for a flag
 * that uses none of the targeting fields, with Unleash's model around it:
 *   1. kill switch -> off, 2. environment gate, 3. a prerequisite not met
 *   -> off, 4. the tenant's override: user target, group target, its rules,
 *   on/off (+ its rollout); no opinion -> on, 5. the flag's rules: first
 *   match on, none off, 6. no rules: default (+ rollout).
 * The caller owns every string; nothing here allocates.
 */
#ifndef FLAGFORGE_RESOLVER_H
#define FLAGFORGE_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A byte string that need not be NUL-terminated; ptr may be NULL when len is 0. */
typedef struct FFStr
{
	const char *ptr;
	size_t		len;
} FFStr;

/* A list of strings.  Lists searched by ff_strlist_contains must be sorted. */
typedef struct FFStrList
{
	const FFStr *items;
	size_t		count;
} FFStrList;

/* An override's "enabled" column: NULL means the tenant has no opinion. */
typedef enum FFOpinion
{
	FF_OPINION_NONE = 0,
	FF_OPINION_ON,
	FF_OPINION_OFF
} FFOpinion;

/* rollout_percentage of an override that is NULL */
#define FF_ROLLOUT_NULL (-1)

struct FFTargeting;				/* targeting.h */
struct FFRule;

/* A flag definition (a row of flagforge_flags). */
typedef struct FFFlag
{
	FFStr		key;
	bool		default_enabled;
	int			rollout_percentage; /* 0..100 */
	bool		has_environments;	/* false: NULL, every environment */
	FFStrList	environments;	/* any order */
	bool		kill_switch;	/* on: off for everyone */
	const struct FFTargeting *targeting;	/* rules, prerequisites, variants; NULL: none */
} FFFlag;

/* A tenant override (a row of flagforge_overrides). */
typedef struct FFOverride
{
	FFOpinion	enabled;
	int			rollout_percentage; /* 0..100 or FF_ROLLOUT_NULL */
	FFStrList	users;			/* sorted (ff_strlist_sort) */
	FFStrList	groups;			/* sorted (ff_strlist_sort) */
	const struct FFRule *const *rules;	/* the override's own rules, in order */
	size_t		nrules;
} FFOverride;

/* A context property (Unleash's "properties"), in lists sorted by name. */
typedef struct FFProperty
{
	FFStr		name;
	FFStr		value;
} FFProperty;

/*
 * Unleash's context fields, for targeting rules (targeting.h); has_*
 * false: absent.  Kept apart from FFContext so that the per-row FlagForge
 * context stays small (a larger one costs the row-gating scan measurably).
 */
typedef struct FFContextExtra
{
	bool		has_tenant;		/* tenant was given (rule-only flags need none) */
	bool		has_session_id;
	FFStr		session_id;
	bool		has_remote_address;
	FFStr		remote_address;
	bool		has_app_name;
	FFStr		app_name;
	bool		has_current_time;	/* currentTime was given */
	FFStr		current_time_text;	/* as given (a constraint may test it as text) */
	int64_t		current_time;	/* microseconds since 1970 UTC */
	const FFProperty *properties;	/* sorted by name (ff_str_compare) */
	size_t		nproperties;
} FFContextExtra;

/* Who is asking. */
typedef struct FFContext
{
	FFStr		tenant;			/* hashed as given; empty when there is none */
	bool		has_user;		/* false: anonymous */
	FFStr		user;
	FFStrList	groups;			/* any order */
	bool		has_environment;	/* false: no environment */
	FFStr		environment;
	const FFContextExtra *extra;	/* Unleash's fields; NULL: none given */
} FFContext;

/* The step of the evaluation order that decided (for explain). */
typedef enum FFStep
{
	FF_STEP_UNKNOWN_FLAG = 0,	/* no such flag: false (decided by the caller) */
	FF_STEP_ENVIRONMENT_GATE,	/* 1: environment not allowed: false */
	FF_STEP_DEFAULT_OFF,		/* 2/6: default_enabled false */
	FF_STEP_DEFAULT_ON,			/* 2/6: default_enabled true, no bucketing */
	FF_STEP_DEFAULT_ROLLOUT,	/* 2/6: default_enabled true, bucket decided */
	FF_STEP_USER_TARGET,		/* 3: user in enabled_for_users: true */
	FF_STEP_GROUP_TARGET,		/* 4: a group in enabled_for_groups: true */
	FF_STEP_OVERRIDE_OFF,		/* 5: override enabled false */
	FF_STEP_OVERRIDE_ON,		/* 5: override enabled true, no bucketing */
	FF_STEP_OVERRIDE_ROLLOUT,	/* 5: override enabled true, bucket decided */
	FF_STEP_KILL_SWITCH,		/* the flag's kill switch is on: false */
	FF_STEP_PREREQUISITE,		/* a prerequisite is not met: false */
	FF_STEP_OVERRIDE_RULE,		/* one of the override's rules matched: true */
	FF_STEP_RULE,				/* one of the flag's rules matched: true */
	FF_STEP_NO_RULE				/* the flag has rules and none matched: false */
} FFStep;

/* The answer and how it was reached. */
typedef struct FFDecision
{
	bool		value;
	FFStep		step;
	bool		had_override;	/* an override row existed */
	int			bucket;			/* 0..99 when a rollout bucketed, else -1 */
	int			rule_index;		/* FF_STEP_RULE, _OVERRIDE_RULE: which rule (0-based) */
	int			prerequisite_index; /* FF_STEP_PREREQUISITE: which one */
	const struct FFRule *rule;	/* the rule that matched, or NULL */
} FFDecision;

/*
 * What the resolver asks its host: the override of another flag for the
 * same context (a prerequisite's parent).  NULL host: parents have none.
 */
typedef struct FFResolveHost
{
	const FFOverride *(*override_of) (void *arg, const FFFlag *flag);
	void	   *arg;
} FFResolveHost;

/* Decide flag for ctx; override is NULL when the tenant has none. */
extern FFDecision ff_resolve(const FFFlag *flag, const FFOverride *override,
							 const FFContext *ctx);

/* ff_resolve, with the host that finds prerequisites' overrides. */
extern FFDecision ff_resolve_with(const FFFlag *flag, const FFOverride *override,
								  const FFContext *ctx, const FFResolveHost *host);

/* Just the answer of ff_resolve. */
extern bool ff_is_enabled(const FFFlag *flag, const FFOverride *override,
						  const FFContext *ctx);

/* rollout(p) of the reference: 0 and >= 100 are on for everyone. */
extern bool ff_rollout_needs_bucket(int percentage);

/*
 * How the resolver computes a rollout bucket: ff_bucket (murmur3.h) on the
 * bytes as they are, which must be UTF-8.  A host whose strings may be in
 * another encoding sets a function that converts them first (encoding.c).
 */
typedef int (*FFBucketFunction) (const char *tenant, size_t tenant_len,
								 const char *flag_key, size_t flag_key_len,
								 const char *user_id, size_t user_id_len);
extern FFBucketFunction ff_resolver_bucket;

/* The OpenFeature resolution reason of a step (DISABLED, TARGETING_MATCH, SPLIT, ...). */
extern const char *ff_step_reason(FFStep step);

/* A stable name for a step ("environment_gate", "user_target", ...). */
extern const char *ff_step_name(FFStep step);

/* Byte-wise order of two strings (shorter first on a common prefix). */
extern int	ff_str_compare(FFStr a, FFStr b);

/* True when a and b hold the same bytes. */
extern bool ff_str_equal(FFStr a, FFStr b);

/* Sort a list in place for ff_strlist_contains. */
extern void ff_strlist_sort(FFStr *items, size_t count);

/* Binary search in a sorted list. */
extern bool ff_strlist_contains(FFStrList sorted, FFStr s);

#endif							/* FLAGFORGE_RESOLVER_H */
