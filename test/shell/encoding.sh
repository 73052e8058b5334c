#!/bin/bash
# test/shell/encoding.sh: rollout buckets are those of the UTF-8 bytes in a
# LATIN1 database too (as in the FlagForge library and a UTF-8 database),
# and CREATE EXTENSION refuses a SQL_ASCII database with a clear error.
# Needs PGHOST/PGPORT/PGUSER and the extension installed (make install).
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*"; exit 1; }
sql() { PGCLIENTENCODING=UTF8 psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

for db in enc_latin1 enc_utf8 enc_sql_ascii; do
    psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
done
psql -X -q -c "CREATE DATABASE enc_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
psql -X -q -c "CREATE DATABASE enc_utf8 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
psql -X -q -c "CREATE DATABASE enc_sql_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
sql enc_latin1 "CREATE EXTENSION flagforge"
sql enc_utf8 "CREATE EXTENSION flagforge"

# The issue's example: the FlagForge library (and a UTF-8 database) give 39.
got=$(sql enc_latin1 "SELECT flagforge_bucket('t', 'f', 'é')")
[ "$got" = 39 ] || fail "flagforge_bucket('t','f','é') in LATIN1 is $got, not 39"
echo "ok - flagforge_bucket('t', 'f', 'é') is 39 in a LATIN1 database"

# Every Latin-1 character in tenants, keys and users: the same buckets and answers as UTF-8.
probe="WITH chars AS (SELECT chr(c) AS ch FROM generate_series(32, 126) c
                     UNION ALL SELECT chr(c) FROM generate_series(160, 255) c)
       SELECT string_agg(flagforge_bucket('tén' || ch, 'clé' || ch, 'üser' || ch || ch)::text, ',' ORDER BY ch)
       FROM chars"
[ "$(sql enc_latin1 "$probe")" = "$(sql enc_utf8 "$probe")" ] || fail "buckets differ between LATIN1 and UTF-8"
echo "ok - 191 Latin-1 characters hash to the same buckets in LATIN1 and UTF-8 databases"

setup="INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage) VALUES ('café', 'Café', true, 50);
       INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, rollout_percentage) VALUES ('Zürich', 'café', true, 30)"
sql enc_latin1 "$setup"; sql enc_utf8 "$setup"
answers="SELECT string_agg(flagforge_is_enabled('café', t, 'usér_' || i)::text, ',' ORDER BY t, i)
         FROM generate_series(1, 300) i, unnest(ARRAY['Zürich', 'Genève', 'acme']) t"
[ "$(sql enc_latin1 "$answers")" = "$(sql enc_utf8 "$answers")" ] || fail "answers differ between LATIN1 and UTF-8"
echo "ok - 900 rollout answers (flag café, tenants Zürich, Genève, acme) agree between LATIN1 and UTF-8"

# A character LATIN1 cannot hold is PostgreSQL's own conversion error, not a wrong bucket.
if out=$(sql enc_latin1 "SELECT flagforge_bucket('t', 'f', '€')" 2>&1); then
    fail "a character LATIN1 cannot hold was accepted: $out"
fi
echo "$out" | grep -q 'has no equivalent in encoding "LATIN1"' || fail "unexpected error: $out"
echo "ok - a character LATIN1 cannot hold is refused by the conversion"

if out=$(psql -X -q -v ON_ERROR_STOP=1 -d enc_sql_ascii -c "CREATE EXTENSION flagforge" 2>&1); then
    fail "CREATE EXTENSION succeeded in a SQL_ASCII database"
fi
echo "$out" | grep -q 'flagforge cannot be installed in a SQL_ASCII database' || fail "unexpected error: $out"
[ "$(sql enc_sql_ascii "SELECT count(*) FROM pg_extension WHERE extname = 'flagforge'")" = 0 ] || fail "half-installed"
echo "ok - CREATE EXTENSION in a SQL_ASCII database: 'flagforge cannot be installed in a SQL_ASCII database', nothing left behind"

psql -X -q -c "DROP DATABASE enc_latin1" -c "DROP DATABASE enc_utf8" -c "DROP DATABASE enc_sql_ascii"
