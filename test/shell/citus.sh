#!/bin/bash
# test/shell/citus.sh: flagforge's tables as Citus reference tables (flagforge_citus_distribute).
#
# Builds Citus 13.2.2 from ../shared/citus once (cached under /var/cache/flagforge/citus, see
# test/lib/citus.sh; its packages come from apt-get unless FF_SKIP_PACKAGES=1), starts a
# coordinator and two workers on loopback (ports FF_CITUS_PORT.. +2, default 55480; sockets
# /tmp/ff-citus-test-*) and a single plain node (+3) to compare with, then checks:
#   - flagforge_citus_distribute(): refused to a non-superuser, makes the seven configuration
#     tables reference tables, and finds nothing to do the second time;
#   - a gating query on a distributed table runs on the workers, and after every kind of change
#     (flags, overrides, rules, segments, prerequisites, through SQL and the DBA functions, the
#     transaction's own uncommitted changes, TRUNCATE) and with the settings forms (SET LOCAL
#     flagforge.*) lets through exactly as many rows as the same query on the single node
#     (test/shell/citus/scenario.sql, run on both);
#   - writes notify once, write one audit row (on the coordinator, none on the workers) and
#     give every placement the same updated_at;
#   - a table named like a placement that Citus did not make is not one of flagforge's;
#   - distributing is refused while a schema-per-tenant table references the flags;
#   - DROP EXTENSION leaves no placement and no Citus metadata on any node.
# Where ../shared/citus is absent, says that the Citus tests were skipped and why, and exits 0.
# Prints "ok - ..." per check; exits non-zero on the first failure; stops and removes every
# cluster it started.  About 4 minutes the first time (the Citus build), 30 seconds after.
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/citus.sh

if why=$(ff_citus_missing); then
    echo "SKIPPED: the Citus tests (test/shell/citus.sh) did not run: $why"
    exit 0
fi
ff_citus_install

PORT=${FF_CITUS_PORT:-55480}
PREFIX=/tmp/ff-citus-test
SINGLE=$PREFIX-single SINGLE_PORT=$((PORT + 3))
DB=ffcitus
# The suite's connection settings are not ours.
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE

cleanup() {
    local status=$?
    if [ $status -ne 0 ]; then
        for dir in "$PREFIX-coord" "$PREFIX-w1" "$PREFIX-w2" "$SINGLE"; do
            [ -f "$dir/server.log" ] && { echo "--- $dir/server.log (end)"; tail -n 15 "$dir/server.log"; }
        done
    fi
    ff_citus_down "$PREFIX"
    ff_cluster_stop "$SINGLE"
    rm -rf "$SINGLE"
    exit $status
}
trap cleanup EXIT

# on NODE SQL-ARGS...: run psql (unaligned, tuples only, stop on error) on coord, w1, w2 or single.
on() {
    local node=$1 dir port
    shift
    case $node in
        coord) dir=$PREFIX-coord port=$PORT ;;
        w1) dir=$PREFIX-w1 port=$((PORT + 1)) ;;
        w2) dir=$PREFIX-w2 port=$((PORT + 2)) ;;
        single) dir=$SINGLE port=$SINGLE_PORT ;;
    esac
    psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d "$DB" "$@"
}

# expect WHAT EXPECTED ACTUAL: "ok - WHAT", or the difference and exit 1.
expect() {
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1"; echo "  expected: $2"; echo "  actual:   $3"; exit 1
    fi
    echo "ok - $1"
}

ff_citus_up "$PREFIX" "$PORT" "$DB"
ff_cluster_start "$SINGLE" "$SINGLE_PORT"
psql -X -q -h "$SINGLE" -p "$SINGLE_PORT" -U postgres -d postgres -c "CREATE DATABASE $DB"
echo "ok - a coordinator and two workers (Citus $(on coord -c "SELECT pg_catalog.citus_version()" | awk '{print $2}')) and a single node"

# The extension, created on the coordinator, is propagated to the workers by Citus.
on coord -c "CREATE EXTENSION flagforge"
on single -c "CREATE EXTENSION flagforge"
expect "CREATE EXTENSION on the coordinator created it on both workers" "1.1 1.1" \
    "$(on w1 -c "SELECT extversion FROM pg_extension WHERE extname = 'flagforge'") $(on w2 -c "SELECT extversion FROM pg_extension WHERE extname = 'flagforge'")"

# Only a superuser or the extension's owner distributes.
on coord -c "CREATE ROLE regress_hostile LOGIN" -c "GRANT CREATE ON SCHEMA public TO regress_hostile"
out=$(on coord -c "SET ROLE regress_hostile" -c "SELECT * FROM flagforge_citus_distribute()" 2>&1 || true)
expect "flagforge_citus_distribute() is refused to a role that is not superuser" \
    "permission denied" "$(grep -o 'permission denied' <<<"$out" | head -n 1)"

# Rows written before the distribution are copied; a session that cached them sees the change.
for n in coord single; do
    on $n -c "INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage) VALUES ('early', 'Early', true, 45)"
done
# The tables become reference tables; a second call finds nothing to do.
expect "flagforge_citus_distribute() makes the seven tables reference tables; a session that cached the flags before sees the next change" \
    "t|7 made a reference table|f" \
    "$(on coord -c "SELECT flagforge_is_enabled('early', 'acme')" \
        -c "SELECT count(*) || ' ' || min(action) FROM flagforge_citus_distribute()" \
        -c "UPDATE flagforge_flags SET default_enabled = false WHERE key = 'early'" \
        -c "SELECT flagforge_is_enabled('early', 'acme')" 2>/dev/null | paste -sd'|')"
on single -c "UPDATE flagforge_flags SET default_enabled = false WHERE key = 'early'"
expect "a second flagforge_citus_distribute() finds nothing to do" "7 already a reference table" \
    "$(on coord -c "SELECT count(*) || ' ' || min(action) FROM flagforge_citus_distribute()")"
expect "every node knows the seven reference tables" "7 7 7" \
    "$(for n in coord w1 w2; do on $n -c "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'flagforge%' AND repmodel = 't'"; done | xargs)"

# The table to gate: distributed by id over 4 shards (2 per worker); on the single node, local.
on coord -c "CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id text NOT NULL, user_id bigint NOT NULL)" \
    -c "SET citus.shard_count = 4" -c "SELECT create_distributed_table('orders', 'id')" >/dev/null
on single -c "CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id text NOT NULL, user_id bigint NOT NULL)"
# The settings forms reach the workers when Citus passes SET LOCAL along (see the README).
on coord -c "ALTER DATABASE $DB SET citus.propagate_set_commands = 'local'"

# Every kind of change, each followed by the gating query: the same counts as on one node.
on coord -f test/shell/citus/scenario.sql >"$PREFIX-coord/scenario.out"
on single -f test/shell/citus/scenario.sql >"$PREFIX-single.out"
if ! diff "$PREFIX-single.out" "$PREFIX-coord/scenario.out"; then
    echo "FAIL: the gating query on Citus (right) and on one node (left) differ"; exit 1
fi
rm -f "$PREFIX-single.out"
echo "ok - after each of $(wc -l <"$PREFIX-coord/scenario.out") changes (flags, overrides, rules, segments, prerequisites, imports, uncommitted, SET LOCAL forms, TRUNCATE) the counts on Citus equal one node's"
grep -q '^SET LOCAL flagforge.environment|[1-9]' "$PREFIX-coord/scenario.out" \
    || { echo "FAIL: SET LOCAL flagforge.environment let no row through"; exit 1; }

# The query ran on the workers: one task per shard, the function in the workers' query.
plan=$(on coord -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM orders o WHERE flagforge_is_enabled('beta', o.tenant_id, o.user_id::text)")
expect "the gating query is pushed down to the workers (4 tasks, evaluated there)" "Task Count: 4 yes" \
    "$(grep -o 'Task Count: [0-9]*' <<<"$plan") $(grep -q 'flagforge_is_enabled' <<<"$(grep -A 30 'Task Count' <<<"$plan")" && echo yes)"

# The audit trail: one row per change, on the coordinator, the same as on one node; none on workers.
audit="SELECT action || ' ' || table_name || ' ' || count(*) FROM flagforge_audit GROUP BY action, table_name ORDER BY 1"
expect "the coordinator's audit trail is the single node's (one row per change, named by the table)" \
    "$(on single -c "$audit" | xargs)" "$(on coord -c "$audit" | xargs)"
expect "the workers write no audit row" "0 0" \
    "$(on w1 -c "SELECT count(*) FROM flagforge_audit") $(on w2 -c "SELECT count(*) FROM flagforge_audit")"

# updated_at (and created_at) are the same on every placement.
placements="SELECT count(DISTINCT result) FROM run_command_on_placements('flagforge_flags',
    \$\$SELECT pg_catalog.string_agg(key || updated_at || created_at, ',' ORDER BY key) FROM %s\$\$)"
on coord -c "UPDATE flagforge_flags SET name = 'Beta 2' WHERE key = 'beta'"
expect "updated_at and created_at are the same on the three placements" "1" "$(on coord -c "$placements")"
expect "updated_at is the distributed transaction's time, after its start" "t" \
    "$(on coord -c "SELECT updated_at >= created_at FROM flagforge_flags WHERE key = 'beta'")"

# NOTIFY: once per changed row, delivered on the coordinator (2PC works: none on the workers).
notify() {
    on "$1" -c "LISTEN flagforge_changed" \
        -c "UPDATE flagforge_flags SET description = description || 'x' WHERE key IN ('beta', 'env_only')" \
        -c "SELECT 1" 2>&1 | grep -c 'Asynchronous notification "flagforge_changed"' || true
}
expect "an UPDATE of two flags through Citus notifies twice, as on one node" "$(notify single)" "$(notify coord)"

# A table named like a placement that Citus did not make is none of flagforge's: a hostile
# role may create one, but not attach flagforge's triggers; attached by a superuser, they refuse it.
shard=$(on coord -c "SELECT shardid FROM pg_dist_shard WHERE logicalrelid = 'flagforge_flags'::regclass")
fake=public.flagforge_flags_$((shard + 100000))
out=$(on coord -c "SET ROLE regress_hostile" \
    -c "CREATE TABLE $fake (key text, name text, created_at timestamptz, updated_at timestamptz)" \
    -c "CREATE TRIGGER t BEFORE INSERT ON $fake FOR EACH ROW EXECUTE FUNCTION flagforge_row_changed()" 2>&1 || true)
expect "a hostile role cannot attach flagforge's triggers to a table named like a placement" \
    "permission denied for function flagforge_row_changed" "$(grep -o 'permission denied for function flagforge_row_changed' <<<"$out")"
out=$(on coord -c "CREATE TRIGGER t BEFORE INSERT ON $fake FOR EACH ROW EXECUTE FUNCTION flagforge_row_changed()" \
    -c "INSERT INTO $fake VALUES ('x', 'x', now(), now())" 2>&1 || true)
expect "flagforge's triggers refuse a table named like a placement that Citus did not make" \
    "is not one of flagforge's tables" "$(grep -o "is not one of flagforge's tables" <<<"$out" | head -n 1)"
out=$(on coord -c "SELECT flagforge_local_table('$fake')" 2>&1 || true)
expect "flagforge_local_table() names no table but flagforge's own" \
    "is not one of flagforge's tables" "$(grep -o "is not one of flagforge's tables" <<<"$out" | head -n 1)"
expect "flagforge_local_table() names the placement Citus made" "flagforge_flags_$shard" \
    "$(on w1 -c "SELECT flagforge_local_table('flagforge_flags')")"
on coord -c "DROP TABLE $fake"

# DROP EXTENSION: no placement and no Citus metadata left, on any node; and back again.
on coord -c "DROP TABLE orders" -c "DROP EXTENSION flagforge"
leftover="SET citus.override_table_visibility = off;
    SELECT count(*) FROM pg_class WHERE relname LIKE 'flagforge%' AND relkind = 'r';
    SELECT count(*) FROM pg_dist_partition; SELECT count(*) FROM pg_extension WHERE extname = 'flagforge'"
expect "DROP EXTENSION leaves no placement, no Citus metadata and no extension on any node" \
    "0 0 0 0 0 0 0 0 0" "$(for n in coord w1 w2; do on $n -c "$leftover"; done | xargs)"
on coord -c "CREATE EXTENSION flagforge"
# A schema-per-tenant table references the flags: Citus would rename it, so distributing is refused.
on coord -c "SELECT flagforge_create_tenant_schema('tenant_x')" >/dev/null
out=$(on coord -c "SELECT * FROM flagforge_citus_distribute()" 2>&1 || true)
expect "flagforge_citus_distribute() refuses while a tenant schema's table references the flags" \
    "table tenant_x.flagforge_overrides references one of them" \
    "$(grep -o 'table tenant_x.flagforge_overrides references one of them' <<<"$out")"
on coord -c "SET client_min_messages = warning" -c "DROP SCHEMA tenant_x CASCADE"
expect "CREATE EXTENSION and flagforge_citus_distribute() again after the drop" "7" \
    "$(on coord -c "SELECT count(*) FROM flagforge_citus_distribute() WHERE action = 'made a reference table'")"
on coord -c "DROP EXTENSION flagforge"
echo "ok - the Citus tests passed"
