#!/bin/bash
# test/demo.sh: the main job, from a fresh Debian 12 machine (as root).
#
# Installs the packages, builds and installs flagforge, starts a throwaway
# cluster as the postgres user, loads the example flags, prints evaluations
# for a few contexts, and stops and removes the cluster.
# FF_SKIP_PACKAGES=1 skips apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
source test/lib/cluster.sh

if [ "${FF_SKIP_PACKAGES:-0}" != 1 ]; then
    echo "== installing packages"
    ff_install_packages
fi
echo "== building and installing flagforge"
make -s >/dev/null
make -s install >/dev/null

DEMO_DIR=/tmp/flagforge-demo
DEMO_PORT=${FF_DEMO_PORT:-55434}
trap 'ff_cluster_stop "$DEMO_DIR"; rm -rf "$DEMO_DIR"' EXIT
echo "== starting a throwaway cluster in $DEMO_DIR on port $DEMO_PORT"
ff_cluster_start "$DEMO_DIR" "$DEMO_PORT"
export PGHOST=$DEMO_DIR PGPORT=$DEMO_PORT PGUSER=postgres

echo "== loading test/examples/demo.sql and evaluating"
psql -X -v ON_ERROR_STOP=1 -f test/examples/demo.sql
echo "== done; the cluster is removed"
