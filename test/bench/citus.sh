# test/bench/citus.sh: benchmark 10 of test/bench/run.sh (sourced by it; uses its q, fig, check,
# fmt, calc, median_ms, ns_per_row, ROWS, TENANTS, OTHER_FLAGS, PER_TENANT, PG_VERSION).
#
# 10. Citus.  Benchmark 1's gating query, variant B (flag 'f' + 200 flags, every tenant
#     overriding 'f' and 20 others), over $ROWS rows of a table distributed by user_id on a
#     coordinator and two workers on this machine (flags made reference tables by
#     flagforge_citus_distribute()), against the same query over a local copy of the table on
#     the coordinator (one node, the same flags).  The counts must be equal.  Settings for a
#     small machine (2 cores, all three nodes on it), written down here and in the output:
#     one shard per worker (citus.shard_count = 2) and one connection per worker per query
#     (citus.max_adaptive_executor_pool_size = 1), so each worker scans its half on one core;
#     more shards or connections than cores only add task and connection overhead.  Each node:
#     shared_buffers = 256MB, jit = off, no parallel query.  Ports 55485-55487 (/tmp/ffbench-citus-*).
#     Skipped, with a message, where ../shared/citus is absent or with --pg (Citus is built for 15).

CITUS_BENCH_PORT=55485
CITUS_BENCH_PREFIX=/tmp/ffbench-citus
CITUS_NODE_OPTIONS="-c shared_buffers=256MB -c jit=off -c max_parallel_workers_per_gather=0"
CITUS_EXECUTOR="SET citus.max_adaptive_executor_pool_size = 1;"
CITUS_SHARDS=2

# citus_bench: run benchmark 10 (the cluster is stopped by citus_bench_stop, also on failure).
citus_bench() {
    local query="SELECT count(*) FROM t WHERE flagforge_is_enabled('f', tenant_id, user_id)"
    local local_query=${query/FROM t /FROM t_local }
    local dist_ms local_ms dist_count local_count speedup

    ff_citus_install >>"$LOG" 2>&1
    ff_citus_up "$CITUS_BENCH_PREFIX" "$CITUS_BENCH_PORT" bench "$CITUS_NODE_OPTIONS" >>"$LOG" 2>&1
    # q and median_ms talk to the coordinator while this function runs.
    local -x PGHOST=$CITUS_BENCH_PREFIX-coord PGPORT=$CITUS_BENCH_PORT
    q >>"$LOG" <<SQL
CREATE EXTENSION flagforge;
\i test/bench/setup.sql
SET client_min_messages = warning;
CALL ffbench_load_flags($((OTHER_FLAGS + 1)));
CALL ffbench_load_overrides($TENANTS, $PER_TENANT, true);
CALL ffbench_load_table($ROWS, $TENANTS, 1);
CREATE UNLOGGED TABLE t_local AS SELECT * FROM t;
SELECT count(*) FROM flagforge_citus_distribute();
SET citus.shard_count = $CITUS_SHARDS;
SELECT create_distributed_table('t', 'user_id');
SELECT truncate_local_data_after_distributing_table('t');
VACUUM ANALYZE t_local;
VACUUM ANALYZE t;
SQL
    dist_ms=$(median_ms "$query" "$CITUS_EXECUTOR")
    local_ms=$(median_ms "$local_query")
    dist_count=$(q -c "$CITUS_EXECUTOR" -c "$query")
    local_count=$(q -c "$local_query")
    speedup=$(calc "$local_ms / $dist_ms")
    printf '   %-52s %10s ms  %8s ns/row  count %s\n' "distributed ($CITUS_SHARDS shards, 2 workers)" "$(fmt "$dist_ms" 2)" "$(fmt "$(ns_per_row "$dist_ms" "$ROWS")")" "$dist_count"
    printf '   %-52s %10s ms  %8s ns/row  count %s\n' "one node (local copy on the coordinator)" "$(fmt "$local_ms" 2)" "$(fmt "$(ns_per_row "$local_ms" "$ROWS")")" "$local_count"
    printf '   one node / distributed: %sx\n' "$(fmt "$speedup" 2)"
    fig 10 "distributed $CITUS_SHARDS shards 2 workers" "$(ns_per_row "$dist_ms" "$ROWS")" ns/row
    fig 10 "one node" "$(ns_per_row "$local_ms" "$ROWS")" ns/row
    fig 10 "one node/distributed" "$speedup" ratio
    fig 10 "count distributed" "$dist_count" rows
    fig 10 "count one node" "$local_count" rows
    check 10 "Citus: distributed count equals one node's" "$dist_count" "==" "$local_count"
}

# citus_bench_stop: stop and remove benchmark 10's nodes.
citus_bench_stop() {
    ff_citus_down "$CITUS_BENCH_PREFIX"
}

echo
echo "== 10. Citus: benchmark 1's gating query (variant B) over $ROWS rows distributed on 2 workers vs one node"
echo "   (settings for 2 cores: citus.shard_count = $CITUS_SHARDS, citus.max_adaptive_executor_pool_size = 1; per node $CITUS_NODE_OPTIONS)"
source test/lib/citus.sh
if [ -n "$PG_VERSION" ]; then
    echo "   SKIPPED: Citus is built for PostgreSQL 15 here, not $PG_VERSION"
elif why=$(ff_citus_missing); then
    echo "   SKIPPED: $why"
else
    trap 'citus_bench_stop; cleanup' EXIT
    citus_bench
    citus_bench_stop
    trap cleanup EXIT
fi
