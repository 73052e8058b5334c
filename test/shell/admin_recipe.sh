#!/bin/bash
# test/shell/admin_recipe.sh: the README's admin recipe, run exactly as
# written (the SQL between the admin-recipe markers), lets its admin do the
# whole job as a login role: import YAML, switch flags, create a tenant
# schema and write in it, read the audit trail and prune it; and nothing
# more (no switching triggers off, no deleting the trail).
# Needs PGHOST/PGPORT/PGUSER (a superuser) and the extension installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*"; exit 1; }
export PGOPTIONS="-c client_min_messages=warning"
recipe=$(sed -n '/<!-- admin-recipe -->/,/<!-- \/admin-recipe -->/p' README.md | sed '/^<!--/d;/^```/d')
[ -n "$recipe" ] || fail "no admin recipe found in README.md"

psql -X -q -c "DROP DATABASE IF EXISTS app" -c "DROP ROLE IF EXISTS alice" -c "DROP ROLE IF EXISTS bob" -c "DROP ROLE IF EXISTS flagforge_admin"
psql -X -q -c "CREATE DATABASE app"
psql -X -q -v ON_ERROR_STOP=1 -d app -c "CREATE EXTENSION flagforge"
echo "$recipe" | psql -X -q -v ON_ERROR_STOP=1 -d app -o /dev/null
psql -X -q -v ON_ERROR_STOP=1 -d app -c "CREATE ROLE bob LOGIN IN ROLE flagforge_admin"
echo "ok - the README's admin recipe runs as written"

as() { local who=$1; shift; PGUSER=$who psql -X -q -A -t -v ON_ERROR_STOP=1 -d app "$@"; }
as alice -o /dev/null <<'SQL'
SELECT * FROM flagforge_import_yaml($$
flags:
  beta: {name: Beta, rollout_percentage: 30, default_enabled: true}
$$);
SELECT flagforge_enable('beta', 'acme');
SELECT flagforge_set_override('beta', 'globex', enabled_for_users => '{carol}');
SELECT flagforge_create_tenant_schema('tenant_initech');
SET search_path = tenant_initech, public;
SELECT flagforge_disable('beta');
SQL
echo "ok - as alice: import_yaml, enable, set_override, create_tenant_schema and a write in it"
as bob -o /dev/null -c "SET search_path = tenant_initech, public; SELECT flagforge_enable('beta')"
[ "$(as bob -c "SELECT enabled FROM tenant_initech.flagforge_overrides")" = t ] || fail "bob (another admin) cannot write alice's tenant table"
echo "ok - as bob, another admin: writes the tenant table alice created"
[ "$(as alice -c "SELECT count(*) FROM flagforge_audit WHERE actor IN ('alice', 'bob')")" -ge 5 ] || fail "the admins' writes are not in the trail"
[ "$(as alice -c "SELECT flagforge_prune_audit(interval '1 day')")" = 0 ] || fail "prune"
[ "$(as alice -c "SELECT actor FROM flagforge_audit WHERE action = 'PRUNE'")" = alice ] || fail "the prune is not recorded as alice's"
echo "ok - as alice: reads the audit trail, prunes it, and the prune is recorded"

for attempt in "DELETE FROM flagforge_audit" "TRUNCATE flagforge_audit" \
               "ALTER TABLE tenant_initech.flagforge_overrides DISABLE TRIGGER ALL" \
               "DROP TRIGGER flagforge_overrides_audit ON tenant_initech.flagforge_overrides" \
               "SELECT * FROM flagforge_tenant_roles" "SELECT flagforge_enable_tenant_security()"; do
    if as alice -c "$attempt" >/dev/null 2>&1; then
        fail "alice could: $attempt"
    fi
done
echo "ok - as alice: cannot delete or truncate the trail, switch the tenant table's triggers off, or touch tenant security"

[ -n "${KEEP:-}" ] || psql -X -q -c "DROP DATABASE app" -c "DROP ROLE alice" -c "DROP ROLE bob" -c "DROP ROLE flagforge_admin"
