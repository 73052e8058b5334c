#!/bin/bash
# test/shell/upgrade.sh: install the oldest shipped version, walk
# ALTER EXTENSION flagforge UPDATE one step at a time to default_version,
# and compare the result (\dx+, function definitions, tables, triggers)
# with a fresh install; user rows must survive every step.
# Needs PGHOST/PGPORT/PGUSER and the extension installed (make install).
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*"; exit 1; }
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

default=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" flagforge.control)
# Versions with a full install script, oldest first.
versions=$(ls flagforge--*.sql | grep -v -- '--.*--' | sed 's/flagforge--\(.*\)\.sql/\1/' | sort -V)
oldest=$(echo "$versions" | head -n 1)

for db in upgrade_walked upgrade_fresh; do
    psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
psql -X -q -v ON_ERROR_STOP=1 -d upgrade_walked -c "CREATE EXTENSION flagforge VERSION '$oldest'"
psql -X -q -v ON_ERROR_STOP=1 -d upgrade_fresh -c "CREATE EXTENSION flagforge"

# User rows written before the walk.
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d upgrade_walked <<'SQL'
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage) VALUES ('kept', 'Kept', true, 30);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, enabled_for_users) VALUES ('acme', 'kept', false, '{vip}');
SQL
# 1.0 state the upgrade must carry over: a tenant table made by a delegated
# admin (and so owned by it), and tenant security switched on.
if [ "$oldest" = 1.0 ]; then
    psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d upgrade_walked <<'SQL'
DROP ROLE IF EXISTS regress_upgrade_delegate;
CREATE ROLE regress_upgrade_delegate;
GRANT CREATE ON DATABASE upgrade_walked TO regress_upgrade_delegate;
GRANT REFERENCES, SELECT ON flagforge_flags TO regress_upgrade_delegate;
GRANT INSERT, SELECT ON flagforge_tenant_tables TO regress_upgrade_delegate;
GRANT EXECUTE ON FUNCTION flagforge_create_tenant_schema(text, boolean), flagforge_attach_triggers(regclass, text, boolean)
    TO regress_upgrade_delegate;
SET ROLE regress_upgrade_delegate;
SELECT flagforge_create_tenant_schema('upgrade_tenant');
INSERT INTO upgrade_tenant.flagforge_overrides (flag_key, enabled) VALUES ('kept', true);
-- What a 1.0 table owner could hang on it: code that would run as whoever writes
-- or analyzes the table once it belongs to the extension owner.
CREATE FUNCTION upgrade_tenant.f(text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN $1; END $$;
CREATE INDEX regress_foreign_index ON upgrade_tenant.flagforge_overrides (upgrade_tenant.f(flag_key));
CREATE FUNCTION upgrade_tenant.t() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER regress_foreign_trigger BEFORE INSERT ON upgrade_tenant.flagforge_overrides FOR EACH ROW EXECUTE FUNCTION upgrade_tenant.t();
-- Worse: the creator of another one turns it into a view whose function would
-- run as the superuser who updates, if the update read it.
SELECT flagforge_create_tenant_schema('upgrade_view');
CREATE TABLE upgrade_view.marks (who text);
GRANT INSERT ON upgrade_view.marks TO PUBLIC;
-- (PostgreSQL 16 and later refuse to turn a table into a view.)
SELECT current_setting('server_version_num')::int < 160000 AS tables_become_views \gset
\if :tables_become_views
DROP TRIGGER flagforge_overrides_row_changed ON upgrade_view.flagforge_overrides;
DROP TRIGGER flagforge_overrides_truncated ON upgrade_view.flagforge_overrides;
DROP TRIGGER flagforge_overrides_notify ON upgrade_view.flagforge_overrides;
DROP TRIGGER flagforge_overrides_notify_truncate ON upgrade_view.flagforge_overrides;
DROP TRIGGER flagforge_overrides_audit ON upgrade_view.flagforge_overrides;
DROP TRIGGER flagforge_overrides_audit_truncate ON upgrade_view.flagforge_overrides;
ALTER TABLE upgrade_view.flagforge_overrides DROP CONSTRAINT flagforge_overrides_flag_key_fkey,
    DROP CONSTRAINT flagforge_overrides_pkey;
DROP INDEX upgrade_view.flagforge_overrides_flag_key_idx;
VACUUM upgrade_view.flagforge_overrides;   -- clears relhastriggers, as a rule needs
CREATE FUNCTION upgrade_view.mark() RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN INSERT INTO upgrade_view.marks VALUES (current_user); RETURN true; END $$;
CREATE RULE "_RETURN" AS ON SELECT TO upgrade_view.flagforge_overrides DO INSTEAD
    SELECT NULL::text COLLATE "C" AS flag_key, NULL::boolean AS enabled, NULL::int AS rollout_percentage,
           NULL::text[] AS enabled_for_users, NULL::text[] AS enabled_for_groups,
           NULL::timestamptz AS updated_at, NULL::text AS updated_by WHERE upgrade_view.mark();
\endif
RESET ROLE;
INSERT INTO flagforge_tenant_roles VALUES ('regress_upgrade_delegate', 'acme');
SELECT flagforge_enable_tenant_security();
SQL
fi
rows() { psql -X -A -t -d upgrade_walked -c "SELECT (SELECT string_agg(f::text, ',') FROM (SELECT key, name, default_enabled, rollout_percentage FROM flagforge_flags) f) || '|' || (SELECT string_agg(o::text, ',') FROM (SELECT tenant_id, flag_key, enabled, enabled_for_users FROM flagforge_overrides) o)"; }
rows_before=$(rows)

current=$oldest
steps=0
while [ "$current" != "$default" ]; do
    next=$(ls flagforge--"$current"--*.sql 2>/dev/null | sed "s/flagforge--$current--\(.*\)\.sql/\1/" | sort -V | head -n 1)
    [ -n "$next" ] || fail "no upgrade script from $current towards $default"
    psql -X -q -v ON_ERROR_STOP=1 -d upgrade_walked -c "ALTER EXTENSION flagforge UPDATE TO '$next'"
    [ "$(rows)" = "$rows_before" ] || fail "user rows changed by the update to $next"
    echo "ok - ALTER EXTENSION flagforge UPDATE TO '$next' kept the user rows"
    current=$next
    steps=$((steps + 1))
done

if [ "$oldest" = 1.0 ]; then
    carried=$(psql -X -A -t -v ON_ERROR_STOP=1 -d upgrade_walked -c "
        SELECT pg_get_userbyid(c.relowner) = pg_get_userbyid(e.extowner),
               has_table_privilege('regress_upgrade_delegate', c.oid, 'INSERT, UPDATE, DELETE, SELECT'),
               (SELECT count(*) FROM flagforge_tenant_security),
               (SELECT relrowsecurity FROM pg_class WHERE oid = 'flagforge_overrides'::regclass),
               (SELECT string_agg(flag_key || '=' || enabled, ',') FROM upgrade_tenant.flagforge_overrides),
               (SELECT count(*) FROM pg_index WHERE indrelid = c.oid),
               (SELECT count(*) FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal AND tgname NOT LIKE 'flagforge\_%'),
               (SELECT count(*) FROM flagforge_tenant_tables WHERE table_oid = c.oid)
        FROM pg_class c, pg_extension e WHERE c.oid = 'upgrade_tenant.flagforge_overrides'::regclass AND e.extname = 'flagforge'")
    marks=$(psql -X -A -t -d upgrade_walked -c "SELECT count(*) FROM upgrade_view.marks")
    [ "$marks" = 0 ] || fail "the update ran a tenant table creator's code ($marks times)"
    if [ "$(psql -X -A -t -d upgrade_walked -c "SELECT current_setting('server_version_num')::int < 160000")" = t ]; then
        [ "$(psql -X -A -t -d upgrade_walked -c "SELECT count(*) FROM flagforge_tenant_tables WHERE table_oid::text LIKE 'upgrade_view.%'")" = 0 ] \
            || fail "a view is still registered as a tenant table"
        echo "ok - a 1.0 tenant table turned into a view is unregistered with a WARNING, never read"
    fi
    [ "$carried" = "t|t|1|t|kept=true|2|0|1" ] || fail "1.0 state not carried over (owner moved|delegate keeps DML|security on|RLS on|rows|indexes|foreign triggers|registered): $carried"
    echo "ok - the 1.0 tenant table is rebuilt: owned by the extension owner, its rows and its creator's DML kept, its creator's index and trigger gone; tenant security stays on"
    psql -X -q -d upgrade_walked -c "DROP SCHEMA upgrade_tenant CASCADE" -c "DROP SCHEMA upgrade_view CASCADE" -c "TRUNCATE flagforge_tenant_roles" \
        -c "SELECT flagforge_disable_tenant_security()" -c "REVOKE ALL ON DATABASE upgrade_walked FROM regress_upgrade_delegate" \
        -c "REVOKE ALL ON flagforge_flags, flagforge_tenant_tables FROM regress_upgrade_delegate" \
        -c "REVOKE ALL ON FUNCTION flagforge_create_tenant_schema(text, boolean), flagforge_attach_triggers(regclass, text, boolean) FROM regress_upgrade_delegate" >/dev/null
fi

# What an installation looks like: members, function definitions, columns, constraints, triggers.
describe() {
    psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT pg_describe_object(classid, objid, 0) FROM pg_depend
WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'flagforge') AND deptype = 'e' ORDER BY 1;
SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'flagforge') AND p.prokind <> 'a' ORDER BY p.oid::regprocedure::text;
SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid)
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
WHERE c.relname LIKE 'flagforge\_%' AND c.relkind = 'r' ORDER BY 1, 2;
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conname LIKE 'flagforge\_%' OR conrelid::regclass::text LIKE 'flagforge\_%' ORDER BY 1, 2;
SELECT tgrelid::regclass, tgname, tgenabled, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2;
SELECT extversion FROM pg_extension WHERE extname = 'flagforge';
-- Grants and ownership: every ACL of a member, row security, policies, event triggers.
SELECT pg_describe_object(d.classid, d.objid, 0),
       COALESCE(p.proacl::text, c.relacl::text, ''), COALESCE(p.prosecdef::text, ''),
       COALESCE(c.relrowsecurity::text, ''), COALESCE(c.relforcerowsecurity::text, ''),
       pg_get_userbyid(COALESCE(p.proowner, c.relowner))
FROM pg_depend d
LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'flagforge') AND d.deptype = 'e' ORDER BY 1;
SELECT polrelid::regclass, polname, polcmd, polpermissive, polroles::regrole[]::text,
       pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid) FROM pg_policy ORDER BY 1, 2;
SELECT evtname, evtevent, evtenabled, evtfoid::regprocedure, evttags FROM pg_event_trigger ORDER BY 1;
SQL
}
walked=$(describe upgrade_walked); fresh=$(describe upgrade_fresh)
if [ "$walked" != "$fresh" ]; then
    diff <(echo "$fresh") <(echo "$walked") | head -40
    fail "the walked installation differs from a fresh install of $default"
fi
dx_walked=$(psql -X -d upgrade_walked -c '\dx+ flagforge'); dx_fresh=$(psql -X -d upgrade_fresh -c '\dx+ flagforge')
[ "$dx_walked" = "$dx_fresh" ] || fail "\\dx+ flagforge differs"
psql -X -q -c "DROP DATABASE upgrade_walked" -c "DROP DATABASE upgrade_fresh" -c "DROP ROLE IF EXISTS regress_upgrade_delegate"
echo "ok - from $oldest to $default in $steps step(s): \\dx+, function definitions, tables, triggers, grants, ACLs, policies and event triggers equal a fresh install (versions: $(echo $versions))"
