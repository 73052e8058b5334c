#!/usr/bin/python3
"""test/clients/python_psycopg2.py: flagforge's everyday calls from psycopg2.

Run by test/clients/run.sh with PGHOST/PGPORT/PGUSER set and PGDATABASE the
database fixture.sql was loaded into. Prints `ok - ...` lines; exits non-zero
when a check fails.
"""

import psycopg2
import psycopg2.errors

import tap

tap.prefix("psycopg2")

# What fixture.sql's flags say for the contexts used below.
ACME_USER_42 = {"new_dashboard": True, "beta_checkout": True, "dark_mode": True,
                "beta_reports": False, "gradual_search": True}
GLOBEX_7 = {"new_dashboard": False, "beta_checkout": True, "dark_mode": True,
                 "beta_reports": True, "gradual_search": False}
GLOBEX_9 = dict(GLOBEX_7, beta_checkout=False, gradual_search=True)

conn = psycopg2.connect(dbname=tap.dbname())   # host, port, user from PG* variables

# --- all flags for a context given as arguments; groups as a Python list ----------------------
with conn, conn.cursor() as cur:
    cur.execute("SELECT flagforge_evaluate_all(%s, %s, %s, %s)",
                ("acme", "user_42", ["beta"], "production"))
    flags = cur.fetchone()[0]
tap.ok(type(flags) is dict and all(type(v) is bool for v in flags.values()),
       "flagforge_evaluate_all(%s, %s, %s, %s) arrives as a dict of bools", flags)
tap.eq(flags, ACME_USER_42, "evaluate_all for acme/user_42/['beta']/production")

with conn, conn.cursor() as cur:
    cur.execute("SELECT flagforge_evaluate_all(%s, %s, %s, %s)", ("globex", "7", [], "production"))
    tap.eq(cur.fetchone()[0], GLOBEX_7, "an empty Python list for groups is accepted")
    cur.execute("SELECT flagforge_evaluate_all(%s, %s, %s, %s)", ("globex", "9", None, "production"))
    tap.eq(cur.fetchone()[0], GLOBEX_9, "None for groups is accepted")
    cur.execute("SELECT flagforge_is_enabled(%s, %s, %s, %s, %s)",
                ("new_dashboard", "acme", "user_42", ["beta"], "production"))
    tap.eq(cur.fetchone()[0], True, "flagforge_is_enabled with bound parameters returns a Python bool")
    cur.execute("SELECT flagforge_evaluate_many(%s, %s, %s)",
                (["beta_checkout", "no_such_flag"], "globex", "7"))
    tap.eq(cur.fetchone()[0], {"beta_checkout": True, "no_such_flag": False},
           "evaluate_many: a dict with unknown keys present and false")


# --- one request: the context set for the transaction only --------------------------------
def handle_request(tenant, user_id, groups, environment):
    """What a request handler does: one transaction, context set with SET LOCAL semantics."""
    with conn:                       # BEGIN ... COMMIT (ROLLBACK on an exception)
        with conn.cursor() as cur:
            cur.execute("SELECT set_config('flagforge.tenant', %s, true),"
                        "       set_config('flagforge.user_id', %s, true),"
                        "       set_config('flagforge.groups', %s, true),"
                        "       set_config('flagforge.environment', %s, true)",
                        (tenant, user_id or "", ",".join(groups), environment or ""))
            cur.execute("SELECT flagforge_is_enabled(%s)", ("beta_checkout",))
            beta = cur.fetchone()[0]
            cur.execute("SELECT flagforge_evaluate_all()")
            return beta, cur.fetchone()[0]


with conn:
    with conn.cursor() as cur:
        cur.execute("SET LOCAL flagforge.tenant = 'acme'")
        cur.execute("SET LOCAL flagforge.user_id = 'user_42'")
        cur.execute("SET LOCAL flagforge.groups = 'beta'")
        cur.execute("SET LOCAL flagforge.environment = 'production'")
        cur.execute("SELECT flagforge_is_enabled(%s), flagforge_evaluate_all()", ("new_dashboard",))
        one, every = cur.fetchone()
tap.eq(one, True, "SET LOCAL flagforge.* then flagforge_is_enabled(key) in a transaction")
tap.eq(every, ACME_USER_42, "SET LOCAL flagforge.* then flagforge_evaluate_all()")

beta, every = handle_request("globex", "7", [], "production")
tap.eq((beta, every), (True, GLOBEX_7),
       "set_config('flagforge.tenant', %s, true) with bound parameters (globex, user 7)")
beta, every = handle_request("acme", "user_42", ["beta", "staff"], "production")
tap.eq((beta, every), (True, ACME_USER_42), "the next request's context replaces the previous one")


# --- after the transaction the context is gone --------------------------------------------
def evaluate_all_without_context():
    with conn, conn.cursor() as cur:
        cur.execute("SELECT flagforge_evaluate_all()")


err = tap.raises(evaluate_all_without_context,
                 "after COMMIT the SET LOCAL context is gone: evaluate_all() raises 22004",
                 pgcode="22004")
tap.ok(isinstance(err, psycopg2.errors.NullValueNotAllowed),
       "the error is psycopg2.errors.NullValueNotAllowed", type(err))
hint = err.diag.message_hint if err is not None else None
tap.ok(hint is not None and "SET LOCAL flagforge.tenant" in hint,
       "its hint says how to give a tenant", hint)

# The classic mistake: autocommit on, so set_config(..., true) lasts one statement only.
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT set_config('flagforge.tenant', %s, true)", ("acme",))
    tap.raises(lambda: cur.execute("SELECT flagforge_evaluate_all()"),
               "with autocommit, a local set_config does not reach the next statement",
               pgcode="22004")
conn.autocommit = False

# --- a view that gates rows --------------------------------------------------------------
with conn, conn.cursor() as cur:
    cur.execute("SELECT id FROM beta_orders ORDER BY id")
    tap.eq([r[0] for r in cur.fetchall()], [1, 2, 3, 6],
           "beta_orders: acme's orders (switched on) and globex user 7's (targeted)")
    cur.execute("SET TRANSACTION READ ONLY")
    cur.execute("SELECT count(*), sum(total) FROM beta_orders WHERE tenant_id = %s", ("globex",))
    tap.eq(cur.fetchone(), (2, 90), "the view in a read-only transaction, with a bound filter")

# --- explain and status --------------------------------------------------------------------
with conn, conn.cursor() as cur:
    cur.execute("SELECT flagforge_explain(%s, %s, %s, %s, %s)",
                ("beta_checkout", "globex", "7", None, "production"))
    why = cur.fetchone()[0]
    tap.ok(type(why) is dict and why.get("reason") == "TARGETING_MATCH" and why.get("value") is True,
           "flagforge_explain returns a dict with reason TARGETING_MATCH and value True", why)
    cur.execute("SELECT flagforge_explain(%s, %s, %s)", ("gradual_search", "acme", "user_42"))
    why = cur.fetchone()[0]
    tap.ok(why.get("reason") == "SPLIT" and why.get("bucket") == 7 and why.get("value") is True,
           "flagforge_explain of a rollout: reason SPLIT with its bucket (7)", why)
    cur.execute("SELECT flagforge_explain(%s, %s)", ("no_such_flag", "acme"))
    why = cur.fetchone()[0]
    tap.ok(why.get("reason") == "ERROR" and why.get("error_code") == "FLAG_NOT_FOUND"
           and why.get("value") is False, "flagforge_explain of an unknown key: ERROR, FLAG_NOT_FOUND", why)
    cur.execute("SELECT key, value, reason FROM flagforge_status(%s, %s, %s, %s)",
                ("globex", "7", None, "production"))
    rows = cur.fetchall()
    tap.eq({k: v for k, v, _ in rows}, GLOBEX_7, "flagforge_status rows agree with evaluate_all")
    tap.eq([k for k, _, _ in rows], sorted(GLOBEX_7), "flagforge_status is ordered by key")

# --- flagforge sync from the application: the YAML file as a bound parameter ----------------------
with conn, conn.cursor() as cur:
    cur.execute("SELECT flagforge_export_yaml()")
    document = cur.fetchone()[0]               # what config/feature-flags.yaml would hold
    cur.execute("SELECT flag_key, action FROM flagforge_import_yaml(%s, dry_run => true) ORDER BY 1",
                (document,))
    tap.eq(cur.fetchall(), [(k, "unchanged") for k in sorted(ACME_USER_42)],
           "flagforge_import_yaml(%s, dry_run => true) of the exported file: every flag unchanged")

conn.close()
tap.done()
