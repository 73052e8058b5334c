#!/bin/bash
# test/valgrind.sh: the whole regression suite (pg_regress and isolation)
# against a server running under valgrind's memcheck, with flagforge built
# with -O0 -g.  Any memcheck error in a flagforge function, or any server
# crash, fails the run.  Slow (10-20 minutes): a documented command, not part
# of test/run-all.sh.  The normal build is installed again afterwards.
#
#   bash test/valgrind.sh            (as root, after the packages of test/run-all.sh)
#
# (AddressSanitizer cannot be preloaded into Debian's postgres binary: it
# deadlocks in glibc's bindtextdomain at start-up.  The plain-C parts, the
# hash, the resolver and the YAML reader, run under ASan and UBSan in the
# normal test command: make unittest, test/fuzz/run.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
source test/lib/cluster.sh
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null

DIR=/tmp/flagforge-valgrind
PORT=${FF_VALGRIND_PORT:-55443}

restore() {
    ff_cluster_stop "$DIR"
    make -s clean >/dev/null
    make -s >/dev/null && make -s install >/dev/null
}
trap restore EXIT

echo "== building flagforge with -O0 -g"
make -s clean >/dev/null
make -s PG_CFLAGS="-O0 -g" >/dev/null
make -s PG_CFLAGS="-O0 -g" install >/dev/null

echo "== starting a cluster under valgrind memcheck"
rm -rf "$DIR"; mkdir -p "$DIR/vg"; chown -R postgres "$DIR"
ff_as_postgres "$FF_PGBIN/initdb" -D "$DIR/data" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >/dev/null
ff_as_postgres bash -c "valgrind --quiet --tool=memcheck --trace-children=yes --track-origins=no \
    --leak-check=no --error-limit=no --num-callers=30 --log-file=$DIR/vg/%p.log \
    $FF_PGBIN/postgres -D $DIR/data -p $PORT -k $DIR -c listen_addresses='' \
    -c max_parallel_workers_per_gather=0 > $DIR/server.log 2>&1 &"
for _ in $(seq 1 120); do pg_isready -q -h "$DIR" -p "$PORT" && break; sleep 1; done
export PGHOST=$DIR PGPORT=$PORT PGUSER=postgres

echo "== pg_regress and isolation suites (slow under valgrind)"
status=0
make -s installcheck || status=1
# Errors whose stack goes through flagforge's code are ours.
ours=$(grep -l "flagforge.so" "$DIR"/vg/*.log 2>/dev/null | xargs -r grep -c "^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|Conditional\|Mismatched\|overlap\)" | awk -F: '$2 > 0' || true)
if [ -n "$ours" ]; then
    grep -h -A25 "^==[0-9]*== \(Invalid\|Conditional\|Use of uninitialised\|Mismatched\|Source and destination overlap\)" $(echo "$ours" | cut -d: -f1) | head -80
    echo "FAIL: memcheck errors in flagforge (above)"
    status=1
fi
if grep -q "terminated by signal" "$DIR/server.log"; then
    grep "terminated by signal" "$DIR/server.log"
    echo "FAIL: a backend crashed"
    status=1
fi
[ $status = 0 ] && echo "ok - the regression suite is clean under valgrind memcheck ($(ls "$DIR"/vg | wc -l) processes checked)"
exit $status
