#!/bin/bash
# test/shell/upgrade.sh: install the oldest shipped version, walk
# ALTER EXTENSION flagforge UPDATE one step at a time to default_version,
# and compare the result (\dx+, function definitions, tables, triggers)
# with a fresh install; user rows must survive every step.
# Needs PGHOST/PGPORT/PGUSER and the extension installed (make install).
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*"; exit 1; }

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
SQL
}
walked=$(describe upgrade_walked); fresh=$(describe upgrade_fresh)
if [ "$walked" != "$fresh" ]; then
    diff <(echo "$fresh") <(echo "$walked") | head -40
    fail "the walked installation differs from a fresh install of $default"
fi
dx_walked=$(psql -X -d upgrade_walked -c '\dx+ flagforge'); dx_fresh=$(psql -X -d upgrade_fresh -c '\dx+ flagforge')
[ "$dx_walked" = "$dx_fresh" ] || fail "\\dx+ flagforge differs"
psql -X -q -c "DROP DATABASE upgrade_walked" -c "DROP DATABASE upgrade_fresh"
echo "ok - from $oldest to $default in $steps step(s): \\dx+, function definitions, tables and triggers equal a fresh install (versions: $(echo $versions))"
