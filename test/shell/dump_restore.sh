#!/bin/bash
# test/shell/dump_restore.sh: flags and overrides survive pg_dump/pg_restore
# and give the same answers afterwards.  Needs PGHOST/PGPORT/PGUSER.
set -euo pipefail
PGBIN=${FF_PGBIN:-/usr/lib/postgresql/15/bin}
DUMP=$(mktemp /tmp/flagforge-dump.XXXXXX)
trap 'rm -f "$DUMP"' EXIT

psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS dump_source" -c "CREATE DATABASE dump_source"
psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS dump_target" -c "CREATE DATABASE dump_target"
psql -X -q -v ON_ERROR_STOP=1 -d dump_source <<'SQL'
CREATE EXTENSION flagforge;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, environments, is_public)
SELECT 'flag_' || i, 'Flag ' || i, i % 2 = 0, (i * 7) % 101, CASE WHEN i % 5 = 0 THEN '{production}'::text[] END, i % 3 = 0
FROM generate_series(1, 50) i;
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, rollout_percentage, enabled_for_users, enabled_for_groups)
SELECT 'tenant_' || t, 'flag_' || f, CASE WHEN (t + f) % 3 = 0 THEN NULL ELSE (t + f) % 2 = 0 END,
       CASE WHEN f % 4 = 0 THEN 25 END, ARRAY['user_' || t], ARRAY['group_' || f]
FROM generate_series(1, 10) t, generate_series(1, 50, 3) f;
SQL

answers() {
    psql -X -A -t -d "$1" -c "
        SELECT md5(string_agg(flagforge_evaluate_all('tenant_' || t, 'user_' || u, ARRAY['group_' || (u % 7)], e)::text, '|'
                              ORDER BY t, u, e))
        FROM generate_series(1, 12) t, generate_series(1, 40) u, unnest(ARRAY['production', 'staging']) e"
}
rows() {
    psql -X -A -t -d "$1" -c "
        SELECT (SELECT md5(string_agg(f::text, '|' ORDER BY key)) FROM flagforge_flags f) ||
               (SELECT md5(string_agg(o::text, '|' ORDER BY tenant_id, flag_key)) FROM flagforge_overrides o)"
}

"$PGBIN/pg_dump" -Fc -d dump_source -f "$DUMP"
"$PGBIN/pg_restore" -d dump_target --exit-on-error "$DUMP"

counts=$(psql -X -A -t -d dump_target -c "SELECT (SELECT count(*) FROM flagforge_flags) || ' flags and ' || (SELECT count(*) FROM flagforge_overrides) || ' overrides'")
before=$(answers dump_source); after=$(answers dump_target)
rows_before=$(rows dump_source); rows_after=$(rows dump_target)
psql -X -q -c "DROP DATABASE dump_source" -c "DROP DATABASE dump_target"
if [ "$before" != "$after" ] || [ "$rows_before" != "$rows_after" ]; then
    echo "FAIL: answers or rows differ after pg_dump/pg_restore"
    echo "answers $before vs $after; rows $rows_before vs $rows_after"
    exit 1
fi
echo "ok - $counts survive pg_dump/pg_restore; 960 evaluate_all answers identical"
