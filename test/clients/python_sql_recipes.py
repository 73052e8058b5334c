#!/usr/bin/python3
"""test/clients/python_sql_recipes.py: the SQL recipes of the README's Recipes, through psycopg2.

- rows gated by a row-level-security policy (per row, and the cheap form whose flag
  is evaluated once per query as an InitPlan);
- previewing a rollout's audience with count(*) FILTER and flagforge_bucket, checked
  against the independent Python port of the reference (test/reference), i.e. the
  same buckets as the FlagForge Python library;
- trying an override in a transaction and rolling it back.
Creates role regress_reports_reader and removes it at the end, also on failure.
"""

import os
import sys

import psycopg2

import tap

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from flagforge_reference import compute_bucket  # noqa: E402

tap.prefix("sql-recipes")
READER = "regress_reports_reader"

admin = psycopg2.connect(dbname=tap.dbname())
admin.autocommit = True
A = admin.cursor()


def as_reader(sql, settings=(), args=()):
    """One request as the application role: settings via set_config(..., true), then the query."""
    conn = psycopg2.connect(dbname=tap.dbname())
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"SET LOCAL ROLE {READER}")
            for name, value in settings:
                cur.execute("SELECT set_config(%s, %s, true)", (name, value))
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        conn.close()


def report_ids(settings=()):
    return [r[0] for r in as_reader("SELECT id FROM reports ORDER BY id", settings)]


A.execute(f"""
CREATE ROLE {READER} NOLOGIN;
GRANT SELECT ON reports TO {READER};
ALTER TABLE reports ENABLE ROW LEVEL SECURITY;
CREATE POLICY reports_beta ON reports FOR SELECT
    USING (flagforge_is_enabled('beta_reports', tenant_id, current_setting('app.user_id', true)));
""")
try:
    # --- RLS, evaluated per row ------------------------------------------------------------------
    tap.eq(report_ids([("app.user_id", "42")]), [1, 2, 3],
           "RLS: user 42 sees acme's reports (targeted) and globex's (switched on)")
    tap.eq(report_ids([("app.user_id", "43")]), [3], "RLS: user 43 sees globex's only")
    tap.eq(report_ids(), [3], "RLS: no app.user_id (anonymous) sees globex's only")
    A.execute("SELECT count(*) FROM reports")
    tap.eq(A.fetchone()[0], 4, "RLS: the table owner is not filtered (use FORCE ROW LEVEL SECURITY for that)")

    # --- RLS, cheap: tenant by an indexable comparison, the flag once per query -------------------
    A.execute("""
    DROP POLICY reports_beta ON reports;
    CREATE POLICY reports_beta ON reports FOR SELECT
        USING (tenant_id = current_setting('flagforge.tenant', true)
               AND (SELECT flagforge_is_enabled('beta_reports')));
    """)
    acme_42 = [("flagforge.tenant", "acme"), ("flagforge.user_id", "42")]
    tap.eq(report_ids(acme_42), [1, 2], "RLS once per query: acme, user 42 sees acme's reports")
    tap.eq(report_ids([("flagforge.tenant", "acme"), ("flagforge.user_id", "43")]), [],
           "RLS once per query: acme, user 43 sees none")
    tap.eq(report_ids([("flagforge.tenant", "globex")]), [3], "RLS once per query: globex sees its report")
    plan = "\n".join(r[0] for r in as_reader("EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM reports", acme_42))
    tap.ok("InitPlan" in plan and plan.count("flagforge_is_enabled") == 1,
           "EXPLAIN: the flag is an InitPlan, evaluated once, not per row", plan)
finally:
    A.execute(f"""
    DROP POLICY IF EXISTS reports_beta ON reports;
    ALTER TABLE reports DISABLE ROW LEVEL SECURITY;
    DROP OWNED BY {READER};
    DROP ROLE {READER};
    """)

# --- previewing a rollout's audience ------------------------------------------------------------
A.execute("SELECT tenant_id, user_id FROM users")
users = A.fetchall()
A.execute("""
SELECT count(*) FILTER (WHERE flagforge_is_enabled('gradual_search', tenant_id, user_id::text)),
       count(*) FILTER (WHERE flagforge_bucket(tenant_id, 'gradual_search', user_id::text) < 20),
       count(*) FILTER (WHERE flagforge_bucket(tenant_id, 'gradual_search', user_id::text) < 35),
       count(*)
FROM users""")
on_now, below_20, below_35, total = A.fetchone()
expected_20 = sum(compute_bucket(t, "gradual_search", str(u)) < 20 for t, u in users)
expected_35 = sum(compute_bucket(t, "gradual_search", str(u)) < 35 for t, u in users)
tap.eq((on_now, total), (expected_20, 3000),
       "audience: count(*) FILTER (WHERE flagforge_is_enabled(...)) = the Python library's buckets (%d of %d)"
       % (expected_20, total))
tap.eq(below_20, on_now, "audience: flagforge_bucket(...) < 20 picks the same users as the 20% rollout")
tap.eq(below_35, expected_35, "audience: 'what if 35%%?' with flagforge_bucket (%d users)" % expected_35)
A.execute("SELECT array_agg(b ORDER BY b) FROM (SELECT DISTINCT flagforge_bucket(tenant_id, 'gradual_search',"
          " user_id::text) AS b FROM users) s")
tap.eq(A.fetchone()[0], list(range(100)), "audience: 3000 users land in all 100 buckets")

# --- trying an override in a transaction, then rolling it back ------------------------------------
conn = psycopg2.connect(dbname=tap.dbname())
with conn.cursor() as cur:
    cur.execute("SELECT flagforge_set_override('beta_checkout', 'initech', enabled => true,"
                " rollout_percentage => 10)")
    cur.execute("SELECT count(*) FILTER (WHERE flagforge_is_enabled('beta_checkout', tenant_id, user_id::text))"
                " FROM users WHERE tenant_id = 'initech'")
    previewed = cur.fetchone()[0]
    conn.rollback()
    cur.execute("SELECT count(*) FILTER (WHERE flagforge_is_enabled('beta_checkout', tenant_id, user_id::text))"
                " FROM users WHERE tenant_id = 'initech'")
    after = cur.fetchone()[0]
conn.close()
expected = sum(compute_bucket(t, "beta_checkout", str(u)) < 10 for t, u in users if t == "initech")
tap.eq(previewed, expected, "preview: inside the transaction a 10%% override reaches %d initech users" % expected)
tap.eq(after, 0, "preview: after ROLLBACK initech has no beta_checkout users again")

# --- a misspelt setting: an error from a connection's first statement with the library preloaded ---
A.execute(f"ALTER DATABASE {tap.dbname()} SET session_preload_libraries = 'flagforge'")
try:
    conn = psycopg2.connect(dbname=tap.dbname())
    with conn.cursor() as cur:
        tap.raises(lambda: cur.execute("SET LOCAL flagforge.tennant = 'acme'"),
                   "session_preload_libraries = 'flagforge': a misspelt flagforge.* setting fails at once",
                   pgcode="42602")
    conn.close()
finally:
    A.execute(f"ALTER DATABASE {tap.dbname()} RESET session_preload_libraries")

admin.close()
tap.done()
