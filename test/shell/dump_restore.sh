#!/bin/bash
# test/shell/dump_restore.sh: flags, overrides, tenant schemas and targeting
# (rules, segments, prerequisites, variants, kill switch) survive
# pg_dump/pg_restore and give the same answers afterwards.
# Needs PGHOST/PGPORT/PGUSER.
set -euo pipefail
PGBIN=${FF_PGBIN:-/usr/lib/postgresql/15/bin}
DUMP=$(mktemp /tmp/flagforge-dump.XXXXXX)
trap 'rm -f "$DUMP"' EXIT

for db in dump_source dump_target dump_exact; do
    psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d dump_source <<'SQL'
CREATE EXTENSION flagforge;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, environments, is_public)
SELECT 'flag_' || i, 'Flag ' || i, i % 2 = 0, (i * 7) % 101, CASE WHEN i % 5 = 0 THEN '{production}'::text[] END, i % 3 = 0
FROM generate_series(1, 50) i;
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups)
SELECT 'tenant_' || t, 'flag_' || f, CASE WHEN (t + f) % 3 = 0 THEN NULL ELSE (t + f) % 2 = 0 END,
       CASE WHEN f % 4 = 0 THEN 25 END, ARRAY['user_' || t], ARRAY['group_' || f]
FROM generate_series(1, 10) t, generate_series(1, 50, 3) f;
-- Tenant schemas (one with an odd name) with their own overrides.
SELECT flagforge_create_tenant_schema(s) FROM (VALUES ('tenant_a'), ('Tenant "B"')) v(s);
SET search_path = tenant_a, public;
SELECT flagforge_set_override('flag_' || f, enabled => f % 2 = 1, enabled_for_users => ARRAY['user_3'])
FROM generate_series(1, 50, 4) f;
SET search_path = "Tenant ""B""", public;
SELECT flagforge_set_override('flag_' || f, enabled => f % 3 = 0, rollout_percentage => 40)
FROM generate_series(2, 50, 5) f;
-- Targeting (1.1): a segment, rules for every tenant and for one tenant's override,
-- a prerequisite, variants and a kill switch.
RESET search_path;
INSERT INTO flagforge_segments (id, name, constraints)
VALUES (1, 'eu', '[{"contextName": "region", "operator": "IN", "values": ["eu"]}]');
INSERT INTO flagforge_rules (flag_key, position, strategy, parameters, segments, variants)
VALUES ('flag_1', 0, 'flexibleRollout', '{"rollout": "50", "groupId": "g"}', '{1}',
        '[{"name": "blue", "weight": 1000, "payload": {"type": "string", "value": "b"}}]');
INSERT INTO flagforge_rules (flag_key, tenant_id, position, constraints)
SELECT o.flag_key, o.tenant_id, 0, '[{"contextName": "userId", "operator": "STR_ENDS_WITH", "values": ["7"]}]'
FROM flagforge_overrides o WHERE o.tenant_id = 'tenant_2';
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('flag_4', 'flag_1');
UPDATE flagforge_flags SET kill_switch = true WHERE key = 'flag_6';
UPDATE flagforge_flags SET variants = '[{"name": "x", "weight": 500}, {"name": "y", "weight": 500}]' WHERE key = 'flag_8';
-- A prerequisite cycle and an unknown operator that an Unleash payload holds are
-- stored, and must restore whole.
SET client_min_messages = warning;
SELECT count(*) FROM flagforge_import_unleash('{"features": [
    {"name": "cycle_a", "enabled": true, "dependencies": [{"feature": "cycle_b"}]},
    {"name": "cycle_b", "enabled": true, "dependencies": [{"feature": "cycle_a"}]},
    {"name": "odd_operator", "enabled": true, "strategies": [
        {"name": "default", "constraints": [{"contextName": "a", "operator": "SOUNDS_LIKE", "values": ["b"]}]}]}]}');
RESET client_min_messages;
-- Tenant-scoped roles, switched on.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_dump_acme;
CREATE ROLE regress_dump_acme;
GRANT SELECT ON flagforge_overrides TO regress_dump_acme;
INSERT INTO flagforge_tenant_roles VALUES ('regress_dump_acme', 'tenant_3');
SELECT flagforge_enable_tenant_security();
SQL

# answers DB: a digest of evaluate_all over many contexts, column and schema tenancy.
answers() {
    psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT md5(string_agg(flagforge_evaluate_all('tenant_' || t, 'user_' || u, ARRAY['group_' || (u % 7)], e)::text,
                      '|' ORDER BY t, u, e))
FROM generate_series(1, 12) t, generate_series(1, 40) u, unnest(ARRAY['production', 'staging']) e;
SELECT md5(string_agg(flagforge_evaluate_all(jsonb_build_object('tenant', 'tenant_' || t, 'userId', 'user_' || u,
                                                                'properties', jsonb_build_object('region', r)))::text
                      || flagforge_variant('flag_1', jsonb_build_object('tenant', 'tenant_' || t, 'userId', 'user_' || u,
                                                                       'properties', jsonb_build_object('region', r)))::text,
                      '|' ORDER BY t, u, r))
FROM generate_series(1, 4) t, generate_series(1, 40) u, unnest(ARRAY['eu', 'us']) r;
SET search_path = tenant_a, public;
SELECT md5(string_agg(flagforge_evaluate_all(NULL, 'user_' || u, NULL, 'production')::text, '|' ORDER BY u))
FROM generate_series(1, 40) u;
SET search_path = "Tenant ""B""", public;
SELECT md5(string_agg(flagforge_evaluate_all(NULL, 'user_' || u, NULL, 'production')::text, '|' ORDER BY u))
FROM generate_series(1, 40) u;
SQL
}
# rows DB: a digest of every row flagforge keeps.
rows() {
    psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT (SELECT md5(string_agg(f::text, '|' ORDER BY key)) FROM flagforge_flags f) ||
       (SELECT md5(string_agg(o::text, '|' ORDER BY tenant_id, flag_key)) FROM flagforge_overrides o) ||
       (SELECT md5(string_agg(o::text, '|' ORDER BY flag_key)) FROM tenant_a.flagforge_overrides o) ||
       (SELECT md5(string_agg(o::text, '|' ORDER BY flag_key)) FROM "Tenant ""B""".flagforge_overrides o) ||
       (SELECT string_agg(table_oid::text, ',' ORDER BY table_oid::text) FROM flagforge_tenant_tables) ||
       (SELECT md5(string_agg(s::text, '|' ORDER BY id)) FROM flagforge_segments s) ||
       (SELECT md5(string_agg((r.flag_key, r.tenant_id, r.position, r.strategy, r.parameters, r.constraints,
                               r.segments, r.variants)::text, '|' ORDER BY flag_key, tenant_id, position)) FROM flagforge_rules r) ||
       (SELECT md5(string_agg((p.flag_key, p.parent_key, p.enabled, p.variants)::text, '|' ORDER BY flag_key, parent_key))
        FROM flagforge_prerequisites p);
SQL
}
# security DB: row security on, the policy, and what the bound role sees.
security() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT relrowsecurity, (SELECT count(*) FROM pg_policy WHERE polrelid = c.oid), (SELECT count(*) FROM flagforge_tenant_security)
FROM pg_class c WHERE c.oid = 'flagforge_overrides'::regclass;
SET ROLE regress_dump_acme;
SELECT string_agg(DISTINCT tenant_id, ',') FROM flagforge_overrides;
SQL
}
# audit DB: a digest of the audit trail.
audit() {
    psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" -c "SELECT count(*) || ' ' || md5(string_agg(a::text, '|' ORDER BY id)) FROM flagforge_audit a"
}

"$PGBIN/pg_dump" -Fc -d dump_source -f "$DUMP"
"$PGBIN/pg_restore" -d dump_target --exit-on-error "$DUMP"
# With session_replication_role = replica the extension's audit trigger does
# not fire while rows load, so the trail is restored exactly.
PGOPTIONS="-c session_replication_role=replica" "$PGBIN/pg_restore" -d dump_exact --exit-on-error "$DUMP"

counts=$(psql -X -A -t -d dump_target -c "SELECT (SELECT count(*) FROM flagforge_flags) || ' flags, '
    || (SELECT count(*) FROM flagforge_overrides) || ' overrides and '
    || (SELECT count(*) FROM flagforge_tenant_tables) || ' tenant schemas'")
before=$(answers dump_source); after=$(answers dump_target)
rows_before=$(rows dump_source); rows_after=$(rows dump_target)
exact_answers=$(answers dump_exact); exact_rows=$(rows dump_exact)
audit_before=$(audit dump_source); audit_exact=$(audit dump_exact)
security_target=$(security dump_target); security_exact=$(security dump_exact)
psql -X -q -c "DROP DATABASE dump_source" -c "DROP DATABASE dump_target" -c "DROP DATABASE dump_exact" -c "DROP ROLE regress_dump_acme"
for got in "$security_target" "$security_exact"; do
    if [ "$got" != "$(printf 't|1|1\ntenant_3')" ]; then
        echo "FAIL: tenant security after pg_restore: $got"
        exit 1
    fi
done
if [ "$audit_before" != "$audit_exact" ] || [ "$exact_answers" != "$before" ] || [ "$exact_rows" != "$rows_before" ]; then
    echo "FAIL: a restore with session_replication_role = replica differs"
    echo "audit: $audit_before / $audit_exact"
    exit 1
fi
if [ "$before" != "$after" ] || [ "$rows_before" != "$rows_after" ]; then
    echo "FAIL: answers or rows differ after pg_dump/pg_restore"
    echo "answers: $before / $after"
    echo "rows: $rows_before / $rows_after"
    exit 1
fi
echo "ok - $counts survive pg_dump/pg_restore with identical rows and answers"
echo "ok - tenant security survives pg_dump/pg_restore: row security on, the policy, the switch, and the bound role sees only its tenant"
echo "ok - with session_replication_role = replica the audit trail is restored exactly (${audit_before%% *} rows)"
