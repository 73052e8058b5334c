#!/usr/bin/env python3
"""Differential test: the flagforge extension against the pure-Python reference.

    /usr/bin/python3 test/reference/differential.py [--seed S] [--cases N] [--full]
    /usr/bin/python3 test/reference/differential.py --self-test

The database is chosen by the usual libpq environment variables (PGHOST,
PGPORT, PGUSER, PGDATABASE, ...); `CREATE EXTENSION flagforge` must already
have been done there.

WARNING: the run starts with `TRUNCATE flagforge_flags CASCADE`: it wipes
every flag and override in that database.  Point it at a throwaway database.

With a fixed seed it builds an adversarial population (about 60 flags whose
keys hold emoji, CJK, spaces, quotes, backslashes, colons, 255-character
keys...; about 15 tenants including '' and very long ones; random overrides
with enabled NULL/true/false, rollout NULL/0..100, user and group lists with ''
and unicode elements), loads it with plain INSERTs, and then for N random
contexts compares

  * flagforge_is_enabled(key, tenant, user, groups, env)  (defined, unknown
    and near-miss keys; the 2-argument form when user/groups/env are all NULL)
  * flagforge_evaluate_all(tenant, user, groups, env [, public_only])
  * flagforge_evaluate_many(keys, tenant, user, groups, env)  (if installed)

with flagforge_reference.evaluate / evaluate_all, and
flagforge_bucket(tenant, key, user) with compute_bucket for a few thousand
random strings (4-byte UTF-8 included).

The contexts run in phases (--phases, default 4) separated by random row
changes made with plain UPDATE/INSERT/DELETE, so a stale cache shows up:
changes committed by a second session, changes by this session, and changes
made inside a transaction (evaluated there, then rolled back).

The environment is always passed explicitly: `flagforge.environment` is
RESET first so that a NULL environment means "no environment".  The other
context settings (flagforge.tenant / user_id / groups) are set to decoy
values (unless --no-decoys): the SPEC says explicit arguments are taken as
given, so a NULL user must stay anonymous and NULL groups must stay empty.

Prints `differential: N checks, M mismatches` and the first 10 mismatches
(inputs, SQL answer, Python answer, and the SQL call that reproduces it);
exit status 1 on any mismatch, 0 otherwise.
"""

import argparse
import os
import random
import sys
import time

sys.dont_write_bytecode = True  # leave no __pycache__ in the repo
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flagforge_reference as ref  # noqa: E402

# --------------------------------------------------------------------------
# random adversarial strings

_ASCII = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
          "_-.")
_PUNCT = " '\"\\,{}[]():;%$#@!?*&|/<>=+`~\t\n"
_LATIN = "éüßçñøåÆŒÿ"                  # 2-byte UTF-8
_COMBINING = "e\u0301a\u0308\u0303"      # decomposed forms
_CJK = "吉星高照中文字符漢字日本語한국어"   # 3-byte UTF-8
_MISC3 = "\u200b\u200d\u202e\ufeff\u20ac\u2603\uffff"  # ZW chars, RTL, BOM, noncharacter
_EMOJI = ["\U0001F680", "\U0001F98E", "\U0001F600", "\U0001F44D\U0001F3FD",
          "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\U00010348",
          "\U0001D11E", "\U0010FFFD", "\U0001F1EF\U0001F1F5"]  # 4-byte UTF-8


def rand_char(rng):
    r = rng.random()
    if r < 0.45:
        return rng.choice(_ASCII)
    if r < 0.58:
        return rng.choice(_PUNCT)
    if r < 0.68:
        return rng.choice(_LATIN)
    if r < 0.71:
        return rng.choice(_COMBINING)
    if r < 0.83:
        return rng.choice(_CJK)
    if r < 0.87:
        return rng.choice(_MISC3)
    if r < 0.95:
        return rng.choice(_EMOJI)
    # any non-surrogate, non-NUL code point
    while True:
        cp = rng.randint(1, 0x10FFFF)
        if not (0xD800 <= cp <= 0xDFFF):
            return chr(cp)


def rand_str(rng, lo=1, hi=12):
    n = rng.randint(lo, hi)
    return "".join(rand_char(rng) for _ in range(n))


def ident(rng, prefix):
    return prefix + "".join(rng.choice(_ASCII) for _ in range(rng.randint(1, 8)))


# --------------------------------------------------------------------------
# population

ENV_NAMES = ["production", "staging", "dev", "Production", "生产", "",
             "prod uction", "qa\U0001F680"]


def make_keys(rng, n):
    fixed = [
        "new_dashboard", "beta_checkout", "dark_mode",
        "my 🚀 flag", "吉 星 高 照", "it's", 'say "hi"', "back\\slash",
        "a:b", ":", " ", "  leading", "trailing ", "comma,flag", "{brace}",
        "NEW_DASHBOARD", "caf\u00e9", "cafe\u0301", "x" * 255,
        "\U0001F98E" * 255, "吉" * 200, "null", "true", "%s", "%(x)s",
        "line\nbreak", "tab\tkey",
    ]
    keys = []
    seen = set()
    for k in fixed:
        if k not in seen:
            keys.append(k)
            seen.add(k)
    while len(keys) < n:
        r = rng.random()
        if r < 0.35:
            k = ident(rng, "flag_")
        elif r < 0.9:
            k = rand_str(rng, 1, 20)
        else:
            k = rand_str(rng, 200, 255)
        if 1 <= len(k) <= 255 and k not in seen:
            keys.append(k)
            seen.add(k)
    return keys[:n]


def make_tenants(rng, n):
    fixed = ["acme", "", "ACME", "acme ", "テナント", "t:e:n", "o'brien",
             "\U0001F3E2 corp", "T" * 300, "\U0001F680" * 1000,
             "ü" * 2000]
    out = list(dict.fromkeys(fixed))
    while len(out) < n:
        t = ident(rng, "tenant_") if rng.random() < 0.5 else rand_str(rng, 1, 16)
        if t not in out:
            out.append(t)
    return out[:n]


def choose_rollout(rng):
    if rng.random() < 0.8:
        return rng.choice([0, 1, 20, 50, 99, 100])
    return rng.randint(0, 100)


def choose_envs(rng):
    r = rng.random()
    if r < 0.45:
        return None
    if r < 0.55:
        return []
    return rng.sample(ENV_NAMES, rng.randint(1, 4))


def make_population(rng, n_flags, n_tenants):
    keys = make_keys(rng, n_flags)
    tenants = make_tenants(rng, n_tenants)
    user_pool = (["user_%d" % i for i in range(12)]
                 + ["", "User_1", "user_1 ", "ユーザー", "\U0001F464 me",
                    "o'neil", 'q"uote', "x" * 500]
                 + [rand_str(rng, 1, 10) for _ in range(10)])
    group_pool = (["beta", "staff", "admins", "", "Beta", "测试组",
                   "\U0001F9EA lab", "a,b", "{x}"]
                  + [rand_str(rng, 1, 8) for _ in range(6)])
    defs = []
    for k in keys:
        defs.append({
            "key": k,
            "name": rand_str(rng, 1, 20),
            "description": rand_str(rng, 0, 10),
            "default_enabled": rng.random() < 0.55,
            "is_public": rng.random() < 0.4,
            "rollout_percentage": choose_rollout(rng),
            "deprecated": rng.random() < 0.15,
            "environments": choose_envs(rng),
        })
    overrides = {}  # tenant -> {key: override}
    for t in tenants:
        overrides[t] = {}
        density = rng.choice([0.0, 0.2, 0.5, 0.9])
        for d in defs:
            if rng.random() >= density:
                continue
            users = []
            if rng.random() < 0.4:
                users = rng.sample(user_pool, rng.randint(1, 5))
            groups = []
            if rng.random() < 0.4:
                groups = rng.sample(group_pool, rng.randint(1, 4))
            overrides[t][d["key"]] = {
                "enabled": rng.choice([None, True, False]),
                "rollout_percentage": (None if rng.random() < 0.35
                                       else choose_rollout(rng)),
                "enabled_for_users": users,
                "enabled_for_groups": groups,
            }
    return defs, tenants, overrides, user_pool, group_pool


# --------------------------------------------------------------------------
# helpers

def short(v, full=False, limit=80):
    """repr() with long strings abbreviated (unless full)."""
    if full:
        return repr(v)
    if isinstance(v, str):
        if len(v) > limit:
            return "%r...<len %d>" % (v[:24], len(v))
        return repr(v)
    if isinstance(v, (list, tuple)):
        inner = ", ".join(short(x, full, limit) for x in v)
        return "[" + inner + "]" if isinstance(v, list) else "(" + inner + ")"
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (short(k, full, limit),
                                           short(x, full, limit))
                               for k, x in v.items()) + "}"
    return repr(v)


def near_miss_keys(rng, keys):
    k = rng.choice(keys)
    cands = [k + " ", " " + k, k.upper(), k.lower(), k[:-1] if len(k) > 1 else k + "x",
             k + "\u200b", k.replace("e\u0301", "\u00e9")]
    return [c for c in cands if c and c not in keys]


# --------------------------------------------------------------------------
# mutations (cache coherence): change rows with plain SQL between phases

def flag_row(d):
    return (d["key"], d["name"], d["description"], d["default_enabled"],
            d["is_public"], d["rollout_percentage"], d["deprecated"],
            d["environments"])


def make_override(rng, user_pool, group_pool):
    return {
        "enabled": rng.choice([None, True, False]),
        "rollout_percentage": (None if rng.random() < 0.35
                               else choose_rollout(rng)),
        "enabled_for_users": (rng.sample(user_pool, rng.randint(1, 5))
                              if rng.random() < 0.4 else []),
        "enabled_for_groups": (rng.sample(group_pool, rng.randint(1, 4))
                               if rng.random() < 0.4 else []),
    }


def mutate(rng, st, n_ops):
    """Apply n_ops random changes to the Python state `st`; return the SQL
    statements (text, params) that make the same changes in the database."""
    stmts = []
    for _ in range(n_ops):
        op = rng.random()
        defs_by_key = st["defs_by_key"]
        keys = list(defs_by_key)
        if op < 0.3 and keys:
            d = defs_by_key[rng.choice(keys)]
            d["default_enabled"] = rng.random() < 0.55
            d["rollout_percentage"] = choose_rollout(rng)
            d["environments"] = choose_envs(rng)
            d["is_public"] = rng.random() < 0.4
            stmts.append((
                "UPDATE flagforge_flags SET default_enabled = %s,"
                " rollout_percentage = %s, environments = %s::text[],"
                " is_public = %s WHERE key = %s",
                (d["default_enabled"], d["rollout_percentage"],
                 d["environments"], d["is_public"], d["key"])))
        elif op < 0.4 and len(keys) > 5:
            k = rng.choice(keys)
            del defs_by_key[k]
            for per in st["overrides"].values():
                per.pop(k, None)   # ON DELETE CASCADE
            stmts.append(("DELETE FROM flagforge_flags WHERE key = %s", (k,)))
        elif op < 0.5:
            k = rand_str(rng, 1, 16)
            if k in defs_by_key:
                continue
            d = {"key": k, "name": rand_str(rng, 1, 10), "description": "",
                 "default_enabled": rng.random() < 0.55,
                 "is_public": rng.random() < 0.4,
                 "rollout_percentage": choose_rollout(rng),
                 "deprecated": False, "environments": choose_envs(rng)}
            defs_by_key[k] = d
            stmts.append((
                "INSERT INTO flagforge_flags (key, name, description,"
                " default_enabled, is_public, rollout_percentage, deprecated,"
                " environments) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::text[])",
                flag_row(d)))
        elif keys:
            t = rng.choice(st["tenants"])
            k = rng.choice(keys)
            per = st["overrides"].setdefault(t, {})
            if k in per and op < 0.7:
                del per[k]
                stmts.append(("DELETE FROM flagforge_overrides WHERE"
                              " tenant_id = %s AND flag_key = %s", (t, k)))
                continue
            o = make_override(rng, st["user_pool"], st["group_pool"])
            existed = k in per
            per[k] = o
            vals = (o["enabled"], o["rollout_percentage"],
                    o["enabled_for_users"], o["enabled_for_groups"])
            if existed:
                stmts.append((
                    "UPDATE flagforge_overrides SET enabled = %s,"
                    " rollout_percentage = %s, enabled_for_users = %s::text[],"
                    " enabled_for_groups = %s::text[]"
                    " WHERE tenant_id = %s AND flag_key = %s", vals + (t, k)))
            else:
                stmts.append((
                    "INSERT INTO flagforge_overrides (enabled,"
                    " rollout_percentage, enabled_for_users, enabled_for_groups,"
                    " tenant_id, flag_key)"
                    " VALUES (%s, %s, %s::text[], %s::text[], %s, %s)",
                    vals + (t, k)))
    return stmts


def run_self_test():
    return 1 if ref.self_test() else 0


# --------------------------------------------------------------------------
# main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=20240515)
    ap.add_argument("--cases", type=int, default=3000,
                    help="number of random evaluation contexts")
    ap.add_argument("--flags", type=int, default=60)
    ap.add_argument("--tenants", type=int, default=15)
    ap.add_argument("--buckets", type=int, default=4000,
                    help="number of random flagforge_bucket checks")
    ap.add_argument("--phases", type=int, default=4,
                    help="split the contexts into phases with row changes"
                         " between them (1 = no changes)")
    ap.add_argument("--no-decoys", action="store_true",
                    help="do not set flagforge.tenant/user_id/groups decoys")
    ap.add_argument("--full", action="store_true",
                    help="print long strings in mismatches in full")
    ap.add_argument("--show", type=int, default=10,
                    help="how many mismatches to print")
    ap.add_argument("--self-test", action="store_true",
                    help="only run the reference self-test (no database)")
    args = ap.parse_args()

    if args.self_test:
        return run_self_test()
    if ref.self_test(verbose=False):
        print("differential: reference self-test FAILED; not running")
        return 1

    import copy
    import psycopg2
    import psycopg2.extras

    t0 = time.time()
    rng = random.Random(args.seed)
    defs, tenants, overrides, user_pool, group_pool = make_population(
        rng, args.flags, args.tenants)
    # mutable state: definitions by key (insertion ordered) and overrides
    st = {"defs_by_key": {d["key"]: d for d in defs}, "overrides": overrides,
          "tenants": tenants, "user_pool": user_pool,
          "group_pool": group_pool}

    conn = psycopg2.connect("")
    conn.autocommit = True
    conn.set_client_encoding("UTF8")
    cur = conn.cursor()
    cur.execute("SHOW server_encoding")
    enc = cur.fetchone()[0]
    if enc.upper() not in ("UTF8", "UTF-8"):
        print("differential: server_encoding is %s; the test needs UTF8" % enc)
        return 2
    cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'flagforge'")
    if cur.fetchone() is None:
        print("differential: extension flagforge is not installed in this "
              "database (run CREATE EXTENSION flagforge)")
        return 2

    def have(sig):
        cur.execute("SELECT to_regprocedure(%s) IS NOT NULL", (sig,))
        return cur.fetchone()[0]

    has_public_only = have(
        "flagforge_evaluate_all(text,text,text[],text,boolean)")
    has_many = have("flagforge_evaluate_many(text[],text,text,text[],text)")
    has_is5 = have("flagforge_is_enabled(text,text,text,text[],text)")
    has_all4 = has_public_only or have(
        "flagforge_evaluate_all(text,text,text[],text)")
    has_bucket = have("flagforge_bucket(text,text,text)")
    missing = [n for n, ok in (("flagforge_is_enabled(5 args)", has_is5),
                               ("flagforge_evaluate_all(4+ args)", has_all4),
                               ("flagforge_bucket", has_bucket)) if not ok]
    if missing:
        print("differential: missing functions: %s" % ", ".join(missing))
        return 2

    # ---- load population
    cur.execute("TRUNCATE flagforge_flags CASCADE")
    psycopg2.extras.execute_values(
        cur,
        "INSERT INTO flagforge_flags (key, name, description, default_enabled,"
        " is_public, rollout_percentage, deprecated, environments) VALUES %s",
        [flag_row(d) for d in defs],
        template="(%s, %s, %s, %s, %s, %s, %s, %s::text[])")
    ov_rows = []
    for t, per in overrides.items():
        for k, o in per.items():
            ov_rows.append((t, k, o["enabled"], o["rollout_percentage"],
                            o["enabled_for_users"], o["enabled_for_groups"]))
    if ov_rows:
        psycopg2.extras.execute_values(
            cur,
            "INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled,"
            " rollout_percentage, enabled_for_users, enabled_for_groups)"
            " VALUES %s",
            ov_rows,
            template="(%s, %s, %s, %s, %s::text[], %s::text[])")

    # ---- session settings
    cur.execute("RESET flagforge.environment")
    decoys = {}
    if not args.no_decoys:
        decoys = {"flagforge.tenant": tenants[0],
                  "flagforge.user_id": "user_1",
                  "flagforge.groups": "beta,staff,admins"}
        for name, val in decoys.items():
            cur.execute("SELECT set_config(%s, %s, false)", (name, val))

    counter = {"checks": 0}
    mismatches = []
    counts = {}

    def mismatch(kind, inputs, sql_val, py_val, repro, extra=None):
        counts[kind] = counts.get(kind, 0) + 1
        mismatches.append({"kind": kind, "inputs": inputs, "sql": sql_val,
                           "python": py_val, "repro": repro,
                           "extra": extra or {}})

    def explain(key, tenant):
        return {"definition": st["defs_by_key"].get(key),
                "override": st["overrides"].get(tenant, {}).get(key)}

    def run_context(case, phase):
        defs_by_key = st["defs_by_key"]
        keys = list(defs_by_key)
        tenant = (rng.choice(tenants) if rng.random() < 0.9
                  else rand_str(rng, 1, 10))
        r = rng.random()
        if r < 0.25:
            user = None
        elif r < 0.3:
            user = ""
        elif r < 0.75:
            user = rng.choice(user_pool)
        else:
            user = rand_str(rng, 1, 14)
        r = rng.random()
        if r < 0.3:
            groups = None
        elif r < 0.4:
            groups = []
        else:
            groups = rng.sample(group_pool, rng.randint(1, 4))
            if rng.random() < 0.3:
                groups.append(rand_str(rng, 1, 6))
            if rng.random() < 0.05:
                groups.append(None)   # NULL element: must simply not match
        env = (None if rng.random() < 0.3
               else rng.choice(ENV_NAMES + [rand_str(rng, 1, 6)]))
        py_groups = [g for g in groups if g is not None] if groups else groups

        # keys for is_enabled: defined, unknown, near misses
        qkeys = rng.sample(keys, min(len(keys), rng.randint(5, 20)))
        qkeys += [rand_str(rng, 1, 10) for _ in range(rng.randint(0, 2))]
        if rng.random() < 0.5:
            qkeys += near_miss_keys(rng, keys)[:2]
        rng.shuffle(qkeys)
        public_only = has_public_only and rng.random() < 0.2
        short_form = (user is None and groups is None and env is None
                      and rng.random() < 0.5)
        many_keys = ((rng.sample(keys, min(5, len(keys)))
                      + [rand_str(rng, 1, 8)]) if has_many else [])

        params = {"t": tenant, "u": user, "g": groups, "e": env,
                  "keys": qkeys, "po": public_only, "mk": many_keys}
        if short_form:
            is_expr = "flagforge_is_enabled(k, %(t)s)"
        else:
            is_expr = ("flagforge_is_enabled(k, %(t)s, %(u)s, %(g)s::text[],"
                       " %(e)s)")
        all_expr = ("flagforge_evaluate_all(%(t)s, %(u)s, %(g)s::text[], %(e)s"
                    + (", %(po)s)" if has_public_only else ")"))
        many_expr = ("flagforge_evaluate_many(%(mk)s::text[], %(t)s, %(u)s,"
                     " %(g)s::text[], %(e)s)" if has_many else "NULL::jsonb")
        sql = ("SELECT (SELECT array_agg(" + is_expr + " ORDER BY i) FROM"
               " unnest(%(keys)s::text[]) WITH ORDINALITY AS x(k, i)), "
               + all_expr + ", " + many_expr)
        inputs = {"case": case, "phase": phase, "tenant": tenant,
                  "user": user, "groups": groups, "environment": env}

        ov_t = st["overrides"].get(tenant, {})
        py_is = [ref.evaluate(defs_by_key[k], ov_t.get(k), tenant, user,
                              py_groups, env) if k in defs_by_key else False
                 for k in qkeys]
        py_all = ref.evaluate_all(defs_by_key, ov_t, tenant, user, py_groups,
                                  env, public_only=public_only)
        py_many = ref.evaluate_many(many_keys, defs_by_key, ov_t, tenant,
                                    user, py_groups, env)

        try:
            cur.execute(sql, params)
            sql_is, sql_all, sql_many = cur.fetchone()
        except psycopg2.Error as e:
            counter["checks"] += 1
            mismatch("error", inputs, "ERROR: %s" % str(e).strip(), None,
                     cur.mogrify(sql, params).decode("utf-8", "replace"))
            return False

        # is_enabled
        sql_is = sql_is or []
        for k, s, p in zip(qkeys, sql_is, py_is):
            counter["checks"] += 1
            if s is not p:
                rp = {"t": tenant, "u": user, "g": groups, "e": env, "k": k}
                one = ("SELECT " + is_expr.replace("(k,", "(%(k)s,"))
                mismatch("is_enabled", dict(inputs, key=k), s, p,
                         cur.mogrify(one, rp).decode("utf-8", "replace"),
                         explain(k, tenant))
        if len(sql_is) != len(qkeys):
            counter["checks"] += 1
            mismatch("is_enabled", inputs, "%d results" % len(sql_is),
                     "%d results" % len(qkeys), None)

        # evaluate_all
        rp = {"t": tenant, "u": user, "g": groups, "e": env, "po": public_only}
        all_repro = cur.mogrify("SELECT " + all_expr, rp).decode("utf-8",
                                                                 "replace")
        if not isinstance(sql_all, dict):
            counter["checks"] += 1
            mismatch("evaluate_all", dict(inputs, public_only=public_only),
                     sql_all, py_all, all_repro)
        else:
            for k in set(py_all) | set(sql_all):
                counter["checks"] += 1
                s = sql_all.get(k, "<missing>")
                p = py_all.get(k, "<absent>")
                if s is not p:
                    mismatch("evaluate_all",
                             dict(inputs, key=k, public_only=public_only),
                             s, p, all_repro, explain(k, tenant))

        # evaluate_many
        if has_many:
            rp = {"t": tenant, "u": user, "g": groups, "e": env,
                  "mk": many_keys}
            many_repro = cur.mogrify("SELECT " + many_expr, rp).decode(
                "utf-8", "replace")
            if not isinstance(sql_many, dict):
                counter["checks"] += 1
                mismatch("evaluate_many", dict(inputs, keys=many_keys),
                         sql_many, py_many, many_repro)
            else:
                for k in set(py_many) | set(sql_many):
                    counter["checks"] += 1
                    s = sql_many.get(k, "<missing>")
                    p = py_many.get(k, "<absent>")
                    if s is not p:
                        mismatch("evaluate_many", dict(inputs, key=k), s, p,
                                 many_repro, explain(k, tenant))
        return True

    def apply_change(c, q, p, ph):
        try:
            c.execute(q, p)
        except psycopg2.Error as e:
            # plain DML on the tables must work; the state may now diverge
            counter["checks"] += 1
            mismatch("error", {"phase": ph, "row change": q, "params": p},
                     "ERROR: %s" % str(e).strip(), None,
                     c.mogrify(q, p).decode("utf-8", "replace"))

    # ---- random contexts, in phases separated by row changes:
    #   after phase 1: changes committed by another session,
    #   after phase 2: changes by this session (autocommit),
    #   after phase 3: changes inside a transaction, evaluated there, then
    #                  rolled back (the later phases must see the old rows),
    #   and so on in turn.
    phases = max(1, args.phases)
    per_phase = [args.cases // phases + (1 if i < args.cases % phases else 0)
                 for i in range(phases)]
    mutations = 0
    conn2 = None
    case = 0
    for ph in range(phases):
        if ph > 0:
            how = (ph - 1) % 3
            if how == 0:
                if conn2 is None:
                    conn2 = psycopg2.connect("")
                    conn2.autocommit = True
                    conn2.set_client_encoding("UTF8")
                c2 = conn2.cursor()
                for q, p in mutate(rng, st, 25):
                    apply_change(c2, q, p, ph)
                    mutations += 1
            elif how == 1:
                for q, p in mutate(rng, st, 25):
                    apply_change(cur, q, p, ph)
                    mutations += 1
            else:
                saved = copy.deepcopy({"defs_by_key": st["defs_by_key"],
                                       "overrides": st["overrides"]})
                cur.execute("BEGIN")
                try:
                    for q, p in mutate(rng, st, 25):
                        apply_change(cur, q, p, ph)
                        mutations += 1
                    for _ in range(min(100, max(10, per_phase[ph] // 5))):
                        if not run_context(case, "%d-in-transaction" % ph):
                            break   # the transaction is aborted
                        case += 1
                finally:
                    cur.execute("ROLLBACK")
                    st.update(saved)
        for _ in range(per_phase[ph]):
            run_context(case, ph)
            case += 1
    if conn2 is not None:
        conn2.close()

    # ---- buckets
    keys = list(st["defs_by_key"])
    triples = []
    for _ in range(args.buckets):
        if rng.random() < 0.5:
            t = rng.choice(tenants)
            k = rng.choice(keys)
        else:
            t = rand_str(rng, 0, 30)
            k = rand_str(rng, 1, 30)
        r = rng.random()
        if r < 0.15:
            u = None
        elif r < 0.2:
            u = ""
        elif r < 0.3:
            u = "".join(rng.choice(_EMOJI) for _ in range(rng.randint(1, 9)))
        else:
            u = rand_str(rng, 0, 40)
        triples.append((t, k, u))
    bsql = ("SELECT array_agg(flagforge_bucket(t, k, u) ORDER BY i) FROM"
            " unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY"
            " AS x(t, k, u, i)")
    for start in range(0, len(triples), 1000):
        chunk = triples[start:start + 1000]
        try:
            cur.execute(bsql, ([c[0] for c in chunk], [c[1] for c in chunk],
                               [c[2] for c in chunk]))
            got = cur.fetchone()[0] or []
        except psycopg2.Error as e:
            counter["checks"] += 1
            mismatch("error", {"bucket batch": start},
                     "ERROR: %s" % str(e).strip(), None, None)
            continue
        for (t, k, u), s in zip(chunk, got):
            counter["checks"] += 1
            p = ref.compute_bucket(t, k, u)
            if s != p:
                hs = ref.bucket_string(t, k, u)
                mismatch("bucket", {"tenant": t, "key": k, "user": u}, s, p,
                         cur.mogrify("SELECT flagforge_bucket(%s, %s, %s)",
                                     (t, k, u)).decode("utf-8", "replace"),
                         {"hashed": hs,
                          "murmur3_32": ref.murmur3_32(hs.encode("utf-8"))})

    elapsed = time.time() - t0
    conn.close()

    # ---- report
    print("seed %d, %d contexts in %d phase(s), %d flags, %d tenants,"
          " %d overrides, %d row changes; public_only %s, evaluate_many %s,"
          " decoys %s; %.1fs"
          % (args.seed, case, phases, len(defs), len(tenants), len(ov_rows),
             mutations, "tested" if has_public_only else "absent",
             "tested" if has_many else "absent",
             "on" if decoys else "off", elapsed))
    if counts:
        print("mismatches by kind: " + ", ".join(
            "%s %d" % kv for kv in sorted(counts.items())))
    # show the first mismatches of every kind in turn, not only the first kind
    by_kind = {}
    for m in mismatches:
        by_kind.setdefault(m["kind"], []).append(m)
    shown = []
    depth = 0
    while len(shown) < min(args.show, len(mismatches)):
        for kind in sorted(by_kind):
            if depth < len(by_kind[kind]) and len(shown) < args.show:
                shown.append(by_kind[kind][depth])
        depth += 1
    for i, m in enumerate(shown):
        print("--- mismatch %d (%s)" % (i + 1, m["kind"]))
        for k, v in m["inputs"].items():
            print("    %-12s %s" % (k, short(v, args.full)))
        print("    SQL says    %s" % short(m["sql"], args.full, 400))
        print("    Python says %s" % short(m["python"], args.full, 400))
        for k, v in m["extra"].items():
            print("    %-12s %s" % (k, short(v, args.full)))
        if m["repro"]:
            rp = m["repro"]
            if not args.full and len(rp) > 600:
                rp = rp[:600] + "...<%d chars; --full for all>" % len(rp)
            print("    repro       %s" % rp)
    print("differential: %d checks, %d mismatches"
          % (counter["checks"], len(mismatches)))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
