#!/usr/bin/python3
"""Benchmark 3 of test/bench/run.sh: the Python library's way against flagforge.

The FlagForge Python library evaluates a request like this (with its cache
off): read every flag definition, read the tenant's overrides, resolve in
Python.  Here that is two SELECTs per request through psycopg2 plus
test/reference/flagforge_reference.py (a faithful port of the resolver and
MurmurHash3), against one `SELECT flagforge_evaluate_all(...)` per request.
Both sides see the same sequence of (tenant, user, groups, environment)
contexts, over one connection each, for --seconds seconds; the first
--check requests of each side are compared answer for answer.

Run with Debian's interpreter (/usr/bin/python3, which has psycopg2); the
connection comes from the usual PG* environment variables.  Prints
`name value` lines for run.sh to parse.
"""

import argparse
import os
import random
import sys
import time

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import flagforge_reference as ref  # noqa: E402

DEFINITIONS_SQL = ("SELECT key, default_enabled, rollout_percentage, environments, is_public "
                   "FROM flagforge_flags")
OVERRIDES_SQL = ("SELECT flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups "
                 "FROM flagforge_overrides WHERE tenant_id = %s")
FLAGFORGE_SQL = "SELECT flagforge_evaluate_all(%s, %s, %s::text[], %s)"


def contexts(n_tenants, seed=42):
    """An endless, repeatable stream of request contexts."""
    rng = random.Random(seed)
    group_sets = [[], ["g1"], ["g1", "g3"], ["g9"], ["g0", "g2"]]
    while True:
        t = rng.randrange(n_tenants)
        u = rng.randrange(1000000)
        yield ("t%d" % t, "user-%d" % u, rng.choice(group_sets),
               rng.choice(["prod", "staging", None]))


def reference_request(cur, ctx):
    """One request the Python library's way: two SELECTs, resolve in Python."""
    tenant, user, groups, env = ctx
    cur.execute(DEFINITIONS_SQL)
    definitions = [{"key": k, "default_enabled": de, "rollout_percentage": rp,
                    "environments": envs, "is_public": pub}
                   for k, de, rp, envs, pub in cur.fetchall()]
    cur.execute(OVERRIDES_SQL, (tenant,))
    overrides = {fk: {"enabled": en, "rollout_percentage": rp,
                      "enabled_for_users": us, "enabled_for_groups": gs}
                 for fk, en, rp, us, gs in cur.fetchall()}
    return ref.evaluate_all(definitions, overrides, tenant, user, groups, env)


def flagforge_request(cur, ctx):
    """One request the flagforge way: one SELECT."""
    tenant, user, groups, env = ctx
    cur.execute(FLAGFORGE_SQL, (tenant, user, groups, env))
    return cur.fetchone()[0]


def run(request, seconds, n_tenants, n_check):
    """Requests per second of `request` over `seconds`; the first answers."""
    conn = psycopg2.connect("")
    conn.autocommit = True
    cur = conn.cursor()
    stream = contexts(n_tenants)
    for _ in range(50):                      # warm-up: connection, caches
        request(cur, next(stream))
    stream = contexts(n_tenants)
    answers = []
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        answer = request(cur, next(stream))
        if done < n_check:
            answers.append(answer)
        done += 1
        if done % 16 == 0 and time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - start
    conn.close()
    return done / elapsed, answers


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--tenants", type=int, default=1000)
    ap.add_argument("--check", type=int, default=500)
    args = ap.parse_args()

    ref_rps, ref_answers = run(reference_request, args.seconds, args.tenants, args.check)
    ff_rps, ff_answers = run(flagforge_request, args.seconds, args.tenants, args.check)
    n = min(len(ref_answers), len(ff_answers))
    mismatches = sum(1 for a, b in zip(ref_answers[:n], ff_answers[:n]) if a != b)
    nflags = len(ff_answers[0]) if ff_answers else 0
    print("flags %d" % nflags)
    print("reference_rps %.1f" % ref_rps)
    print("flagforge_rps %.1f" % ff_rps)
    print("checked %d" % n)
    print("mismatches %d" % mismatches)


if __name__ == "__main__":
    main()
