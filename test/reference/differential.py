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

    import psycopg2
    import psycopg2.extras

    t0 = time.time()
    rng = random.Random(args.seed)
    defs, tenants, overrides, user_pool, group_pool = make_population(
        rng, args.flags, args.tenants)
    keys = [d["key"] for d in defs]
    defs_by_key = {d["key"]: d for d in defs}

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
    row = cur.fetchone()
    if row is None:
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

    # ---- load population
    cur.execute("TRUNCATE flagforge_flags CASCADE")
    psycopg2.extras.execute_values(
        cur,
        "INSERT INTO flagforge_flags (key, name, description, default_enabled,"
        " is_public, rollout_percentage, deprecated, environments) VALUES %s",
        [(d["key"], d["name"], d["description"], d["default_enabled"],
          d["is_public"], d["rollout_percentage"], d["deprecated"],
          d["environments"]) for d in defs],
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

    checks = 0
    mismatches = []
    counts = {}

    def mismatch(kind, inputs, sql_val, py_val, repro, extra=None):
        counts[kind] = counts.get(kind, 0) + 1
        mismatches.append({"kind": kind, "inputs": inputs, "sql": sql_val,
                           "python": py_val, "repro": repro,
                           "extra": extra or {}})

    def explain(key, tenant):
        d = defs_by_key.get(key)
        o = overrides.get(tenant, {}).get(key) if tenant in overrides else None
        return {"definition": d, "override": o}

    # ---- random contexts
    all_users = user_pool
    for case in range(args.cases):
        tenant = (rng.choice(tenants) if rng.random() < 0.9
                  else rand_str(rng, 1, 10))
        r = rng.random()
        if r < 0.25:
            user = None
        elif r < 0.3:
            user = ""
        elif r < 0.75:
            user = rng.choice(all_users)
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
        r = rng.random()
        if r < 0.3:
            env = None
        else:
            env = rng.choice(ENV_NAMES + [rand_str(rng, 1, 6)])
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
        many_keys = (rng.sample(keys, 5) + [rand_str(rng, 1, 8)]) if has_many else []

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
        inputs = {"case": case, "tenant": tenant, "user": user,
                  "groups": groups, "environment": env}

        ov_t = overrides.get(tenant, {})
        py_is = [ref.evaluate(defs_by_key[k], ov_t.get(k), tenant, user,
                              py_groups, env) if k in defs_by_key else False
                 for k in qkeys]
        py_all = ref.evaluate_all(defs, ov_t, tenant, user, py_groups, env,
                                  public_only=public_only)
        py_many = ref.evaluate_many(many_keys, defs_by_key, ov_t, tenant,
                                    user, py_groups, env)

        try:
            cur.execute(sql, params)
            sql_is, sql_all, sql_many = cur.fetchone()
        except psycopg2.Error as e:
            checks += 1
            mismatch("error", inputs, "ERROR: %s" % str(e).strip(), None,
                     cur.mogrify(sql, params).decode("utf-8", "replace"))
            continue

        # is_enabled
        sql_is = sql_is or []
        for k, s, p in zip(qkeys, sql_is, py_is):
            checks += 1
            if s is not p:
                rp = {"t": tenant, "u": user, "g": groups, "e": env, "k": k}
                one = ("SELECT " + is_expr.replace("(k,", "(%(k)s,"))
                mismatch("is_enabled", dict(inputs, key=k), s, p,
                         cur.mogrify(one, rp).decode("utf-8", "replace"),
                         explain(k, tenant))
        if len(sql_is) != len(qkeys):
            checks += 1
            mismatch("is_enabled", inputs, "%d results" % len(sql_is),
                     "%d results" % len(qkeys), None)

        # evaluate_all
        rp = {"t": tenant, "u": user, "g": groups, "e": env, "po": public_only}
        all_repro = cur.mogrify("SELECT " + all_expr, rp).decode("utf-8", "replace")
        if not isinstance(sql_all, dict):
            checks += 1
            mismatch("evaluate_all", dict(inputs, public_only=public_only),
                     sql_all, py_all, all_repro)
        else:
            for k in set(py_all) | set(sql_all):
                checks += 1
                s = sql_all.get(k, "<missing>")
                p = py_all.get(k, "<absent>")
                if s is not p:
                    mismatch("evaluate_all",
                             dict(inputs, key=k, public_only=public_only),
                             s, p, all_repro, explain(k, tenant))

        # evaluate_many
        if has_many:
            rp = {"t": tenant, "u": user, "g": groups, "e": env, "mk": many_keys}
            many_repro = cur.mogrify("SELECT " + many_expr, rp).decode(
                "utf-8", "replace")
            if not isinstance(sql_many, dict):
                checks += 1
                mismatch("evaluate_many", dict(inputs, keys=many_keys),
                         sql_many, py_many, many_repro)
            else:
                for k in set(py_many) | set(sql_many):
                    checks += 1
                    s = sql_many.get(k, "<missing>")
                    p = py_many.get(k, "<absent>")
                    if s is not p:
                        mismatch("evaluate_many", dict(inputs, key=k), s, p,
                                 many_repro, explain(k, tenant))

    # ---- buckets
    triples = []
    for _ in range(args.buckets):
        r = rng.random()
        if r < 0.5:
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
    # the SPEC's vectors, split at their own colons where possible
    for s, _ in ref.HASH_VECTORS:
        parts = s.split(":")
        if len(parts) == 3:
            triples.append(tuple(parts))
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
            checks += 1
            mismatch("error", {"bucket batch": start}, "ERROR: %s" % str(e).strip(),
                     None, None)
            continue
        for (t, k, u), s in zip(chunk, got):
            checks += 1
            p = ref.compute_bucket(t, k, u)
            if s != p:
                mismatch("bucket", {"tenant": t, "key": k, "user": u}, s, p,
                         cur.mogrify("SELECT flagforge_bucket(%s, %s, %s)",
                                     (t, k, u)).decode("utf-8", "replace"),
                         {"hashed": ref.bucket_string(t, k, u),
                          "murmur3_32": ref.murmur3_32(
                              ref.bucket_string(t, k, u).encode("utf-8"))})

    elapsed = time.time() - t0
    conn.close()

    # ---- report
    print("seed %d, %d contexts, %d flags, %d tenants, %d overrides; "
          "public_only %s, evaluate_many %s, decoys %s; %.1fs"
          % (args.seed, args.cases, len(defs), len(tenants), len(ov_rows),
             "tested" if has_public_only else "absent",
             "tested" if has_many else "absent",
             "on" if decoys else "off", elapsed))
    if missing:
        print("missing functions: %s" % ", ".join(missing))
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
    print("differential: %d checks, %d mismatches" % (checks, len(mismatches)))
    return 1 if (mismatches or missing) else 0


if __name__ == "__main__":
    sys.exit(main())
