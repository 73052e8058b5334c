#!/bin/bash
# test/shell/load.sh: pgbench with 4 clients mixing flagforge_set_override
# writes, evaluate_all and is_enabled for a while: no errors or deadlocks,
# and afterwards every session (a long-lived one included) answers exactly
# what the last writes say, with one audit row per write.
# Needs PGHOST/PGPORT/PGUSER; FF_LOAD_TRANSACTIONS per client (default 25000).
# A fixed number of transactions (not a duration) so that every write
# pgbench counts is one that committed.
set -euo pipefail
cd "$(dirname "$0")/../.."
PGBIN=${FF_PGBIN:-/usr/lib/postgresql/15/bin}
PER_CLIENT=${FF_LOAD_TRANSACTIONS:-25000}
DB=load_test
LOG=$(mktemp /tmp/flagforge-load.XXXXXX)
trap 'rm -f "$LOG"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL'
CREATE EXTENSION flagforge;
INSERT INTO flagforge_flags (key, name) SELECT 'flag_' || i, 'Flag ' || i FROM generate_series(1, 50) i;
SQL

# One long-lived session: caches everything, then waits while the load runs
# (psql's \! keeps the session open), then must see the final state.
psql -X -A -t -v ON_ERROR_STOP=1 -d $DB > "$LOG.session" 2>&1 <<SQL || { cat "$LOG.session"; fail "the long-lived session failed"; }
SELECT count(*) FROM (SELECT flagforge_evaluate_all('tenant_' || t) FROM generate_series(1, 20) t) s;
\\! "$PGBIN/pgbench" -n -c 4 -j 2 -t $PER_CLIENT -f test/shell/load/writer.sql@2 -f test/shell/load/evaluate_all.sql@4 -f test/shell/load/is_enabled.sql@4 $DB > "$LOG" 2>&1; echo \$? > "$LOG.rc"
SELECT 'mismatches ' || count(*) FROM generate_series(1, 20) t, generate_series(1, 50) f
WHERE flagforge_is_enabled('flag_' || f, 'tenant_' || t)
      IS DISTINCT FROM COALESCE((SELECT o.enabled FROM flagforge_overrides o
                                 WHERE o.tenant_id = 'tenant_' || t AND o.flag_key = 'flag_' || f), false);
SQL

[ "$(cat "$LOG.rc")" = 0 ] || { cat "$LOG"; fail "pgbench exited with $(cat "$LOG.rc")"; }
grep -q "number of failed transactions: 0 " "$LOG" || { cat "$LOG"; fail "pgbench reports failed transactions"; }
if grep -qi "deadlock\|error" "$LOG"; then cat "$LOG"; fail "errors during the load"; fi
total=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$LOG")
writes=$(awk '/^SQL script 1:/ { getline; getline; print $2 }' "$LOG")
tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$LOG")
grep -q "^mismatches 0$" "$LOG.session" || { cat "$LOG.session"; fail "the long-lived session disagrees with the rows"; }
echo "ok - $total transactions ($writes writes) by 4 clients at $tps tps, no failed transaction, no deadlock"
echo "ok - the long-lived session answers exactly what the last writes say (1,000 tenant/flag pairs)"

fresh=$(psql -X -A -t -d $DB -c "SELECT count(*) FROM generate_series(1, 20) t, generate_series(1, 50) f
    WHERE flagforge_is_enabled('flag_' || f, 'tenant_' || t)
          IS DISTINCT FROM COALESCE((SELECT o.enabled FROM flagforge_overrides o
                                     WHERE o.tenant_id = 'tenant_' || t AND o.flag_key = 'flag_' || f), false)")
[ "$fresh" = 0 ] || fail "a new session disagrees with the rows in $fresh places"
audit=$(psql -X -A -t -d $DB -c "SELECT count(*) FROM flagforge_audit WHERE table_name LIKE '%flagforge_overrides'")
[ "$audit" = "$writes" ] || fail "$writes writes but $audit audit rows"
echo "ok - a new session agrees too, and there is one audit row per write ($audit)"
rm -f "$LOG.session" "$LOG.rc"
psql -X -q -c "DROP DATABASE $DB"
