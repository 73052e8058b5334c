#!/bin/bash
# test/demo.sh: the main job, from a fresh Debian 12 machine (as root).
#
# Installs the packages, builds and installs flagforge, starts a throwaway
# cluster as the postgres user, imports the example flag file (YAML), prints evaluations
# for a few contexts, and stops and removes the cluster.
# FF_SKIP_PACKAGES=1 skips apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
source test/lib/cluster.sh

ff_prepare

DEMO_DIR=/tmp/flagforge-demo
DEMO_PORT=${FF_DEMO_PORT:-55434}
trap 'ff_cluster_stop "$DEMO_DIR"; rm -rf "$DEMO_DIR"' EXIT
ff_cluster_use "$DEMO_DIR" "$DEMO_PORT"

echo "== loading test/examples/feature-flags.yaml and evaluating (test/examples/demo.sql)"
psql -X -v ON_ERROR_STOP=1 -f test/examples/demo.sql
echo "== the same from the command-line client: flagforge status"
"$FF_PGBIN/flagforge" status --tenant acme --user user_7 --groups beta_testers --env production
echo "== done; the cluster is removed"
