#!/bin/bash
# test/shell/encoding_yaml.sh: the flag file in a LATIN1 database.  libyaml
# and the emitter work in UTF-8, so the import converts the document to
# UTF-8 and what it reads back to LATIN1, and the export the other way:
# importing "café" works, the export says "café" (not "caf\xE9"), and
# importing the export changes nothing (still one flag).  A character
# LATIN1 cannot hold is PostgreSQL's own conversion error; an error message
# quoting one shows it as \uXXXX.
# Needs PGHOST/PGPORT/PGUSER and the extension installed (make install).
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*"; exit 1; }

db=encoding_yaml_latin1
psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
    -c "CREATE DATABASE $db ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION flagforge"

# q [psql options]: run SQL from stdin in the LATIN1 database, the client speaking UTF-8.
q() { PGCLIENTENCODING=UTF8 psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# expect NAME EXPECTED ACTUAL
expect() { [ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"; echo "ok - $1"; }

doc='flags:
  café:
    name: Café crème
    description: "déjà vu: \u00e0 la carte"
    environments: [prod, ça]
overrides:
  société:
    café: {enabled: true, enabled_for_users: [zoé], enabled_for_groups: [équipe]}
'
out=$(q -v doc="$doc" 2>&1 <<'SQL' || true
SELECT flag_key || ' ' || action FROM flagforge_import_yaml(:'doc');
SQL
)
expect "import of café in a LATIN1 database" "NOTICE:  overrides: 1 created, 0 updated, 0 unchanged
café created" "$out"

rows=$(q 2>&1 <<'SQL' || true
SELECT key, name, description, environments::text, convert_to(key, 'LATIN1') FROM flagforge_flags;
SELECT tenant_id, flag_key, enabled, enabled_for_users::text, enabled_for_groups::text FROM flagforge_overrides;
SQL
)
expect "rows hold the LATIN1 text (café is 63 61 66 e9)" 'café|Café crème|déjà vu: à la carte|{prod,ça}|\x636166e9
société|café|t|{zoé}|{équipe}' "$rows"

export_text=$(q 2>&1 <<'SQL' || true
SELECT flagforge_export_yaml(include_overrides => true);
SQL
)
case "$export_text" in
    *'\xE9'* | *'\xe9'*) fail "the export escapes é as a byte: $export_text" ;;
esac
expect "the export writes café" 'flags:
  café:
    name: Café crème
    description: "déjà vu: à la carte"
    default_enabled: false
    is_public: false
    rollout_percentage: 0
    deprecated: false
    environments:
      - prod
      - ça
overrides:
  société:
    café:
      enabled: true
      rollout_percentage: null
      enabled_for_users:
        - zoé
      enabled_for_groups:
        - équipe' "$export_text"

out=$(q -v doc="$export_text" 2>&1 <<'SQL' || true
SELECT flag_key || ' ' || action FROM flagforge_import_yaml(:'doc');
SELECT count(*) || ' flag(s), ' || (SELECT count(*) FROM flagforge_overrides) || ' override(s)' FROM flagforge_flags;
SQL
)
expect "importing the export changes nothing" "NOTICE:  overrides: 0 created, 0 updated, 1 unchanged
café unchanged
1 flag(s), 1 override(s)" "$out"

out=$(q <<'SQL'
SELECT flagforge_export_yaml() = flagforge_export_yaml() AND
       convert_to(flagforge_export_yaml(), 'UTF8') = convert_to(flagforge_export_yaml(), 'UTF8');
SQL
)
expect "the export is deterministic" "t" "$out"

# Documents larger than the 1 MB pieces the conversions work in (UTF-8 pieces
# are cut between the two bytes of é unless cut at character boundaries).
out=$(q 2>&1 <<'SQL' || true
INSERT INTO flagforge_flags (key, name, description)
SELECT 'été_' || i, 'Été ' || i, repeat('é', 1000) FROM generate_series(1, 3000) i;
SELECT octet_length(convert_to(flagforge_export_yaml(), 'LATIN1')) > 3000000 AND
       octet_length(convert_to(flagforge_export_yaml(), 'UTF8')) > 6000000;
SELECT action || ' ' || count(*) FROM flagforge_import_yaml(flagforge_export_yaml()) GROUP BY action;
DELETE FROM flagforge_flags WHERE key LIKE 'été\_%';
SQL
)
expect "a 3 MB LATIN1 (6 MB UTF-8) document exports and imports back unchanged" "t
unchanged 3001" "$out"

# A character LATIN1 cannot hold (U+2603, written as a YAML escape): PostgreSQL's error.
out=$(q 2>&1 <<'SQL' || true
\set VERBOSITY terse
SELECT * FROM flagforge_import_yaml(E'flags:\n  snow:\n    name: "\\u2603"\n');
SQL
)
expect "an unconvertible character is PostgreSQL's conversion error" \
    'ERROR:  character with byte sequence 0xe2 0x98 0x83 in encoding "UTF8" has no equivalent in encoding "LATIN1"' "$out"

# Errors name the flag in the database encoding; a quoted value LATIN1 cannot hold reads \u2603.
out=$(q 2>&1 <<'SQL' || true
\set VERBOSITY default
SELECT * FROM flagforge_import_yaml(E'flags:\n  café:\n    name: Café\n    rollout_percentage: "\\u2603 é"\n');
SQL
)
expect "an error message in LATIN1" 'ERROR:  invalid flag file at line 4, column 25: rollout_percentage must be an integer from 0 to 100, got "\u2603 é" (a quoted string)
DETAIL:  In flag "café", field "rollout_percentage".
HINT:  Quote a value that must be a string; write booleans as true/false and rollout_percentage as a whole number.' "$out"

out=$(q <<'SQL'
SELECT count(*) FROM flagforge_flags;
SQL
)
expect "failed imports wrote nothing" "1" "$out"

psql -X -q -c "DROP DATABASE $db"
echo "ok - flag files in a LATIN1 database: import, export, re-import, conversion errors"
