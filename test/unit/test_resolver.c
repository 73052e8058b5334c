/*
 * test_resolver.c
 *      Unit tests of the plain-C hash (murmur3.c) and resolver (resolver.c).
 *      Prints TAP ("ok N - ..."); exits 1 if any check fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "murmur3.h"
#include "resolver.h"

#include "tap.h"

/* The SPEC's known values of the unsigned hash. */
static void
test_spec_vectors(void)
{
	static const struct
	{
		const char *input;
		uint32_t	hash;
	}			vectors[] = {
		{"foo", 4138058784u},
		{"hello", 613153351u},
		{"", 0u},
		{"ejOoVL", 0u},
		{"bY9fO-", 1u},
		{"SI7p-", 2147483647u},
		{"6LvT0", 2147483648u},
		{"ceQdGm", 4294967295u},
		{"My \xf0\x9f\x9a\x80 is full of \xf0\x9f\xa6\x8e.", 1818098979u},
		{"\xe5\x90\x89 \xe6\x98\x9f \xe9\xab\x98 \xe7\x85\xa7", 3435142074u},
	};
	char		name[128];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
	{
		uint32_t	got = ff_murmur3_32(vectors[i].input, strlen(vectors[i].input), 0);

		snprintf(name, sizeof(name), "murmur3 vector %zu = %u (got %u)", i,
				 vectors[i].hash, got);
		check(got == vectors[i].hash, name);
	}
}

/* Feeding a string in any pieces gives the one-shot hash. */
static void
test_pieces_equal_one_shot(void)
{
	unsigned char buf[64];
	int			ok = 1;

	srand(42);
	for (int round = 0; round < 20000 && ok; round++)
	{
		size_t		len = (size_t) (rand() % 40);
		size_t		cut1,
					cut2;
		FFMurmur3	state;

		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char) rand();
		cut1 = len ? (size_t) rand() % (len + 1) : 0;
		cut2 = cut1 + (len - cut1 ? (size_t) rand() % (len - cut1 + 1) : 0);
		ff_murmur3_init(&state, 0);
		ff_murmur3_update(&state, buf, cut1);
		ff_murmur3_update(&state, buf + cut1, cut2 - cut1);
		ff_murmur3_update(&state, buf + cut2, len - cut2);
		ok = ff_murmur3_final(&state) == ff_murmur3_32(buf, len, 0);
	}
	check(ok, "hash fed in three random pieces equals the one-shot hash (20000 inputs)");
}

/* ff_bucket equals the hash of the concatenated string mod 100. */
static void
test_bucket_is_concatenation(void)
{
	const char *tenants[] = {"acme", "", "t\xc3\xa9nant", "globex corp"};
	const char *users[] = {"user_42", "", "\xf0\x9f\xa6\x8e", "u-1"};
	int			ok = 1;
	char		joined[256];

	for (int t = 0; t < 4; t++)
		for (int u = 0; u < 4; u++)
		{
			snprintf(joined, sizeof(joined), "%s:new_dashboard:%s", tenants[t], users[u]);
			ok &= ff_bucket(tenants[t], strlen(tenants[t]), "new_dashboard", 13,
							users[u], strlen(users[u])) ==
				(int) (ff_murmur3_32(joined, strlen(joined), 0) % 100);
		}
	check(ok, "bucket of (tenant, key, user) equals hash of 'tenant:key:user' % 100");
	{
		/* Longer than the one-pass buffer: hashed in pieces, same answer. */
		static char long_tenant[700];
		static char long_joined[800];

		memset(long_tenant, 't', sizeof(long_tenant) - 1);
		snprintf(long_joined, sizeof(long_joined), "%s:k:u", long_tenant);
		check(ff_bucket(long_tenant, strlen(long_tenant), "k", 1, "u", 1) ==
			  (int) (ff_murmur3_32(long_joined, strlen(long_joined), 0) % 100),
			  "a 700-byte tenant hashes to the bucket of the joined string");
	}
	check(ff_bucket(NULL, 0, "k", 1, NULL, 0) == (int) (ff_murmur3_32(":k:", 3, 0) % 100),
		  "NULL tenant and user hash as empty strings");
}

/* A flag with the given default and rollout, every environment. */
static FFFlag
flag(const char *key, bool on, int rollout)
{
	FFFlag		f;

	memset(&f, 0, sizeof(f));
	f.key = S(key);
	f.default_enabled = on;
	f.rollout_percentage = rollout;
	return f;
}

/* A context for tenant/user with no groups and no environment. */
static FFContext
context(const char *tenant, const char *user)
{
	FFContext	c;

	memset(&c, 0, sizeof(c));
	c.tenant = S(tenant);
	if (user)
	{
		c.has_user = true;
		c.user = S(user);
	}
	return c;
}

/* Every rule of the evaluation order. */
static void
test_resolver_rules(void)
{
	FFFlag		on = flag("on", true, 0);
	FFFlag		off = flag("off", false, 0);
	FFFlag		quirk = flag("quirk", false, 20);
	FFFlag		full = flag("full", true, 100);
	FFContext	ctx = context("acme", "user_42");
	FFOverride	o;
	FFStr		users[] = {S("alice"), S("user_42")};
	FFStr		groups[] = {S("beta"), S("staff")};
	FFStr		envs[] = {S("staging"), S("production")};
	FFStr		ctx_groups[] = {S("nobody"), S("staff")};
	FFDecision	d;

	check(ff_is_enabled(&on, NULL, &ctx), "default on, no override: on");
	check(!ff_is_enabled(&off, NULL, &ctx), "default off, no override: off");
	check(!ff_is_enabled(&quirk, NULL, &ctx), "quirk: default off with rollout 20 is off");
	check(ff_is_enabled(&full, NULL, &ctx), "rollout 100 is on for everyone");

	memset(&o, 0, sizeof(o));
	o.rollout_percentage = FF_ROLLOUT_NULL;
	o.enabled = FF_OPINION_ON;
	check(ff_is_enabled(&off, &o, &ctx), "override on beats default off");
	o.enabled = FF_OPINION_OFF;
	check(!ff_is_enabled(&on, &o, &ctx), "override off beats default on");
	o.enabled = FF_OPINION_NONE;
	check(ff_is_enabled(&on, &o, &ctx) && !ff_is_enabled(&off, &o, &ctx),
		  "override with no opinion falls back to the default");

	o.enabled = FF_OPINION_OFF;
	ff_strlist_sort(users, 2);
	o.users.items = users;
	o.users.count = 2;
	d = ff_resolve(&off, &o, &ctx);
	check(d.value && d.step == FF_STEP_USER_TARGET, "user target beats a disabled override");
	ctx.has_user = false;
	check(!ff_is_enabled(&off, &o, &ctx), "an anonymous user is never a user target");

	ff_strlist_sort(groups, 2);
	o.groups.items = groups;
	o.groups.count = 2;
	ctx.groups.items = ctx_groups;
	ctx.groups.count = 2;
	d = ff_resolve(&off, &o, &ctx);
	check(d.value && d.step == FF_STEP_GROUP_TARGET, "group target beats a disabled override");
	ctx.groups.count = 1;
	check(!ff_is_enabled(&off, &o, &ctx), "no shared group: the override decides");

	on.has_environments = true;
	on.environments.items = envs;
	on.environments.count = 2;
	ctx.has_environment = true;
	ctx.environment = S("production");
	check(ff_is_enabled(&on, NULL, &ctx), "environment gate: listed environment passes");
	ctx.environment = S("dev");
	d = ff_resolve(&on, NULL, &ctx);
	check(!d.value && d.step == FF_STEP_ENVIRONMENT_GATE, "environment gate: other environment is off");
	ctx.has_environment = false;
	check(!ff_is_enabled(&on, NULL, &ctx), "environment gate: no environment is off");
	o.enabled = FF_OPINION_ON;
	ctx.has_user = true;
	check(!ff_is_enabled(&on, &o, &ctx), "environment gate beats user targeting");
	on.environments.count = 0;
	ctx.has_environment = true;
	ctx.environment = S("production");
	check(!ff_is_enabled(&on, NULL, &ctx), "environments {} blocks every environment");
}

/* Rollouts: bucket < p, and 0 means everyone. */
static void
test_rollouts(void)
{
	FFFlag		half = flag("half", true, 50);
	FFFlag		zero = flag("zero", true, 0);
	FFOverride	o;
	char		user[32];
	int			on = 0,
				consistent = 1;

	for (int i = 0; i < 1000; i++)
	{
		FFContext	ctx;
		FFDecision	d;

		snprintf(user, sizeof(user), "user-%d", i);
		ctx = context("acme", user);
		d = ff_resolve(&half, NULL, &ctx);
		on += d.value;
		consistent &= d.step == FF_STEP_DEFAULT_ROLLOUT &&
			d.value == (ff_bucket("acme", 4, "half", 4, user, strlen(user)) < 50) &&
			d.bucket == ff_bucket("acme", 4, "half", 4, user, strlen(user));
		consistent &= ff_is_enabled(&zero, NULL, &ctx);
	}
	check(consistent, "rollout 50 follows the bucket; rollout 0 is on for all");
	check(on > 440 && on < 560, "rollout 50 is on for about half of 1000 users");

	memset(&o, 0, sizeof(o));
	o.enabled = FF_OPINION_ON;
	o.rollout_percentage = 1;
	on = 0;
	for (int i = 0; i < 1000; i++)
	{
		FFContext	ctx;

		snprintf(user, sizeof(user), "user-%d", i);
		ctx = context("acme", user);
		on += ff_is_enabled(&zero, &o, &ctx);
	}
	check(on < 40, "an override's own rollout of 1% narrows a default-on flag");
}

/* Sorted-list search. */
static void
test_lists(void)
{
	FFStr		items[] = {S("b"), S("a"), S("ab"), S(""), S("\xc3\xa9")};
	FFStrList	list = {items, 5};

	ff_strlist_sort(items, 5);
	check(ff_strlist_contains(list, S("ab")) && ff_strlist_contains(list, S("")) &&
		  ff_strlist_contains(list, S("\xc3\xa9")) && !ff_strlist_contains(list, S("c")) &&
		  !ff_strlist_contains(list, S("a ")),
		  "binary search finds exactly the members");
	check(strcmp(ff_step_name(FF_STEP_GROUP_TARGET), "group_target") == 0,
		  "step names are stable");
}

int
main(void)
{
	test_spec_vectors();
	test_pieces_equal_one_shot();
	test_bucket_is_concatenation();
	test_resolver_rules();
	test_rollouts();
	test_lists();
	printf("1..%d\n", checks);
	if (failures)
		fprintf(stderr, "%d of %d checks failed\n", failures, checks);
	return failures ? 1 : 0;
}
