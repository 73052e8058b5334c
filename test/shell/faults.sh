#!/bin/bash
# test/shell/faults.sh: committed flags survive an immediate shutdown; a
# backend killed in the middle of a large import leaves nothing partial.
# Runs its own cluster (a killed backend restarts the whole server).
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh

DIR=/tmp/flagforge-faults
PORT=${FF_FAULTS_PORT:-55441}
trap 'ff_cluster_stop "$DIR"; rm -rf "$DIR"' EXIT
ff_cluster_start "$DIR" "$PORT"
export PGHOST=$DIR PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
q() { psql -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }
fail() { echo "FAIL: $*"; exit 1; }

q "CREATE EXTENSION flagforge" >/dev/null
q "INSERT INTO flagforge_flags (key, name, default_enabled) SELECT 'flag_' || i, 'F', true FROM generate_series(1, 100) i" >/dev/null
q "SELECT flagforge_disable('flag_7', 'acme')" >/dev/null
before=$(q "SELECT md5(flagforge_evaluate_all('acme')::text) || (SELECT count(*) FROM flagforge_audit)")

# 1. Immediate shutdown (no checkpoint): committed rows come back by WAL replay.
ff_as_postgres "$FF_PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null
ff_as_postgres "$FF_PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=''" start >/dev/null
after=$(q "SELECT md5(flagforge_evaluate_all('acme')::text) || (SELECT count(*) FROM flagforge_audit)")
[ "$before" = "$after" ] || fail "answers or audit differ after an immediate shutdown"
echo "ok - committed flags, overrides and audit rows survive an immediate shutdown"

# 2. A backend killed (SIGKILL) in the middle of a 200,000-flag import.
DOC=$DIR/big.yaml
{
    echo "flags:"
    seq 1 200000 | awk '{ print "  big_" $1 ": {name: Big " $1 ", default_enabled: true}" }'
} > "$DOC"
chown postgres "$DOC"
flags_before=$(q "SELECT count(*) FROM flagforge_flags")
audit_before=$(q "SELECT count(*) FROM flagforge_audit")
psql -X -q -v ON_ERROR_STOP=1 \
    -c "SET application_name = 'flagforge_fault_import'" \
    -c "SELECT count(*) FROM flagforge_import_yaml(pg_read_file('$DOC'))" > "$DIR/import.out" 2>&1 &
import_pid=$!
# Wait until the import is running in its backend, give it a moment to write, then kill it.
pid=""
for _ in $(seq 1 200); do
    pid=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'flagforge_fault_import' AND state = 'active' AND query LIKE '%flagforge_import_yaml%'")
    [ -n "$pid" ] && break
    sleep 0.05
done
[ -n "$pid" ] || fail "the import never started"
sleep 0.5
kill -9 "$pid"
if wait "$import_pid"; then fail "the import finished before it was killed (make the document bigger)"; fi
for _ in $(seq 1 100); do pg_isready -q && break; sleep 0.1; done
grep -q "terminated by signal 9" "$DIR/server.log" || fail "the server log does not show the killed backend"
flags_after=$(q "SELECT count(*) FROM flagforge_flags")
audit_after=$(q "SELECT count(*) FROM flagforge_audit")
[ "$flags_before" = "$flags_after" ] || fail "flags went from $flags_before to $flags_after: a partial import"
[ "$audit_before" = "$audit_after" ] || fail "audit rows went from $audit_before to $audit_after"
after=$(q "SELECT md5(flagforge_evaluate_all('acme')::text) || (SELECT count(*) FROM flagforge_audit)")
[ "$before" = "$after" ] || fail "answers differ after the crash"
echo "ok - a backend killed during a 200,000-flag import left nothing partial ($flags_after flags, server recovered)"

# 3. The same import, not killed, goes through in one piece.
q "SELECT count(*) FROM flagforge_import_yaml(pg_read_file('$DOC'))" >/dev/null
[ "$(q "SELECT count(*) FROM flagforge_flags WHERE key LIKE 'big_%'")" = 200000 ] || fail "the full import is incomplete"
echo "ok - the same import, not interrupted, writes all 200,000 flags"
