#!/bin/bash
# test/shell/unleash_spec.sh: every case of Unleash's client specification
# (npm @unleash/client-specification 6.1.0, files 01-18, 21 and 22) through
# flagforge_import_unleash, flagforge_is_enabled(key, context) and
# flagforge_variant(key, context); fails unless all pass.
# Needs PGHOST/PGPORT/PGUSER, the extension installed (make install), npm
# and /usr/bin/python3 with psycopg2 (test/lib/cluster.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."

(cd test/unleash && npm ci --silent --no-audit --no-fund >/dev/null)
psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS unleash_spec"
psql -X -q -c "CREATE DATABASE unleash_spec"
psql -X -q -d unleash_spec -c "CREATE EXTENSION flagforge"
PGOPTIONS='-c client_min_messages=warning' /usr/bin/python3 test/unleash/run_spec.py unleash_spec
psql -X -q -c "DROP DATABASE unleash_spec"
