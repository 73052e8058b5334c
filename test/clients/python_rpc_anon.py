#!/usr/bin/python3
"""test/clients/python_rpc_anon.py: PostgREST/Supabase-style RPC with an anonymous role.

Emulates what PostgREST does for `POST /rpc/<function>`: one transaction,
`SET LOCAL ROLE <role>`, the JWT claims in `request.jwt.claims`, an optional
pre-request function, then `SELECT <function>(...)`. Uses psycopg2 as the
superuser that ran run.sh. Creates roles regress_web_anon and regress_web_user
and removes them (and every grant it changed) at the end, also on failure.
"""

import json

import psycopg2
import psycopg2.errors

import tap

tap.prefix("rpc")

ANON, USER = "regress_web_anon", "regress_web_user"
EVALUATION_FUNCTIONS = (
    "flagforge_is_enabled(text, text, text, text[], text)", "flagforge_is_enabled(text)",
    "flagforge_evaluate_all(text, text, text[], text, boolean)", "flagforge_evaluate_all()",
    "flagforge_evaluate_many(text[], text, text, text[], text)",
    "flagforge_explain(text, text, text, text[], text)", "flagforge_status(text, text, text[], text)",
)

admin = psycopg2.connect(dbname=tap.dbname())
admin.autocommit = True
A = admin.cursor()

SETUP = f"""
CREATE ROLE {ANON} NOLOGIN;
CREATE ROLE {USER} NOLOGIN;

-- POST /rpc/public_flags {{"tenant": "acme"}}: public flags, for anyone
CREATE FUNCTION public_flags(tenant text) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT public.flagforge_evaluate_all(tenant, NULL, NULL, 'production', public_only => true) $$;
REVOKE ALL ON FUNCTION public_flags(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public_flags(text) TO {ANON}, {USER};

-- PostgREST's db-pre-request: the flag context from the verified JWT, for this request only
CREATE FUNCTION flag_context_from_jwt() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{{}}')::jsonb;
BEGIN
    PERFORM set_config('flagforge.tenant', coalesce(claims ->> 'tenant_id', ''), true);
    PERFORM set_config('flagforge.user_id', coalesce(claims ->> 'sub', ''), true);
    PERFORM set_config('flagforge.groups',
        coalesce((SELECT string_agg(g, ',') FROM jsonb_array_elements_text(claims -> 'groups') AS g), ''), true);
    PERFORM set_config('flagforge.environment', 'production', true);
END $$;

-- POST /rpc/my_flags: every flag for the signed-in user
CREATE FUNCTION my_flags() RETURNS jsonb
LANGUAGE sql STABLE AS $$ SELECT public.flagforge_evaluate_all() $$;
REVOKE ALL ON FUNCTION my_flags() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION my_flags() TO {USER};
"""

CLEANUP = f"""
RESET ROLE;
DROP FUNCTION IF EXISTS public_flags(text), flag_context_from_jwt(), my_flags();
GRANT EXECUTE ON FUNCTION {", ".join(EVALUATION_FUNCTIONS)} TO PUBLIC;
DROP OWNED BY {ANON}, {USER};
DROP ROLE {ANON}, {USER};
"""


def rpc(role, sql, args=(), claims=None, pre_request=False):
    """One PostgREST request: BEGIN; SET LOCAL ROLE; claims; [pre-request]; the call; COMMIT."""
    conn = psycopg2.connect(dbname=tap.dbname())
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"SET LOCAL ROLE {role}")
            cur.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(claims or {}),))
            if pre_request:
                cur.execute("SELECT flag_context_from_jwt()")
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        conn.close()


def denied(role, sql, what, args=()):
    tap.raises(lambda: rpc(role, sql, args), what, pgcode="42501")


A.execute(SETUP)
try:
    A.execute("SELECT array_agg(key ORDER BY key) FROM flagforge_flags WHERE is_public")
    public_keys = A.fetchone()[0]

    # --- the anonymous role: public flags through the wrapper, no rows --------------------------
    flags = rpc(ANON, "SELECT public_flags(%s)", ("initech",))[0][0]
    tap.eq(flags, {"new_dashboard": True, "dark_mode": True},
           "anon: public_flags('initech') gives initech's public flags")
    tap.eq(sorted(flags), public_keys, "anon: exactly the is_public flags (%s)" % ", ".join(public_keys))
    tap.eq(rpc(ANON, "SELECT public_flags(%s)", ("acme",))[0][0], {"new_dashboard": False, "dark_mode": True},
           "anon: public_flags('acme'): another tenant's answer")
    denied(ANON, "SELECT * FROM flagforge_flags", "anon: SELECT * FROM flagforge_flags is permission denied")
    denied(ANON, "SELECT * FROM flagforge_overrides", "anon: SELECT * FROM flagforge_overrides is permission denied")
    denied(ANON, "SELECT flagforge_enable('beta_checkout', 'acme')", "anon: flagforge_enable is permission denied")
    denied(ANON, "SELECT flagforge_export_yaml(true)", "anon: flagforge_export_yaml reads no rows")

    # With the default grants the evaluation functions are EXECUTE to PUBLIC, so an API that
    # exposes the extension's schema also answers /rpc/flagforge_evaluate_all for any tenant.
    direct = rpc(ANON, "SELECT flagforge_evaluate_all(%s)", ("acme",))[0][0]
    tap.ok("beta_checkout" in direct,
           "by default anon may call flagforge_evaluate_all directly and sees non-public flags", direct)

    # --- locked down: evaluation only through the wrappers ---------------------------------------
    A.execute("REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC" % ", ".join(EVALUATION_FUNCTIONS))
    A.execute(f"GRANT EXECUTE ON FUNCTION flagforge_evaluate_all() TO {USER}")
    denied(ANON, "SELECT flagforge_evaluate_all(%s)", "locked down: anon calling flagforge_evaluate_all is denied",
           ("acme",))
    denied(ANON, "SELECT * FROM flagforge_status(%s)", "locked down: anon calling flagforge_status is denied",
           ("acme",))
    denied(ANON, "SELECT flagforge_is_enabled('beta_checkout', 'acme', '42')",
           "locked down: anon calling flagforge_is_enabled is denied")
    tap.eq(rpc(ANON, "SELECT public_flags(%s)", ("initech",))[0][0], {"new_dashboard": True, "dark_mode": True},
           "locked down: public_flags (SECURITY DEFINER) still answers anon")
    denied(ANON, "SELECT my_flags()", "anon may not call my_flags()")

    # --- a signed-in user: the context from the JWT's claims ---------------------------------------
    claims = {"role": USER, "sub": "42", "tenant_id": "acme", "groups": ["beta"]}
    mine = rpc(USER, "SELECT my_flags()", claims=claims, pre_request=True)[0][0]
    tap.eq(mine, {"new_dashboard": True, "beta_checkout": True, "dark_mode": True,
                  "beta_reports": True, "gradual_search": False},
           "user: pre-request sets flagforge.* from the JWT; my_flags() evaluates acme/42/{beta}")
    claims = {"role": USER, "sub": "7", "tenant_id": "globex"}
    tap.eq(rpc(USER, "SELECT my_flags()", claims=claims, pre_request=True)[0][0],
           {"new_dashboard": False, "beta_checkout": True, "dark_mode": True,
            "beta_reports": True, "gradual_search": False},
           "user: another token, another tenant (globex/7)")
    tap.raises(lambda: rpc(USER, "SELECT my_flags()", claims={"role": USER}, pre_request=True),
               "user: a token without tenant_id gets the no-tenant error (22004)", pgcode="22004")
    denied(USER, "SELECT * FROM flagforge_overrides", "user: no rows of flagforge_overrides either")
finally:
    A.execute(CLEANUP)

A.execute("SELECT count(*) FROM pg_roles WHERE rolname IN (%s, %s)", (ANON, USER))
tap.eq(A.fetchone()[0], 0, "roles %s and %s are gone" % (ANON, USER))
A.execute("SELECT has_function_privilege('public', 'flagforge_evaluate_all(text, text, text[], text, boolean)',"
          " 'execute')")
tap.eq(A.fetchone()[0], True, "the default grants are back")
admin.close()
tap.done()
