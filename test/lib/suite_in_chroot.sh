#!/bin/bash
# test/lib/suite_in_chroot.sh VERSION: run inside a version's chroot by
# test/versions.sh.  Builds (a compiler warning fails), installs, starts a
# cluster as the postgres user, runs pg_regress, isolation and the shell
# tests but replication.sh and unleash_spec.sh (they need the host's Python
# clients) and citus.sh (Citus is built for the host's PostgreSQL 15).
set -euo pipefail
version=$1
export FF_PGBIN=/usr/lib/postgresql/$version/bin
PG_CONFIG=$FF_PGBIN/pg_config
source test/lib/cluster.sh

build_log=$(mktemp)
if ! make PG_CONFIG="$PG_CONFIG" >"$build_log" 2>&1; then
    cat "$build_log"; exit 1
fi
if grep -E "warning:" "$build_log"; then
    echo "FAIL: PostgreSQL $version: the build has compiler warnings"; exit 1
fi
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "ok - PostgreSQL $version ($("$PG_CONFIG" --version)): built with no warning and installed"

TEST_DIR=/tmp/flagforge-test-$version
trap 'ff_cluster_stop "$TEST_DIR"' EXIT
ff_cluster_use "$TEST_DIR" "$((55400 + version))"
if ! make -s PG_CONFIG="$PG_CONFIG" installcheck; then
    cat regression.diffs output_iso/regression.diffs 2>/dev/null || true
    exit 1
fi
for script in test/shell/*.sh; do
    case $script in
        */replication.sh|*/unleash_spec.sh) continue ;;   # the host's Python clients
        */citus.sh) continue ;;                           # Citus is built for the host's 15
    esac
    echo "== PostgreSQL $version: $script"
    bash "$script"
done
