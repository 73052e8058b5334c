#!/bin/bash
# test/run-all.sh: the whole test suite, from a fresh Debian 12 machine (as root).
#
# Installs the packages it needs, builds and installs flagforge, runs the C
# unit tests, starts a throwaway cluster (as the postgres user, private port
# and socket), runs the pg_regress and isolation suites, the shell tests and
# the differential test against the Python reference, then stops the cluster.
# The YAML reader is unit tested and fuzzed briefly (FUZZ_SECONDS, default 20).
# Then the same suites on PostgreSQL 17 and 18 in Debian chroots
# (test/versions.sh; cached under /var/cache/flagforge/chroots).
# FF_SKIP_PACKAGES=1 skips apt-get (for repeated local runs);
# FF_SKIP_VERSIONS=1 skips the other PostgreSQL versions.
set -euo pipefail
cd "$(dirname "$0")/.."
source test/lib/cluster.sh

ff_prepare

echo "== README code that names a tested file is that file's code"; /usr/bin/python3 test/readme_snippets.py
echo "== C unit tests of the core: hash, resolver, YAML (ASan, UBSan)"
make -s unittest
echo "== YAML reader: unit tests and ${FUZZ_SECONDS:-20}s of libFuzzer (ASan, UBSan)"
FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash test/fuzz/run.sh

TEST_DIR=/tmp/flagforge-test
TEST_PORT=${FF_TEST_PORT:-55433}
trap 'ff_cluster_stop "$TEST_DIR"' EXIT
ff_cluster_use "$TEST_DIR" "$TEST_PORT"

echo "== pg_regress and isolation suites"
if ! make -s installcheck; then
    cat regression.diffs output_iso/regression.diffs 2>/dev/null || true
    exit 1
fi

for script in test/shell/*.sh; do
    echo "== $script"
    bash "$script"
done

echo "== real clients: psycopg2, SQLAlchemy, Django, node-postgres, PostgREST-style roles"
FF_SKIP_PACKAGES=1 bash test/clients/run.sh

echo "== differential test against the Python reference resolver"
psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS differential" -c "CREATE DATABASE differential"
psql -X -q -d differential -c "CREATE EXTENSION flagforge"
PGDATABASE=differential /usr/bin/python3 test/reference/differential.py

# PostgreSQL 17 and 18, each in a cached Debian chroot (test/versions.sh).
if [ "${FF_SKIP_VERSIONS:-0}" != 1 ]; then
    ff_cluster_stop "$TEST_DIR"
    bash test/versions.sh
fi

echo "== all tests passed"
