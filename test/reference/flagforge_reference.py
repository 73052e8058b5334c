#!/usr/bin/env python3
"""Pure-Python reference resolver for flagforge (differential-test oracle).

An independent port of the FlagForge Python library's resolver as fixed by
SPEC.md ("Evaluation -- exactly the reference resolver").  It deliberately
uses no third-party modules: MurmurHash3_x86_32 is written out here from the
algorithm, so it does not depend on the `mmh3` package (nor on the C code in
src/murmur3.c, which it is meant to check).

Run it directly to check the hash against the test vectors listed in the SPEC:

    /usr/bin/python3 test/reference/flagforge_reference.py

Exit status 0 when every vector matches, 1 otherwise.
"""

import sys

__all__ = ["murmur3_32", "compute_bucket", "rollout", "evaluate",
           "evaluate_all", "evaluate_many", "HASH_VECTORS", "self_test"]

_MASK32 = 0xFFFFFFFF


def _rotl32(x, r):
    return ((x << r) | (x >> (32 - r))) & _MASK32


def _fmix32(h):
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK32
    h ^= h >> 16
    return h


def murmur3_32(data, seed=0):
    """MurmurHash3_x86_32 of `data` (bytes), returned unsigned (0 .. 2**32-1).

    Equivalent to Python's ``mmh3.hash(data, seed, signed=False)``.  Blocks are
    read little-endian regardless of the host, as mmh3 does.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = bytes(data)
    c1 = 0xCC9E2D51
    c2 = 0x1B873593
    length = len(data)
    h1 = seed & _MASK32
    nblocks = length // 4

    # body
    for i in range(nblocks):
        off = 4 * i
        k1 = (data[off]
              | (data[off + 1] << 8)
              | (data[off + 2] << 16)
              | (data[off + 3] << 24))
        k1 = (k1 * c1) & _MASK32
        k1 = _rotl32(k1, 15)
        k1 = (k1 * c2) & _MASK32
        h1 ^= k1
        h1 = _rotl32(h1, 13)
        h1 = (h1 * 5 + 0xE6546B64) & _MASK32

    # tail
    tail = 4 * nblocks
    rem = length & 3
    k1 = 0
    if rem >= 3:
        k1 ^= data[tail + 2] << 16
    if rem >= 2:
        k1 ^= data[tail + 1] << 8
    if rem >= 1:
        k1 ^= data[tail]
        k1 = (k1 * c1) & _MASK32
        k1 = _rotl32(k1, 15)
        k1 = (k1 * c2) & _MASK32
        h1 ^= k1

    # finalization
    h1 ^= length & _MASK32
    return _fmix32(h1)


def bucket_string(tenant_id, flag_key, user_id):
    """The string that is hashed: T || ':' || key || ':' || coalesce(U, '')."""
    tenant = "" if tenant_id is None else tenant_id
    return tenant + ":" + flag_key + ":" + (user_id or "")


def compute_bucket(tenant_id, flag_key, user_id):
    """0..99 bucket: unsigned murmur3 (seed 0) of the UTF-8 string, mod 100."""
    s = bucket_string(tenant_id, flag_key, user_id)
    return murmur3_32(s.encode("utf-8"), 0) % 100


def rollout(percentage, tenant_id, flag_key, user_id):
    """rollout(p): 0 -> on for everyone (no bucketing), >= 100 -> on,
    otherwise bucket < p."""
    p = 0 if percentage is None else percentage
    if p == 0:
        return True
    if p >= 100:
        return True
    return compute_bucket(tenant_id, flag_key, user_id) < p


def _default(definition, tenant_id, user_id):
    # Reference quirk: a rollout only narrows a flag that is already on.
    if not definition.get("default_enabled", False):
        return False
    return rollout(definition.get("rollout_percentage", 0), tenant_id,
                   definition["key"], user_id)


def evaluate(definition, override, tenant, user_id, groups, environment):
    """Resolve one flag.

    definition: dict with key, default_enabled, rollout_percentage,
                environments (None = every environment).
    override:   dict with enabled (None/True/False), rollout_percentage
                (None or int), enabled_for_users, enabled_for_groups; or None.
    groups:     iterable of str or None (None = no groups).
    environment: str or None (None counts as not in any list).
    """
    key = definition["key"]
    # 1. environment gate
    envs = definition.get("environments")
    if envs is not None:
        if environment is None or environment not in envs:
            return False
    # 2. no override
    if override is None:
        return _default(definition, tenant, user_id)
    # 3. user targeting
    users = override.get("enabled_for_users") or []
    if user_id is not None and user_id in users:
        return True
    # 4. group targeting
    ogroups = override.get("enabled_for_groups") or []
    if groups and set(groups) & set(ogroups):
        return True
    # 5. explicit tenant override
    enabled = override.get("enabled")
    if enabled is False:
        return False
    if enabled is True:
        p = override.get("rollout_percentage")
        return rollout(0 if p is None else p, tenant, key, user_id)
    # 6. no opinion: as step 2
    return _default(definition, tenant, user_id)


def evaluate_all(definitions, overrides_for_tenant, tenant, user_id, groups,
                 environment, public_only=False):
    """{key: bool} for every definition (only is_public ones if public_only).

    definitions: iterable of definition dicts (or a dict key -> definition).
    overrides_for_tenant: dict flag_key -> override dict, for this tenant.
    """
    if isinstance(definitions, dict):
        definitions = definitions.values()
    overrides_for_tenant = overrides_for_tenant or {}
    out = {}
    for d in definitions:
        if public_only and not d.get("is_public", False):
            continue
        out[d["key"]] = evaluate(d, overrides_for_tenant.get(d["key"]),
                                 tenant, user_id, groups, environment)
    return out


def evaluate_many(keys, definitions, overrides_for_tenant, tenant, user_id,
                  groups, environment):
    """{key: bool} for the given keys; unknown keys are present and False."""
    if not isinstance(definitions, dict):
        definitions = {d["key"]: d for d in definitions}
    overrides_for_tenant = overrides_for_tenant or {}
    out = {}
    for k in keys:
        d = definitions.get(k)
        out[k] = False if d is None else evaluate(
            d, overrides_for_tenant.get(k), tenant, user_id, groups,
            environment)
    return out


# Known unsigned values of mmh3.hash(s, signed=False), from SPEC.md.
HASH_VECTORS = [
    ("foo", 4138058784),
    ("hello", 613153351),
    ("", 0),
    ("ejOoVL", 0),
    ("bY9fO-", 1),
    ("SI7p-", 2147483647),
    ("6LvT0", 2147483648),
    ("ceQdGm", 4294967295),
    ("My \U0001F680 is full of \U0001F98E.", 1818098979),
    ("\u5409 \u661f \u9ad8 \u7167", 3435142074),
]


def self_test(verbose=True):
    """Check every SPEC hash vector plus a few resolver invariants.
    Returns the number of failures."""
    failures = 0
    for s, want in HASH_VECTORS:
        got = murmur3_32(s.encode("utf-8"))
        ok = got == want
        if not ok:
            failures += 1
        if verbose or not ok:
            print("%s murmur3_32(%r) = %d (want %d)"
                  % ("ok  " if ok else "FAIL", s, got, want))

    # Resolver sanity checks taken straight from the SPEC's wording.
    d_off20 = {"key": "k", "default_enabled": False, "rollout_percentage": 20,
               "environments": None}
    d_on0 = {"key": "k", "default_enabled": True, "rollout_percentage": 0,
             "environments": None}
    d_env = {"key": "k", "default_enabled": True, "rollout_percentage": 0,
             "environments": ["prod"]}
    d_empty_env = dict(d_env, environments=[])
    ov_users = {"enabled": False, "rollout_percentage": None,
                "enabled_for_users": ["u1", ""], "enabled_for_groups": ["g"]}
    ov_on_null = {"enabled": True, "rollout_percentage": None,
                  "enabled_for_users": [], "enabled_for_groups": []}
    ov_none = {"enabled": None, "rollout_percentage": 1,
               "enabled_for_users": [], "enabled_for_groups": []}
    checks = [
        ("quirk: default off + rollout 20 is off for all",
         all(not evaluate(d_off20, None, "t", "u%d" % i, None, None)
             for i in range(200))),
        ("rollout 0 is on for all",
         evaluate(d_on0, None, "t", None, None, None)),
        ("env gate: None env not in list",
         not evaluate(d_env, None, "t", None, None, None)),
        ("env gate: matching env", evaluate(d_env, None, "t", None, None, "prod")),
        ("env gate: empty list blocks all",
         not evaluate(d_empty_env, None, "t", None, None, "prod")),
        ("user targeting beats enabled=false",
         evaluate(d_on0, ov_users, "t", "u1", None, None)),
        ("'' user is targetable", evaluate(d_on0, ov_users, "t", "", None, None)),
        ("None user is not ''", not evaluate(d_on0, ov_users, "t", None, None, None)),
        ("group targeting", evaluate(d_on0, ov_users, "t", "x", ["a", "g"], None)),
        ("enabled=false", not evaluate(d_on0, ov_users, "t", "x", ["a"], None)),
        ("enabled=true, rollout NULL -> on",
         evaluate(d_off20, ov_on_null, "t", "x", None, None)),
        ("enabled NULL falls back to definition (quirk kept)",
         not evaluate(d_off20, ov_none, "t", "x", None, None)),
        ("bucket in range",
         all(0 <= compute_bucket("t", "k", "u%d" % i) < 100 for i in range(100))),
        ("bucket of None tenant/user == '' tenant/user",
         compute_bucket(None, "k", None) == compute_bucket("", "k", "")),
    ]
    for name, ok in checks:
        if not ok:
            failures += 1
        if verbose or not ok:
            print("%s %s" % ("ok  " if ok else "FAIL", name))
    if verbose:
        print("reference self-test: %d failure(s)" % failures)
    return failures


if __name__ == "__main__":
    sys.exit(1 if self_test() else 0)
