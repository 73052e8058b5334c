#!/bin/bash
# test/bench/run.sh: the flagforge benchmarks (`make bench`).
#
#   bash test/bench/run.sh            full size (about 3 minutes on 2 cores)
#   bash test/bench/run.sh --quick    every size ~10x smaller, 2 s runs: to validate the script
#
# Installs what it lacks (gnuplot-nox, python3-psycopg2; and builds and installs flagforge if it
# is not installed), starts its own throwaway cluster (as postgres, port 56000, /tmp/ffbench;
# shared_buffers=1GB, jit=off, max_parallel_workers_per_gather=0 so plans are serial unless a
# benchmark asks otherwise), runs the benchmarks, prints every figure with the baseline measured
# in the same run and a PASS/FAIL per target, writes test/bench/results/figures.csv
# (benchmark,parameter,value,unit) and test/bench/results/scaling.png, and stops the cluster.
# It exits 0 even when a target is missed: the figures are reported as measured.
#
# What each benchmark measures (query times are EXPLAIN (ANALYZE, TIMING OFF) execution times,
# the median of 5 runs after one warm-up run in the same session):
#
# 1. Row gating.  t(tenant_id, user_id): 1,000,000 rows over 1,000 tenants (consecutive rows
#    belong to different tenants).  Flag 'f' (default on, rollout 20) plus 200 other flags;
#    every tenant has overrides on 20 of the others (variant A) and, in variant B, also one on
#    'f' (enabled, rollout 30).  SELECT count(*) FROM t WHERE flagforge_is_enabled('f',
#    tenant_id, user_id) against the same scan filtered by hashtext(user_id) % 100 < 20
#    (target: ratio <= 1.5) and against test/bench/plpgsql_resolver.sql, the resolver and
#    MurmurHash3 written in pure PL/pgSQL over the same tables (target: flagforge >= 50x faster
#    per row; the PL/pgSQL one is timed on a 20,000-row subset, compared per row, and its count
#    is checked against flagforge's on that subset).  The parallel plan (2 workers, forced)
#    must give the serial count.
# 2. evaluate_all.  Single-client pgbench (-M prepared, 10 s) of flagforge_evaluate_all('t7',
#    'user-7', '{g1,g3}', 'prod') with 200 flags against SELECT j FROM one_row holding the same
#    jsonb (target: TPS ratio >= 0.7; the two alternate, 2 rounds of 5 s each); and TPS for 20, 200, 2,000 and 20,000 flags (the time
#    per call should grow linearly: the marginal cost per flag of 2,000 -> 20,000 within 1.5x of
#    that of 200 -> 2,000).
# 3. The Python library's way (test/bench/python_compare.py, /usr/bin/python3 + psycopg2): per
#    request two SELECTs (all definitions, the tenant's overrides) and the reference resolver in
#    Python, against one SELECT flagforge_evaluate_all(...); requests/s of each, 200 flags, the
#    same random contexts, answers compared.
# 4. Scaling.  Per-row cost (ns/row, nothing subtracted) of the row-gating query over 200,000
#    rows for 10 .. 100,000 flags (1,000 tenants) and for 10 .. 100,000 tenants (200 flags, 20
#    overrides each; flagforge.cache_memory_limit = 1GB so that every tenant stays cached after
#    the warm-up run).  Target: max/min within 1.2x on each axis.  Plotted in scaling.png.  The
#    largest tenant count is also timed with the default 64MB bound (not a target: what a
#    working set larger than the bound costs).
# 5. Memory (flagforge_cache_stats()).  Bytes per cached flag with 20,000 flags; bytes per cached
#    tenant (20 overrides each) after touching 10,000 tenants with flagforge_evaluate_all (which
#    caches per tenant; row gating caches per flag instead); and with
#    flagforge.cache_memory_limit = 8MB, one statement touching 100,000 distinct tenants: the
#    tenant bytes after it must be under the limit (the largest figure seen inside the
#    statement, sampled after every row, is reported too: the limit is enforced at the next
#    call, so it may pass the limit by at most one tenant's load, one memory block: <= 10%).
# 7. YAML import.  flagforge_import_yaml of a document with 10,000 flags (and overrides for 100
#    tenants on 20 of them) into an empty table (all created), again (all unchanged), and with a
#    tenth of them changed; against a plain INSERT of the same 10,000 flags (the same triggers
#    fire).  Target: the import of 10,000 flags well under 2 s.  Timed with clock_timestamp()
#    around the call, median of 3.
# 6. Writes.  pgbench, 4 reader clients (flagforge_is_enabled + flagforge_evaluate_all for a
#    random tenant) for 10 s: alone; beside 1 control writer upserting the same kind of row into
#    a plain table (what any writer costs the readers in CPU and WAL on this machine); beside 1
#    writer flipping 'f1' for a random tenant with flagforge_enable/flagforge_disable.  Readers
#    take no lock a writer holds; every flagforge write invalidates the readers' caches, so they
#    reload.  Reports the writers' TPS and the readers' TPS in each case (target, ours: with the
#    flagforge writer >= 0.5 of alone, "does not collapse"; on 2 cores the writer and its pgbench
#    alone take a share of the CPU, which the control shows).
# 10. Citus (test/bench/citus.sh, whose header gives the executor settings for a small machine):
#    benchmark 1's gating query over the same rows distributed on a coordinator and two workers
#    started on this machine, against the same query on one node; skipped with a message where
#    ../shared/citus is absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh

QUICK=0
PG_VERSION=""                   # --pg=17: the server runs in that version's chroot (test/lib/chroot.sh)
for arg in "$@"; do
    case $arg in
        --quick) QUICK=1 ;;
        --pg=*) PG_VERSION=${arg#--pg=} ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "usage: bash test/bench/run.sh [--quick] [--pg=17|--pg=18]" >&2; exit 2 ;;
    esac
done

# ---------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------
RUNS=5                          # timed runs per query (after one warm-up run)
TENANTS=1000                    # tenants of benchmarks 1, 2, 3, 6 and of the flag axis of 4
OTHER_FLAGS=200                 # flags besides 'f' in benchmark 1
PER_TENANT=20                   # overrides per tenant
CURVE_FLAGS="20 200 2000 20000" # benchmark 2's curve
if [ "$QUICK" = 1 ]; then
    ROWS=100000 SUBSET=2000 SECONDS_EACH=2
    SCALE_ROWS=20000 SCALE_LIST="10 100 1000 10000"
    MEM_FLAGS=2000 MEM_TENANTS=1000 BOUND_TENANTS=10000 IMPORT_FLAGS=1000
else
    ROWS=1000000 SUBSET=20000 SECONDS_EACH=10
    SCALE_ROWS=200000 SCALE_LIST="10 100 1000 10000 100000"
    MEM_FLAGS=20000 MEM_TENANTS=10000 BOUND_TENANTS=100000 IMPORT_FLAGS=10000
fi
BOUND_LIMIT=8MB
BOUND_MAP_TENANTS=10000 BOUND_MAP_ROWS=20000   # benchmark 8 (issue 10's reproduction)

BENCH_DIR=/tmp/ffbench
BENCH_PORT=56000
RESULTS=test/bench/results${PG_VERSION:+/pg$PG_VERSION}
CSV=$RESULTS/figures.csv
LOG=$RESULTS/bench.log
PGBENCH=$FF_PGBIN/pgbench

# ---------------------------------------------------------------------------
# What the benchmarks need
# ---------------------------------------------------------------------------
need=()
command -v gnuplot >/dev/null 2>&1 || need+=(gnuplot-nox)
/usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || need+=(python3-psycopg2)
[ -x "$PGBENCH" ] || need+=(postgresql-15 postgresql-contrib)
if [ ${#need[@]} -gt 0 ]; then
    echo "== installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ -z "$PG_VERSION" ] && [ ! -f "$("$FF_PGBIN/pg_config" --sharedir)/extension/flagforge.control" ]; then
    echo "== flagforge is not installed: building and installing it"
    ff_install_packages
    make -s >/dev/null
    make -s install >/dev/null
fi

mkdir -p "$RESULTS"
: >"$LOG"
echo "benchmark,parameter,value,unit" >"$CSV"

SERVER_OPTIONS="-c shared_buffers=1GB -c max_parallel_workers_per_gather=0 -c jit=off \
     -c max_wal_size=8GB -c checkpoint_timeout=30min -c max_connections=50"
BG_PIDS=()
if [ -z "$PG_VERSION" ]; then
    cleanup() {
        for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
        ff_cluster_stop "$BENCH_DIR"
        rm -rf "$BENCH_DIR/data"    # keep server.log
    }
    trap cleanup EXIT
    echo "== starting a throwaway cluster in $BENCH_DIR on port $BENCH_PORT"
    ff_cluster_start "$BENCH_DIR" "$BENCH_PORT" "$SERVER_OPTIONS"
    export PGHOST=$BENCH_DIR
else
    # The server of another version runs in its chroot, with flagforge built there; the
    # clients (psql, pgbench, Python) are the host's and reach it through its socket directory.
    source test/lib/chroot.sh
    ff_chroot_ensure "$PG_VERSION"
    CHROOT=$(ff_chroot_dir "$PG_VERSION")
    rm -rf "$CHROOT/flagforge" && mkdir -p "$CHROOT/flagforge"
    git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$CHROOT/flagforge" -xf -
    in_chroot="cd /flagforge && export FF_PGBIN=/usr/lib/postgresql/$PG_VERSION/bin && source test/lib/cluster.sh"
    cleanup() {
        for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
        ff_chroot_run "$PG_VERSION" "$in_chroot && ff_cluster_stop $BENCH_DIR" || true
        ff_chroot_unmount_all
    }
    trap cleanup EXIT
    echo "== PostgreSQL $PG_VERSION: building flagforge and starting a cluster in $CHROOT$BENCH_DIR on port $BENCH_PORT"
    ff_chroot_run "$PG_VERSION" "$in_chroot && make -s PG_CONFIG=\$FF_PGBIN/pg_config >/dev/null && \
        make -s PG_CONFIG=\$FF_PGBIN/pg_config install >/dev/null && ff_cluster_start $BENCH_DIR $BENCH_PORT '$SERVER_OPTIONS'"
    export PGHOST=$CHROOT$BENCH_DIR
fi
export PGPORT=$BENCH_PORT PGUSER=postgres PGDATABASE=bench
unset PGOPTIONS PGSERVICE

q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@" 2>>"$LOG"; }
trap 'echo "run.sh: failed at line $LINENO; the end of $LOG:" >&2; tail -n 5 "$LOG" >&2' ERR

psql -X -q -d postgres -c "CREATE DATABASE bench"
q -c "CREATE EXTENSION flagforge"
q -f test/bench/setup.sql
q -f test/bench/plpgsql_resolver.sql

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

# fig BENCHMARK PARAMETER VALUE UNIT: one row of figures.csv.
fig() { echo "$1,$2,$3,$4" >>"$CSV"; }

# calc EXPR: floating-point arithmetic.
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

# fmt NUMBER [DECIMALS]: a number for the tables.
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, v }'; }

SUMMARY=()
# check BENCHMARK WHAT VALUE OP TARGET [UNIT]: print and remember PASS/FAIL.
check() {
    local bench=$1 what=$2 value=$3 op=$4 target=$5 unit=${6:-} ok verdict line
    ok=$(awk -v v="$value" -v t="$target" -v op="$op" \
        'BEGIN { if (op == "<=") r = (v <= t); else if (op == ">=") r = (v >= t); else r = (v == t); print r }')
    if [ "$ok" = 1 ]; then verdict=PASS; else verdict=FAIL; fi
    line=$(printf '%-4s  %-3s %-58s %14s  (target %s %s%s)' "$verdict" "$bench" "$what" "$value$unit" "$op" "$target" "$unit")
    echo "$line"
    SUMMARY+=("$line")
    fig "$bench" "check: $what" "$verdict" "PASS/FAIL"
}

# median_ms QUERY [SETUP_SQL]: median execution time (ms) of RUNS runs after one warm-up run,
# all in one session (so the warm-up loads the session's flag cache).
median_ms() {
    local query=$1 setup=${2:-} i
    {
        echo "$setup"
        for i in $(seq 0 "$RUNS"); do echo "EXPLAIN (ANALYZE, TIMING OFF) $query;"; done
    } | q | sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' | tail -n +2 | sort -g \
      | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ns_per_row MS ROWS
ns_per_row() { calc "$1 * 1000000 / $2"; }

# pgbench_tps SCRIPT CLIENTS SECONDS: TPS (without connection time) of a pgbench run.
pgbench_tps() {
    local out
    out=$("$PGBENCH" -n -M prepared -c "$2" -j "$2" -T "$3" -f "$1" 2>&1) || { echo "$out" >&2; return 1; }
    echo "$out" >>"$LOG"
    echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

# tps_against_one_row SCRIPT: "TPS_OF_SCRIPT TPS_OF_ONE_ROW", the two alternated (2 rounds of
# half of SECONDS_EACH each), so that a change in the machine's load hits both alike; each is the
# mean of its rounds.  Loads one_row (the jsonb of evaluate_all in benchmark 2's context) first.
tps_against_one_row() {
    local half o1 s1 o2 s2
    q -c "SET client_min_messages = warning" -c "CALL ffbench_load_one_row()" >/dev/null
    half=$(( (SECONDS_EACH + 1) / 2 ))
    o1=$(pgbench_tps test/bench/pgbench_one_row.sql 1 "$half")
    s1=$(pgbench_tps "$1" 1 "$half")
    o2=$(pgbench_tps test/bench/pgbench_one_row.sql 1 "$half")
    s2=$(pgbench_tps "$1" 1 "$half")
    echo "$(calc "($s1 + $s2) / 2") $(calc "($o1 + $o2) / 2")"
}

load_flags() { q -c "SET client_min_messages = warning" -c "CALL ffbench_load_flags($1)"; }
load_overrides() { q -c "CALL ffbench_load_overrides($1, $2, $3)"; }
load_table() { q -c "SET client_min_messages = warning" -c "CALL ffbench_load_table($1, $2, $3)" -c "VACUUM ANALYZE t" -c "VACUUM ANALYZE t_subset"; }

echo "== PostgreSQL $(q -c 'SHOW server_version'), flagforge $(q -c 'SELECT flagforge_version()'), $(nproc) cores$([ "$QUICK" = 1 ] && echo ', QUICK MODE (sizes /10, 2 s runs: not the figures to report)')"
fig meta quick "$QUICK" bool
fig meta cores "$(nproc)" count

GATE="flagforge_is_enabled('f', tenant_id, user_id)"
FF_QUERY="SELECT count(*) FROM t WHERE $GATE"
HASH_QUERY="SELECT count(*) FROM t WHERE hashtext(user_id) % 100 < 20"
PLPGSQL_QUERY="SELECT count(*) FROM t_subset WHERE ffbench_is_enabled('f', tenant_id, user_id)"
PARALLEL_SETUP="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"

# ---------------------------------------------------------------------------
# 1. Row gating
# ---------------------------------------------------------------------------
echo
echo "== 1. row gating: $ROWS rows, $TENANTS tenants, 'f' + $OTHER_FLAGS flags, $PER_TENANT overrides per tenant"
echo "   (PL/pgSQL baseline: pure PL/pgSQL resolver and MurmurHash3, timed on a $SUBSET-row subset, compared per row)"
load_flags $((OTHER_FLAGS + 1))
load_table "$ROWS" "$TENANTS" "$SUBSET"
for variant in A B; do
    if [ $variant = A ]; then
        on_f=false; label="no override on f"
    else
        on_f=true; label="every tenant overrides f (on, rollout 30)"
    fi
    load_overrides "$TENANTS" "$PER_TENANT" "$on_f"
    ff_ms=$(median_ms "$FF_QUERY")
    hash_ms=$(median_ms "$HASH_QUERY")
    pl_ms=$(median_ms "$PLPGSQL_QUERY")
    ff_ns=$(ns_per_row "$ff_ms" "$ROWS"); hash_ns=$(ns_per_row "$hash_ms" "$ROWS"); pl_ns=$(ns_per_row "$pl_ms" "$SUBSET")
    ratio_hash=$(calc "$ff_ms / $hash_ms"); speedup=$(calc "$pl_ns / $ff_ns")
    count_serial=$(q -c "$FF_QUERY")
    count_parallel=$(q -c "$PARALLEL_SETUP" -c "$FF_QUERY")
    workers=$(q -c "$PARALLEL_SETUP" -c "EXPLAIN (ANALYZE, TIMING OFF) $FF_QUERY" | sed -n 's/.*Workers Launched: \([0-9]*\).*/\1/p' | head -1)
    par_ms=$(median_ms "$FF_QUERY" "$PARALLEL_SETUP")
    sub_ff=$(q -c "SELECT count(*) FROM t_subset WHERE $GATE")
    sub_pl=$(q -c "$PLPGSQL_QUERY")
    echo "   variant $variant ($label):"
    printf '     %-44s %10s ms  %8s ns/row  count %s\n' "flagforge_is_enabled, serial" "$(fmt "$ff_ms" 2)" "$(fmt "$ff_ns")" "$count_serial"
    printf '     %-44s %10s ms  %8s ns/row\n' "hashtext(user_id) % 100 < 20, serial" "$(fmt "$hash_ms" 2)" "$(fmt "$hash_ns")"
    printf '     %-44s %10s ms  %8s ns/row  (%s rows)\n' "PL/pgSQL resolver, serial" "$(fmt "$pl_ms" 2)" "$(fmt "$pl_ns")" "$SUBSET"
    printf '     %-44s %10s ms  %8s ns/row  count %s, %s workers launched\n' "flagforge_is_enabled, parallel (2 workers)" "$(fmt "$par_ms" 2)" "$(fmt "$(ns_per_row "$par_ms" "$ROWS")")" "$count_parallel" "${workers:-0}"
    printf '     subset counts: flagforge %s, PL/pgSQL %s\n' "$sub_ff" "$sub_pl"
    fig 1 "variant $variant flagforge serial" "$ff_ns" ns/row
    fig 1 "variant $variant hashtext serial" "$hash_ns" ns/row
    fig 1 "variant $variant plpgsql serial ($SUBSET-row subset)" "$pl_ns" ns/row
    fig 1 "variant $variant flagforge parallel 2 workers" "$(ns_per_row "$par_ms" "$ROWS")" ns/row
    fig 1 "variant $variant flagforge/hashtext" "$ratio_hash" ratio
    fig 1 "variant $variant plpgsql/flagforge per row" "$speedup" ratio
    fig 1 "variant $variant count serial" "$count_serial" rows
    fig 1 "variant $variant count parallel" "$count_parallel" rows
    [ "$variant" = A ] && ff_a_ratio=$ratio_hash
    check 1 "$variant: flagforge time / hashtext time" "$(fmt "$ratio_hash" 2)" "<=" "$([ "$variant" = A ] && echo 1.2 || echo 1.4)" x
    check 1 "$variant: PL/pgSQL time per row / flagforge time per row" "$(fmt "$speedup" 1)" ">=" 50 x
    check 1 "$variant: parallel count equals serial count" "$count_parallel" "==" "$count_serial"
    check 1 "$variant: parallel plan launched workers" "${workers:-0}" ">=" 1
    check 1 "$variant: PL/pgSQL baseline count equals flagforge's (subset)" "$sub_pl" "==" "$sub_ff"
done

# ---------------------------------------------------------------------------
# 2. evaluate_all
# ---------------------------------------------------------------------------
echo
echo "== 2. evaluate_all: single-client pgbench -M prepared, ${SECONDS_EACH} s per run"
declare -A EA_TPS
for n in $CURVE_FLAGS; do
    load_flags "$n"
    load_overrides "$TENANTS" "$PER_TENANT" false
    if [ "$n" = 200 ]; then
        # Against its baseline, alternated with it.
        read -r ea_tps one_tps < <(tps_against_one_row test/bench/pgbench_evaluate_all.sql)
        EA_TPS[$n]=$ea_tps
        ea_ratio=$(calc "${EA_TPS[200]} / $one_tps")
    else
        EA_TPS[$n]=$(pgbench_tps test/bench/pgbench_evaluate_all.sql 1 "$SECONDS_EACH")
    fi
    us=$(calc "1000000 / ${EA_TPS[$n]}")
    printf '   %6s flags: %10s TPS  %9s us/call\n' "$n" "$(fmt "${EA_TPS[$n]}")" "$(fmt "$us" 2)"
    fig 2 "evaluate_all $n flags" "${EA_TPS[$n]}" TPS
    fig 2 "evaluate_all $n flags time per call" "$us" us
    if [ "$n" = 200 ]; then
        printf '   %6s       %10s TPS  (SELECT j FROM one_row, the same jsonb; alternated with the line above)\n' "" "$(fmt "$one_tps")"
        fig 2 "one_row baseline (200-flag jsonb)" "$one_tps" TPS
    fi
done
us_200=$(calc "1000000 / ${EA_TPS[200]}"); us_2k=$(calc "1000000 / ${EA_TPS[2000]}"); us_20k=$(calc "1000000 / ${EA_TPS[20000]}")
marg_low=$(calc "($us_2k - $us_200) / 1800 * 1000"); marg_high=$(calc "($us_20k - $us_2k) / 18000 * 1000")
linearity=$(calc "$marg_high / $marg_low")
echo "   marginal cost per flag: $(fmt "$marg_low" 1) ns (200 -> 2,000), $(fmt "$marg_high" 1) ns (2,000 -> 20,000)"
fig 2 "marginal cost per flag 200-2000" "$marg_low" ns
fig 2 "marginal cost per flag 2000-20000" "$marg_high" ns
fig 2 "evaluate_all/one_row TPS (200 flags)" "$ea_ratio" ratio
check 2 "evaluate_all TPS / one_row TPS (200 flags)" "$(fmt "$ea_ratio" 2)" ">=" 0.7 x
check 2 "linear in flags: marginal ns/flag 2k->20k vs 200->2k" "$(fmt "$linearity" 2)" "<=" 1.5 x

# ---------------------------------------------------------------------------
# 3. The Python library's way
# ---------------------------------------------------------------------------
echo
echo "== 3. Python (psycopg2, /usr/bin/python3): 2 SELECTs + reference resolver vs one flagforge_evaluate_all, 200 flags"
load_flags 200
load_overrides "$TENANTS" "$PER_TENANT" false
py_out=$(/usr/bin/python3 test/bench/python_compare.py --seconds "$SECONDS_EACH" --tenants "$TENANTS")
echo "$py_out" >>"$LOG"
py_get() { echo "$py_out" | awk -v k="$1" '$1 == k { print $2 }'; }
ref_rps=$(py_get reference_rps); ffpy_rps=$(py_get flagforge_rps)
py_ratio=$(calc "$ffpy_rps / $ref_rps")
printf '   %-44s %10s requests/s\n' "Python: definitions + overrides + resolve" "$(fmt "$ref_rps")" \
    "flagforge_evaluate_all" "$(fmt "$ffpy_rps")"
echo "   flagforge is $(fmt "$py_ratio" 1)x the Python way; answers compared: $(py_get checked), mismatches: $(py_get mismatches)"
fig 3 "python reference way" "$ref_rps" requests/s
fig 3 "flagforge_evaluate_all from python" "$ffpy_rps" requests/s
fig 3 "flagforge/python" "$py_ratio" ratio
fig 3 "answer mismatches" "$(py_get mismatches)" count
check 3 "same answers as the Python resolver (mismatches)" "$(py_get mismatches)" "==" 0
check 3 "flagforge requests/s / Python-way requests/s" "$(fmt "$py_ratio" 1)" ">=" 1 x

# ---------------------------------------------------------------------------
# 6. Writes (run here: it needs the 200-flag, 1,000-tenant data already loaded)
# ---------------------------------------------------------------------------
echo
echo "== 6. writes: 4 readers (is_enabled + evaluate_all), alone, with 1 control writer, with 1 flagforge writer, ${SECONDS_EACH} s"
# with_writer SCRIPT: readers for SECONDS_EACH while one client runs SCRIPT; sets READERS_TPS
# and WRITER_TPS.
with_writer() {
    local out pid
    out=$(mktemp /tmp/ffbench-writer.XXXXXX)
    "$PGBENCH" -n -M prepared -c 1 -T "$SECONDS_EACH" -f "$1" >"$out" 2>&1 &
    pid=$!
    BG_PIDS+=("$pid")
    READERS_TPS=$(pgbench_tps test/bench/pgbench_reader.sql 4 "$SECONDS_EACH")
    wait "$pid" || { cat "$out" >&2; rm -f "$out"; return 1; }
    cat "$out" >>"$LOG"
    WRITER_TPS=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out")
    rm -f "$out"
}
readers_alone=$(pgbench_tps test/bench/pgbench_reader.sql 4 "$SECONDS_EACH")
with_writer test/bench/pgbench_writer_control.sql
readers_control=$READERS_TPS control_tps=$WRITER_TPS
with_writer test/bench/pgbench_writer.sql
readers_with=$READERS_TPS writer_tps=$WRITER_TPS
rw_ratio=$(calc "$readers_with / $readers_alone")
rc_ratio=$(calc "$readers_with / $readers_control")
printf '   %-52s %10s TPS\n' "readers alone (4 clients)" "$(fmt "$readers_alone")" \
    "readers with a control writer (plain-table upsert)" "$(fmt "$readers_control")" \
    "control writer (1 client)" "$(fmt "$control_tps")" \
    "readers with a flagforge writer (enable/disable)" "$(fmt "$readers_with")" \
    "flagforge writer (1 client)" "$(fmt "$writer_tps")"
echo "   readers keep $(fmt "$(calc "100 * $rw_ratio")" 0)% of their TPS alone, $(fmt "$(calc "100 * $rc_ratio")" 0)% of their TPS beside the control writer"
fig 6 "readers alone 4 clients" "$readers_alone" TPS
fig 6 "readers with control writer 4 clients" "$readers_control" TPS
fig 6 "control writer 1 client" "$control_tps" TPS
fig 6 "readers with flagforge writer 4 clients" "$readers_with" TPS
fig 6 "flagforge writer 1 client" "$writer_tps" TPS
fig 6 "readers with flagforge writer/readers alone" "$rw_ratio" ratio
fig 6 "readers with flagforge writer/readers with control writer" "$rc_ratio" ratio
check 6 "reader TPS with flagforge writer / reader TPS alone" "$(fmt "$rw_ratio" 2)" ">=" 0.5 x
check 6 "reader TPS with flagforge writer / with plain-table writer" "$(fmt "$rc_ratio" 2)" ">=" 0.9 x

# ---------------------------------------------------------------------------
# 4. Scaling
# ---------------------------------------------------------------------------
echo
echo "== 4. scaling: ns/row of the row-gating query over $SCALE_ROWS rows (cache_memory_limit = 1GB, nothing subtracted)"
BIG_CACHE="SET flagforge.cache_memory_limit = '1GB';"
: >"$RESULTS/scaling_flags.dat"
: >"$RESULTS/scaling_tenants.dat"
load_table "$SCALE_ROWS" "$TENANTS" 0
for n in $SCALE_LIST; do
    load_flags "$n"
    load_overrides "$TENANTS" "$PER_TENANT" false
    ns=$(ns_per_row "$(median_ms "$FF_QUERY" "$BIG_CACHE")" "$SCALE_ROWS")
    printf '   %7s flags,   %5s tenants: %8s ns/row\n' "$n" "$TENANTS" "$(fmt "$ns")"
    echo "$n $ns" >>"$RESULTS/scaling_flags.dat"
    fig 4 "$n flags ($TENANTS tenants)" "$ns" ns/row
done
load_flags 200
for n in $SCALE_LIST; do
    load_overrides "$n" "$PER_TENANT" false
    load_table "$SCALE_ROWS" "$n" 0
    ns=$(ns_per_row "$(median_ms "$FF_QUERY" "$BIG_CACHE")" "$SCALE_ROWS")
    printf '   %7s tenants, %5s flags:   %8s ns/row\n' "$n" 200 "$(fmt "$ns")"
    echo "$n $ns" >>"$RESULTS/scaling_tenants.dat"
    fig 4 "$n tenants (200 flags)" "$ns" ns/row
done
# The same tenants axis when every tenant also overrides the gated flag (enabled, rollout 30):
# the per-row path then looks the tenant up in the flag's map of every tenant.
: >"$RESULTS/scaling_tenants_on_f.dat"
for n in $SCALE_LIST; do
    load_overrides "$n" "$PER_TENANT" true
    load_table "$SCALE_ROWS" "$n" 0
    ns=$(ns_per_row "$(median_ms "$FF_QUERY" "$BIG_CACHE")" "$SCALE_ROWS")
    printf '   %7s tenants, each overriding f: %8s ns/row\n' "$n" "$(fmt "$ns")"
    echo "$n $ns" >>"$RESULTS/scaling_tenants_on_f.dat"
    fig 4 "$n tenants overriding f (200 flags)" "$ns" ns/row
done
# Schema-per-tenant: 1,000 registered tenant schemas, the row-gating query run with each of a
# spread of them first on search_path (the tenant is the schema's name, as in django-tenants).
load_overrides "$TENANTS" "$PER_TENANT" false
load_table "$SCALE_ROWS" 1 0
for batch in $(seq 0 100 900); do   # 100 schemas a transaction: each takes locks
    q -c "SET client_min_messages = warning" -c "DO \$\$ BEGIN FOR i IN $batch..$((batch + 99)) LOOP PERFORM flagforge_create_tenant_schema('ts_' || i); EXECUTE format('INSERT INTO %I.flagforge_overrides (flag_key, enabled, rollout_percentage) SELECT ''f'' || j, mod(j, 2) = 0, NULL FROM generate_series(1, 20) j', 'ts_' || i); END LOOP; END \$\$" >/dev/null
done
: >"$RESULTS/scaling_schemas.dat"
for i in 0 9 99 999; do
    ns=$(ns_per_row "$(median_ms "SELECT count(*) FROM t WHERE flagforge_is_enabled('f', NULL, user_id)" "SET search_path = ts_$i, public;")" "$SCALE_ROWS")
    printf '   tenant schema %4s of 1000 on search_path: %8s ns/row\n' "ts_$i" "$(fmt "$ns")"
    echo "$((i + 1)) $ns" >>"$RESULTS/scaling_schemas.dat"
    fig 4 "tenant schema ts_$i of 1000" "$ns" ns/row
done
for batch in $(seq 0 100 900); do
    q -c "SET client_min_messages = warning" -c "DO \$\$ BEGIN FOR i IN $batch..$((batch + 99)) LOOP EXECUTE format('DROP SCHEMA %I CASCADE', 'ts_' || i); END LOOP; END \$\$" >/dev/null
done
spread() { awk 'NR == 1 || $2 > max { max = $2 } NR == 1 || $2 < min { min = $2 } END { printf "%.3f", max / min }' "$1"; }
flag_spread=$(spread "$RESULTS/scaling_flags.dat"); tenant_spread=$(spread "$RESULTS/scaling_tenants.dat")
on_f_spread=$(spread "$RESULTS/scaling_tenants_on_f.dat"); schema_spread=$(spread "$RESULTS/scaling_schemas.dat")
fig 4 "tenants overriding f axis max/min" "$on_f_spread" ratio
fig 4 "tenant schemas max/min" "$schema_spread" ratio
echo "   (tenants each overriding the gated flag, not a target: max/min $(fmt "$on_f_spread" 2)x)"
check 4 "ns/row max/min over tenant schemas (1000 registered)" "$(fmt "$schema_spread" 2)" "<=" 1.2 x
fig 4 "flags axis max/min" "$flag_spread" ratio
fig 4 "tenants axis max/min" "$tenant_spread" ratio
check 4 "ns/row max/min over flags ${SCALE_LIST// /,}" "$(fmt "$flag_spread" 2)" "<=" 1.2 x
check 4 "ns/row max/min over tenants ${SCALE_LIST// /,}" "$(fmt "$tenant_spread" 2)" "<=" 1.2 x
# the largest tenant count again with the default 64MB cache bound: the cost of not fitting
default_ns=$(ns_per_row "$(median_ms "$FF_QUERY")" "$SCALE_ROWS")
last=${SCALE_LIST##* }
echo "   (with the default cache_memory_limit of 64MB, $last tenants: $(fmt "$default_ns") ns/row)"
fig 4 "$last tenants (200 flags) default 64MB cache bound" "$default_ns" ns/row

if gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1; then term="pngcairo size 900,560"; else term="png size 900,560"; fi
gnuplot <<EOF 2>>"$LOG"
set terminal $term
set output '$RESULTS/scaling.png'
set title "flagforge row gating: cost per row ($SCALE_ROWS rows, serial, median of $RUNS)"
set logscale x 10
set xlabel "number of flags (1,000 tenants) / number of tenants (200 flags) / tenant schema position"
set ylabel "ns per row"
set yrange [0:*]
set grid
set key bottom right
plot '$RESULTS/scaling_flags.dat' using 1:2 with linespoints lw 2 pt 7 title 'against number of flags', \
     '$RESULTS/scaling_tenants.dat' using 1:2 with linespoints lw 2 pt 5 title 'against number of tenants', \
     '$RESULTS/scaling_tenants_on_f.dat' using 1:2 with linespoints lw 2 pt 9 title 'tenants, each overriding the gated flag', \
     '$RESULTS/scaling_schemas.dat' using 1:2 with linespoints lw 2 pt 11 title 'tenant schema n of 1,000 on search_path'
EOF
echo "   plot: $RESULTS/scaling.png"

# ---------------------------------------------------------------------------
# 5. Memory (the data of the last scaling step: 200 flags, ${SCALE_LIST##* } tenants x 20 overrides)
# ---------------------------------------------------------------------------
echo
echo "== 5. memory (flagforge_cache_stats of one backend)"
load_overrides "$BOUND_TENANTS" "$PER_TENANT" false   # every tenant: $PER_TENANT overrides, none on f
IFS='|' read -r m_flags m_fbytes m_tenants m_tbytes m_limit < <(q -c "$BIG_CACHE" \
    -c "SELECT count(*) FILTER (WHERE (flagforge_evaluate_all('t' || i, 'u') ->> 'f')::boolean) FROM generate_series(0, $MEM_TENANTS - 1) i" \
    -c "SELECT * FROM flagforge_cache_stats()" | tail -1)
per_tenant=$(calc "$m_tbytes / $m_tenants")
printf '   %-52s %10s bytes  (%s tenants, %s bytes)\n' "per cached tenant ($PER_TENANT overrides each)" "$(fmt "$per_tenant" 0)" "$m_tenants" "$m_tbytes"
fig 5 "bytes per tenant ($PER_TENANT overrides; $m_tenants tenants)" "$per_tenant" bytes
IFS='|' read -r peak b_on b_flags b_fbytes b_tenants b_tbytes b_limit < <(q -c "SET flagforge.cache_memory_limit = '$BOUND_LIMIT'" \
    -c "SELECT max(tb), count(*) FILTER (WHERE e) FROM (SELECT (flagforge_evaluate_all('t' || i, 'u') ->> 'f')::boolean AS e, (flagforge_cache_stats()).tenant_bytes AS tb FROM generate_series(0, $BOUND_TENANTS - 1) i) s" \
    -c "SELECT * FROM flagforge_cache_stats()" | paste -sd'|')
printf '   %-52s %10s bytes  (limit %s, %s tenants cached; f on for %s)\n' "after touching $BOUND_TENANTS tenants, limit $BOUND_LIMIT" "$b_tbytes" "$b_limit" "$b_tenants" "$b_on"
printf '   %-52s %10s bytes  (%s%% of the limit)\n' "largest inside that statement (after every row)" "$peak" "$(fmt "$(calc "100 * $peak / $b_limit")" 1)"
fig 5 "tenant bytes after $BOUND_TENANTS tenants (limit $BOUND_LIMIT)" "$b_tbytes" bytes
fig 5 "tenant bytes peak inside the statement" "$peak" bytes
fig 5 "memory limit" "$b_limit" bytes
check 5 "tenant bytes after $BOUND_TENANTS tenants <= limit" "$b_tbytes" "<=" "$b_limit"
check 5 "largest tenant bytes inside the statement / limit" "$(fmt "$(calc "$peak / $b_limit")" 3)" "<=" 1.1 x
load_flags "$MEM_FLAGS"
IFS='|' read -r f_flags f_fbytes rest < <(q -c "SELECT flagforge_is_enabled('f', 't0', 'u')" -c "SELECT * FROM flagforge_cache_stats()" | tail -1)
per_flag=$(calc "$f_fbytes / $f_flags")
printf '   %-52s %10s bytes  (%s flags, %s bytes)\n' "per cached flag definition" "$(fmt "$per_flag" 0)" "$f_flags" "$f_fbytes"
fig 5 "bytes per flag ($f_flags flags)" "$per_flag" bytes

# ---------------------------------------------------------------------------
# 7. YAML import
# ---------------------------------------------------------------------------
echo
echo "== 7. YAML import of $IMPORT_FLAGS flags (median of 3, clock_timestamp() around the call)"
q -c "CREATE TABLE IF NOT EXISTS ffbench_doc (name text PRIMARY KEY, doc text)" \
  -c "TRUNCATE ffbench_doc" \
  -c "INSERT INTO ffbench_doc SELECT 'created', 'flags:' || string_agg(format(E'\\n  imp_%s: {name: Imported %s, description: flag number %s, default_enabled: %s, rollout_percentage: %s, environments: [staging, production]}', i, i, i, CASE WHEN i % 2 = 0 THEN 'true' ELSE 'false' END, CASE WHEN i % 2 = 0 THEN i % 101 ELSE 0 END), '') || E'\\noverrides:' || (SELECT string_agg(format(E'\\n  tenant_%s: {imp_%s: {enabled: true, enabled_for_users: [u1, u2]}}', t, t % 20 + 1), '') FROM generate_series(1, 100) t) FROM generate_series(1, $IMPORT_FLAGS) i" \
  -c "INSERT INTO ffbench_doc SELECT 'changed', replace(doc, 'flag number 1', 'flag number one') FROM ffbench_doc WHERE name = 'created'"
timed_ms() {   # timed_ms SETUP STATEMENT: median ms of 3 runs of STATEMENT, SETUP run before each
    local i
    for i in 1 2 3; do
        printf '%s\n' "\\o /dev/null" "$1;" "\\o" "SELECT extract(epoch FROM clock_timestamp()) * 1000 AS t0 \\gset" \
            "$2 \\g /dev/null" "SELECT extract(epoch FROM clock_timestamp()) * 1000 - :t0;" | q
    done | sort -g | sed -n 2p
}
import_of() { echo "SELECT count(*) FROM flagforge_import_yaml((SELECT doc FROM ffbench_doc WHERE name = '$1'))"; }
EMPTY="SET client_min_messages = warning; TRUNCATE flagforge_flags CASCADE; SET session_replication_role = replica; TRUNCATE flagforge_audit; RESET session_replication_role"
created_ms=$(timed_ms "$EMPTY" "$(import_of created)")
unchanged_ms=$(timed_ms "SELECT 1" "$(import_of created)")
changed_ms=$(timed_ms "$(import_of created)" "$(import_of changed)")
plain_ms=$(timed_ms "$EMPTY" "INSERT INTO flagforge_flags (key, name, description, default_enabled, rollout_percentage, environments) SELECT 'imp_' || i, 'Imported ' || i, 'flag number ' || i, i % 2 = 0, CASE WHEN i % 2 = 0 THEN i % 101 ELSE 0 END, '{staging,production}' FROM generate_series(1, $IMPORT_FLAGS) i")
printf '   %-52s %10s ms\n' "import into empty tables (all created)" "$(fmt "$created_ms")"
printf '   %-52s %10s ms\n' "the same document again (all unchanged)" "$(fmt "$unchanged_ms")"
printf '   %-52s %10s ms\n' "with one flag in ten changed" "$(fmt "$changed_ms")"
printf '   %-52s %10s ms  (import / plain insert: %sx)\n' "plain INSERT of the same flags (baseline)" "$(fmt "$plain_ms")" "$(fmt "$(calc "$created_ms / $plain_ms")" 2)"
fig 7 "import $IMPORT_FLAGS flags, created" "$created_ms" ms
fig 7 "import $IMPORT_FLAGS flags, unchanged" "$unchanged_ms" ms
fig 7 "import $IMPORT_FLAGS flags, a tenth changed" "$changed_ms" ms
fig 7 "plain INSERT of $IMPORT_FLAGS flags" "$plain_ms" ms
check 7 "import of $IMPORT_FLAGS flags (created)" "$(fmt "$created_ms" 0)" "<=" 2000 " ms"

# ---------------------------------------------------------------------------
# 8. A memory bound smaller than what one query needs
# ---------------------------------------------------------------------------
echo
echo "== 8. two flags each overridden by $BOUND_MAP_TENANTS tenants, evaluated per row over $BOUND_MAP_ROWS rows: 1MB bound vs default"
q -c "SET client_min_messages = warning" -c "TRUNCATE flagforge_flags CASCADE" \
  -c "INSERT INTO flagforge_flags (key, name, default_enabled) VALUES ('m1', 'M1', false), ('m2', 'M2', true)" \
  -c "INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, enabled_for_users)
      SELECT 't' || i, k, i % 3 = 0, ARRAY['u' || i] FROM generate_series(1, $BOUND_MAP_TENANTS) i, unnest(ARRAY['m1', 'm2']) k"
two_maps="SELECT count(*) FILTER (WHERE flagforge_is_enabled('m1', 't' || (i % $BOUND_MAP_TENANTS + 1), 'u' || i)
                                AND flagforge_is_enabled('m2', 't' || ((i * 7) % $BOUND_MAP_TENANTS + 1), 'u' || i))
          FROM generate_series(1, $BOUND_MAP_ROWS) i"
# Each run starts cold (a write invalidates every cache), so both load the two maps once;
# what the ratio shows is whether the bound adds a cost per row (in 1.0 it reloaded both maps on every row).
cold="UPDATE flagforge_flags SET name = name WHERE key = 'm1'"
default_bound_ms=$(timed_ms "$cold" "$two_maps")
small_bound_ms=$(timed_ms "$cold" "SET flagforge.cache_memory_limit = '1MB'; $two_maps")
printf '   %-52s %10s ms\n' "default bound (64MB)" "$(fmt "$default_bound_ms")"
printf '   %-52s %10s ms  (1MB / default: %sx)\n' "1MB bound (both maps together exceed it)" "$(fmt "$small_bound_ms")" "$(fmt "$(calc "$small_bound_ms / $default_bound_ms")" 2)"
fig 8 "two overridden flags per row, default bound" "$default_bound_ms" ms
fig 8 "two overridden flags per row, 1MB bound" "$small_bound_ms" ms
check 8 "1MB bound / default bound, two 10k-tenant flag maps per row" "$(fmt "$(calc "$small_bound_ms / $default_bound_ms")" 2)" "<=" 1.5 x

# ---------------------------------------------------------------------------
# 9. Targeting: rules compiled once, evaluated per row from a context built per row
# ---------------------------------------------------------------------------
echo
echo "== 9. targeting (issue 13): a rule of 3 constraints gating $ROWS rows, context built per row; evaluate_all(context) with 50 of 200 flags ruled"
q -c "SET client_min_messages = warning" -c "CALL ffbench_load_flags(200)" \
  -c "INSERT INTO flagforge_rules (flag_key, position, constraints)
      SELECT 'f' || i, 0, '[{\"contextName\": \"plan\", \"operator\": \"IN\", \"values\": [\"pro\", \"enterprise\"]},
                            {\"contextName\": \"seats\", \"operator\": \"NUM_GT\", \"value\": \"10\"},
                            {\"contextName\": \"appVersion\", \"operator\": \"SEMVER_GT\", \"value\": \"2.3.0\"}]'
      FROM generate_series(1, 200, 4) i" \
  -c "DROP TABLE IF EXISTS tr" \
  -c "CREATE TABLE tr AS SELECT 't' || (i % $TENANTS) AS tenant_id, 'user-' || i AS user_id,
             (ARRAY['free', 'pro', 'enterprise'])[i % 3 + 1] AS plan, i % 40 AS seats,
             '2.' || (i % 7) || '.0' AS app_version FROM generate_series(1, $ROWS) i" \
  -c "VACUUM ANALYZE tr"
CTX="jsonb_build_object('tenant', tenant_id, 'userId', user_id, 'properties', jsonb_build_object('plan', plan, 'seats', seats::text, 'appVersion', app_version))"
rule_ms=$(median_ms "SELECT count(*) FROM tr WHERE flagforge_is_enabled('f1', $CTX)")
# The baseline builds the same context on every row too (one expression, so the planner
# cannot put a cheaper qual first and build it for a fifth of the rows).
rule_base_ms=$(median_ms "SELECT count(*) FROM tr WHERE hashtext(($CTX) ->> 'userId') % 100 < 20")
rule_ratio=$(calc "$rule_ms / $rule_base_ms")
printf '   %-52s %10s ms  (%s ns/row)\n' "flagforge_is_enabled('f1', context)" "$(fmt "$rule_ms")" "$(fmt "$(ns_per_row "$rule_ms" "$ROWS")")"
printf '   %-52s %10s ms  (%s ns/row)\n' "the same context expression, hashtext" "$(fmt "$rule_base_ms")" "$(fmt "$(ns_per_row "$rule_base_ms" "$ROWS")")"
fig 9 "rule of 3 constraints, context per row" "$rule_ms" ms
fig 9 "same context expression + hashtext" "$rule_base_ms" ms
fig 9 "rule scan / hashtext scan" "$rule_ratio" ratio
read -r ctx_tps ctx_one_tps < <(tps_against_one_row test/bench/pgbench_evaluate_all_context.sql)
ctx_ratio=$(calc "$ctx_tps / $ctx_one_tps")
printf '   %-52s %10s TPS  (one_row: %s TPS)\n' "evaluate_all(context), 200 flags, 50 with rules" "$(fmt "$ctx_tps")" "$(fmt "$ctx_one_tps")"
fig 9 "evaluate_all(context) 200 flags 50 ruled" "$ctx_tps" TPS
fig 9 "evaluate_all(context)/one_row TPS" "$ctx_ratio" ratio
check 9 "rule of 3 constraints per row / same context + hashtext" "$(fmt "$rule_ratio" 2)" "<=" 2 x
check 9 "evaluate_all(context), 50 of 200 ruled / one_row TPS" "$(fmt "$ctx_ratio" 2)" ">=" 0.7 x
check 9 "flags with no rules: row gating A / hashtext (1.0's ratio)" "$(fmt "$ff_a_ratio" 2)" "<=" 1.3 x

# ---------------------------------------------------------------------------
# 10. Citus (test/bench/citus.sh: its own coordinator and two workers)
# ---------------------------------------------------------------------------
source test/bench/citus.sh

# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------
echo
echo "== summary$([ "$QUICK" = 1 ] && echo ' (QUICK MODE: validation only)')"
printf '%s\n' "${SUMMARY[@]}" | sort -s -k2,2n
pass=$(printf '%s\n' "${SUMMARY[@]}" | grep -c '^PASS' || true)
fail=$(printf '%s\n' "${SUMMARY[@]}" | grep -c '^FAIL' || true)
echo "targets: $pass passed, $fail failed"
echo "figures: $CSV; plot: $RESULTS/scaling.png; pgbench and psql output: $LOG"
exit 0
