#!/bin/bash
# test/shell/cli.sh: the `flagforge` command-line client (src/cli), installed by
# `make install` as $(pg_config --bindir)/flagforge (FF_CLI overrides the path).
#
# Needs PGHOST/PGPORT/PGUSER of a running cluster where the extension is installed.
# Creates the databases cli_test (the extension in a schema with a space, so every
# call's schema quoting is exercised), cli_test_noext, cli_test_text (flags
# whose keys hold line breaks and terminal escapes) and cli_test_unleash (rules,
# a kill switch, a prerequisite and variants for Unleash's context), runs each command and
# compares its exit status, stdout and stderr with what is expected, then drops
# them.  Prints "ok - ..." per check and exits 1 on the first difference, showing
# it.  Server wording owned by the extension (YAML errors, warnings, hints) is
# matched on its first line only.  Takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."

FF=${FF_CLI:-$("${PG_CONFIG:-pg_config}" --bindir)/flagforge}
VERSION=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" flagforge.control)
TMP=$(mktemp -d /tmp/flagforge-cli.XXXXXX)
DBS="cli_test cli_test_noext cli_test_text cli_test_unleash"

cleanup() {
    rm -rf "$TMP"
    for db in $DBS; do
        psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

[ -x "$FF" ] || { echo "FAIL: $FF is not installed (make install builds and installs src/cli)"; exit 1; }

for db in $DBS; do
    psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
psql -X -q -d cli_test -c 'CREATE SCHEMA "Flag Forge"' -c 'CREATE EXTENSION flagforge SCHEMA "Flag Forge"'
export PGDATABASE=cli_test

# run CMD...: run the client, keeping its exit status, stdout and stderr in rc, out, err.
run() {
    set +e
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    set -e
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

# fail NAME WHAT EXPECTED ACTUAL: report a difference and stop.
fail() {
    echo "not ok - $1"
    echo "$2 differs (- expected, + actual):"
    diff -u <(printf '%s\n' "$3") <(printf '%s\n' "$4") | tail -n +3 || true
    exit 1
}

# expect NAME RC STDOUT STDERR: the last run gave exactly these.
expect() {
    [ "$rc" = "$2" ] || fail "$1" "exit status" "$2" "$rc"$'\n'"stdout: $out"$'\n'"stderr: $err"
    [ "$out" = "$3" ] || fail "$1" "stdout" "$3" "$out"
    [ "$err" = "$4" ] || fail "$1" "stderr" "$4" "$err"
    echo "ok - $1"
}

# Raw bytes no human-readable output may hold: C0 controls but the line feed, DEL,
# C1 controls (UTF-8), LS/PS; then the bidi formatting characters; then a faked line.
CONTROL_RE='[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]'
BIDI_RE='\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]'
FAKED_RE='^ok - '

# expect_clean NAME [PATTERN]: the last run's stdout and stderr have no match of
# PATTERN (a grep -P on bytes; default: CONTROL_RE, BIDI_RE and FAKED_RE); shows
# the offending lines with od -c otherwise.
expect_clean() {
    local f re=${2:-$CONTROL_RE|$BIDI_RE|$FAKED_RE}
    for f in "$TMP/out" "$TMP/err"; do
        if LC_ALL=C grep -aP "$re" "$f" >"$TMP/bad"; then
            fail "$1" "${f##*/} (od -c of the offending lines)" "nothing" "$(od -c "$TMP/bad" | head -n 20)"
        fi
    done
    echo "ok - $1"
}

# expect_first NAME RC STDOUT STDERR_FIRST_LINE [STDERR_LINES]: as expect, but stderr is
# matched on its first line (and, if given, its number of lines).
expect_first() {
    [ "$rc" = "$2" ] || fail "$1" "exit status" "$2" "$rc"$'\n'"stdout: $out"$'\n'"stderr: $err"
    [ "$out" = "$3" ] || fail "$1" "stdout" "$3" "$out"
    [ "$(head -n 1 <<<"$err")" = "$4" ] || fail "$1" "stderr's first line" "$4" "$err"
    if [ $# -ge 5 ] && [ "$(wc -l <<<"$err")" != "$5" ]; then
        fail "$1" "number of stderr lines" "$5" "$err"
    fi
    echo "ok - $1"
}

# expect_value NAME RC LINE: the last run exited RC, printed nothing on stderr, and
# its first stdout line (explain's value and reason) is LINE.
expect_value() {
    [ "$rc" = "$2" ] && [ -z "$err" ] || fail "$1" "exit status and stderr" "$2" "$rc $err"
    [ "$(head -n 1 <<<"$out")" = "$3" ] || fail "$1" "stdout's first line" "$3" "$out"
    echo "ok - $1"
}

# The seed README's example flag file.
cat >"$TMP/seed.yaml" <<'EOF'
flags:
  new_dashboard:
    name: New Dashboard
    description: Redesigned dashboard UI
    default_enabled: false
    is_public: true
    rollout_percentage: 0
    environments:
      - staging
      - production
  beta_checkout:
    name: Beta Checkout Flow
    description: New one-page checkout
    default_enabled: false
    is_public: false
    rollout_percentage: 20 # 20% gradual rollout
  dark_mode:
    name: Dark Mode
    description: Dark theme for all users
    default_enabled: true
    is_public: true
EOF
# A smaller file: new_dashboard changed, dark_mode kept, checkout_v2 new, beta_checkout gone.
cat >"$TMP/small.yaml" <<'EOF'
flags:
  new_dashboard:
    name: New Dashboard
    description: Redesigned dashboard UI, second version
    is_public: true
    environments: [staging, production]
  dark_mode:
    name: Dark Mode
    description: Dark theme for all users
    default_enabled: true
    is_public: true
  checkout_v2:
    name: Checkout v2
    default_enabled: yes
    rollout_percentage: 20
overrides:
  acme:
    new_dashboard: {enabled_for_groups: [beta]}
EOF
printf 'flags:\n  x:\n    name: X\n    default_enable: true\n' >"$TMP/bad.yaml"
printf 'flags:\n  x:\n    name: X\0\n' >"$TMP/nul.yaml"
: >"$TMP/empty.yaml"
truncate -s 65M "$TMP/huge.yaml"

QUIRK='flagforge: warning: flag "beta_checkout" at line 16, column 25: rollout_percentage is 20 but default_enabled is false, so the flag is off for everyone: a rollout only narrows a flag that is on'
USAGE_HINT='  try "flagforge --help" for more information'

# --- informational
run "$FF" --version
expect "--version" 0 "flagforge (flagforge CLI) $VERSION" ""
run "$FF" --help
if [ "$rc" != 0 ] || [ -n "$err" ]; then fail "--help" "exit status and stderr" "0" "$rc $err"; fi
for word in "  sync " "  status " "  enable " "  disable " "  export " "  explain " "--dbname" "PGHOST" "Exit status" "  2  a wrong command line" \
    "--property=NAME=VALUE" "--session-id" "--remote-address" "--app-name" "--current-time"; do
    grep -qF -- "$word" <<<"$out" || fail "--help" "help text" "a line with '$word'" "$out"
done
echo "ok - --help lists the commands, context and connection options, environment and exit codes"

# --- sync
run "$FF" sync --config "$TMP/seed.yaml"
expect "sync of the seed README example creates 3 flags and warns about the rollout quirk" 0 \
"new_dashboard: created
beta_checkout: created
dark_mode: created
3 flags: 3 created, 0 updated, 0 unchanged, 0 deleted" "$QUIRK"
run "$FF" sync --config "$TMP/seed.yaml"
expect "a repeated sync changes nothing" 0 \
"new_dashboard: unchanged
beta_checkout: unchanged
dark_mode: unchanged
3 flags: 0 created, 0 updated, 3 unchanged, 0 deleted" "$QUIRK"
run "$FF" sync --config "$TMP/small.yaml" --dry-run --prune
expect_first "sync --dry-run --prune shows what would change" 0 \
"new_dashboard: updated
dark_mode: unchanged
checkout_v2: created
beta_checkout: deleted
dry run: 4 flags: 1 created, 1 updated, 1 unchanged, 1 deleted" "flagforge: notice: dry run: overrides: 1 created, 0 updated, 0 unchanged"
run "$FF" status --tenant acme --flag beta_checkout
expect "... and writes nothing" 0 "beta_checkout: DISABLED (DEFAULT)" ""
run "$FF" sync --prune --config="$TMP/small.yaml"
expect_first "sync --prune" 0 \
"new_dashboard: updated
dark_mode: unchanged
checkout_v2: created
beta_checkout: deleted
4 flags: 1 created, 1 updated, 1 unchanged, 1 deleted" "flagforge: notice: overrides: 1 created, 0 updated, 0 unchanged"
run "$FF" status --tenant acme --flag beta_checkout
expect "status --flag of a pruned flag: exit 1" 1 "" 'flagforge: error: flag "beta_checkout" does not exist'

# --- status
run "$FF" status --tenant acme --user user_42 --groups "staff, beta" --env production
expect "status with tenant, user, groups and environment" 0 \
"checkout_v2: DISABLED (SPLIT)
dark_mode: ENABLED (STATIC)
new_dashboard: ENABLED (TARGETING_MATCH)" ""
run "$FF" status --tenant acme --user user_3 --env staging
expect "status for another user, no groups" 0 \
"checkout_v2: ENABLED (SPLIT)
dark_mode: ENABLED (STATIC)
new_dashboard: DISABLED (DEFAULT)" ""
run "$FF" status --tenant acme --groups ' "odd\group" ,, beta ,' --flag new_dashboard --env production
expect "status: groups are trimmed and quoted" 0 "new_dashboard: ENABLED (TARGETING_MATCH)" ""

# --- enable / disable
run "$FF" enable --flag new_dashboard --tenant globex
expect "enable" 0 "enabled new_dashboard for globex" ""
run "$FF" status --tenant globex --env production --flag new_dashboard
expect "status after enable" 0 "new_dashboard: ENABLED (TARGETING_MATCH)" ""
run "$FF" status --tenant globex --env development --flag new_dashboard
expect "... still gated by environment" 0 "new_dashboard: DISABLED (DISABLED)" ""
run "$FF" disable --tenant globex --flag new_dashboard
expect "disable" 0 "disabled new_dashboard for globex" ""
run "$FF" status --tenant globex --env production --flag new_dashboard
expect "status after disable" 0 "new_dashboard: DISABLED (DISABLED)" ""
run "$FF" enable --flag nope --tenant globex
expect_first "enable of an unknown flag: exit 1" 1 "" 'flagforge: error: flag "nope" does not exist'

# --- explain
run "$FF" explain --flag checkout_v2 --tenant acme --user user_42 --env production
expect "explain: a rollout that says no" 0 \
"checkout_v2: DISABLED (SPLIT)
  step: default_rollout
  detail: no tenant override, default_enabled is true and bucket 49 is not below rollout_percentage 20
  bucket: 49" ""
run "$FF" explain --flag checkout_v2 --tenant acme --user user_3
expect "explain: a rollout that says yes" 0 \
"checkout_v2: ENABLED (SPLIT)
  step: default_rollout
  detail: no tenant override, default_enabled is true and bucket 4 is below rollout_percentage 20
  bucket: 4" ""
run "$FF" explain --flag new_dashboard --tenant acme --groups beta --env production
expect "explain: group targeting" 0 \
"new_dashboard: ENABLED (TARGETING_MATCH)
  step: group_target
  detail: one of the user's groups is in the tenant's enabled_for_groups" ""
run "$FF" explain --flag nope --tenant acme
expect "explain of an unknown flag: exit 1" 1 "" 'flagforge: error: flag "nope" does not exist'

# --- export round trip
run "$FF" export --overrides --output "$TMP/export.yaml"
expect "export --output writes the file" 0 "" ""
run "$FF" export --overrides
[ "$out" = "$(cat "$TMP/export.yaml")" ] || fail "export to stdout" "document" "$(cat "$TMP/export.yaml")" "$out"
grep -q '^overrides:' "$TMP/export.yaml" || fail "export --overrides" "document" "an overrides: section" "$out"
echo "ok - export to stdout is the same document"
run "$FF" sync --prune --config "$TMP/export.yaml"
expect_first "syncing the export changes nothing" 0 \
"checkout_v2: unchanged
dark_mode: unchanged
new_dashboard: unchanged
3 flags: 0 created, 0 updated, 3 unchanged, 0 deleted" "flagforge: notice: overrides: 0 created, 0 updated, 2 unchanged"

# --- connection: missing extension, environment, URI, connection string, failures
run "$FF" status --tenant acme -d cli_test_noext
expect_first "a database without the extension: exit 1" 1 "" \
    'flagforge: error: extension "flagforge" is not installed in database "cli_test_noext"'
run env PGDATABASE=cli_test_noext "$FF" export
expect_first "PGDATABASE is honoured" 1 "" \
    'flagforge: error: extension "flagforge" is not installed in database "cli_test_noext"'
psql -X -q -d cli_test_noext -c "CREATE EXTENSION flagforge"
run env PGDATABASE=cli_test_noext "$FF" sync --config - <"$TMP/export.yaml"
expect_first "sync --config - of the export into a fresh database" 0 \
"checkout_v2: created
dark_mode: created
new_dashboard: created
3 flags: 3 created, 0 updated, 0 unchanged, 0 deleted" "flagforge: notice: overrides: 2 created, 0 updated, 0 unchanged"
run "$FF" export --overrides --dbname=cli_test_noext
if [ "$rc" != 0 ] || [ "$out" != "$(cat "$TMP/export.yaml")" ]; then
    fail "export of the fresh database" "document" "$(cat "$TMP/export.yaml")" "$out"
fi
echo "ok - ... which then exports the same document"

# percent-encode a URI query value; quote a connection string value
uri_value() { local s=$1 i c r=""; for ((i = 0; i < ${#s}; i++)); do c=${s:i:1}; case $c in [A-Za-z0-9/._~-]) r+=$c ;; *) r+=$(printf '%%%02X' "'$c") ;; esac; done; printf '%s' "$r"; }
conn_value() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }
URI="postgresql:///cli_test?host=$(uri_value "${PGHOST:-localhost}")&port=$(uri_value "${PGPORT:-5432}")&user=$(uri_value "${PGUSER:-postgres}")"
CONNSTR="host=$(conn_value "${PGHOST:-localhost}") port=$(conn_value "${PGPORT:-5432}") user=$(conn_value "${PGUSER:-postgres}") dbname=cli_test"
run env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE "$FF" status --tenant acme --flag dark_mode -d "$URI"
expect "-d with a URI" 0 "dark_mode: ENABLED (STATIC)" ""
run env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE "$FF" status --tenant acme --flag dark_mode -d "$CONNSTR"
expect "-d with a connection string" 0 "dark_mode: ENABLED (STATIC)" ""
run env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE "$FF" -h "${PGHOST:-localhost}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" -d cli_test status --tenant acme --flag dark_mode
expect "-h -p -U -d before the command" 0 "dark_mode: ENABLED (STATIC)" ""
run "$FF" status --tenant acme -p 1 -h "$TMP"
if [ "$rc" != 1 ] || [ -n "$out" ] || [ "$(grep -vc '^  ' <<<"$err")" != 1 ] ||
    [[ "$(head -n 1 <<<"$err")" != "flagforge: error: connection to server "*" failed: "* ]]; then
    fail "a failed connection: exit 1 with one error line" "exit status and stderr" \
        "1, flagforge: error: connection to server ... failed: ..." "$rc $err"
fi
echo "ok - a failed connection: exit 1 with one error line"

# --- flag file errors
run "$FF" sync --config "$TMP/bad.yaml"
expect_first "a bad flag file: exit 1 naming line and column" 1 "" \
    'flagforge: error: invalid flag file at line 4, column 5: unknown field "default_enable" in flag "x" (did you mean "default_enabled"?)'
run "$FF" sync --config "$TMP/missing.yaml"
expect "a missing file: exit 1" 1 "" "flagforge: error: could not read \"$TMP/missing.yaml\": No such file or directory"
run "$FF" sync --config "$TMP/nul.yaml"
expect "a file with a NUL byte is refused" 1 "" "flagforge: error: \"$TMP/nul.yaml\" contains a NUL byte (line 3): a flag file is UTF-8 text"
run "$FF" sync --config "$TMP/empty.yaml" --prune
expect_first "an empty file is refused (it would prune every flag)" 1 "" "flagforge: error: \"$TMP/empty.yaml\" is empty"
run "$FF" sync --config "$TMP/huge.yaml"
expect "a file over 64 MB is refused" 1 "" "flagforge: error: could not read \"$TMP/huge.yaml\": it is larger than 64 MB"
run "$FF" status --tenant acme --env production
expect "... and none of them changed anything" 0 \
"checkout_v2: DISABLED (SPLIT)
dark_mode: ENABLED (STATIC)
new_dashboard: DISABLED (DEFAULT)" ""

# --- usage errors: exit 2
run "$FF" frobnicate
expect "an unknown command: exit 2" 2 "" 'flagforge: error: unknown command "frobnicate"
  usage: flagforge {sync|status|enable|disable|export|explain} [OPTION]...'$'\n'"$USAGE_HINT"
run "$FF" status --tenant acme --bogus
expect "an unknown option: exit 2" 2 "" 'flagforge: error: unknown option --bogus
  usage: flagforge status --tenant T [--user U] [--groups G1,G2] [--env E] [--flag KEY] [CONTEXT OPTION]... [CONNECTION OPTION]...'$'\n'"$USAGE_HINT"
run "$FF" status --user user_42
expect "status without --tenant: exit 2" 2 "" 'flagforge: error: "status" needs --tenant
  usage: flagforge status --tenant T [--user U] [--groups G1,G2] [--env E] [--flag KEY] [CONTEXT OPTION]... [CONNECTION OPTION]...'$'\n'"$USAGE_HINT"
run "$FF" enable --flag new_dashboard --tenant acme --prune
expect_first "an option of another command: exit 2" 2 "" 'flagforge: error: option --prune is not valid for "enable"'
run "$FF" sync --config
expect_first "an option without its value: exit 2" 2 "" 'flagforge: error: option --config needs a value'
run "$FF"
expect_first "no command: exit 2" 2 "" 'flagforge: error: no command given'
run "$FF" enable --flag new_dashboard --tenant acme --session-id s1
expect_first "a context option on enable: exit 2" 2 "" 'flagforge: error: option --session-id is not valid for "enable"'
run "$FF" status --tenant acme --property region
expect "--property without NAME=: exit 2" 2 "" 'flagforge: error: option --property needs NAME=VALUE, not "region"
  usage: flagforge status --tenant T [--user U] [--groups G1,G2] [--env E] [--flag KEY] [CONTEXT OPTION]... [CONNECTION OPTION]...'$'\n'"$USAGE_HINT"
run "$FF" explain --flag x --tenant acme --property $'=eu\n'
expect_first "--property without a name: exit 2, the word escaped" 2 "" 'flagforge: error: option --property needs NAME=VALUE, not "=eu\n"'
run "$FF" explain --flag x --user u1
expect_first "explain without --tenant nor a context option: exit 2" 2 "" 'flagforge: error: "explain" needs --tenant'

# --- text from the database (and the command line) is shown escaped, on one line
export PGDATABASE=cli_test_text
psql -X -q -v ON_ERROR_STOP=1 -d cli_test_text <<'SQL'
CREATE EXTENSION flagforge;
INSERT INTO flagforge_flags (key, name, default_enabled) VALUES
    (E'evil\nok - fake line', 'line feed', false),
    (E'red\x1b[31mALERT\x1b[0m', 'CSI colour', true),
    (E'cr\rok - overwritten', 'carriage return', false),
    (E'osc\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07', 'OSC 8 hyperlink', false),
    (E'clip\x1b]52;c;ZXZpbA==\x07', 'OSC 52 clipboard', false),
    (E'bidi\u202Etxt.exe', 'right-to-left override', false),
    (E'c1\u009B2J\u0085', 'C1 CSI and NEL', false),
    (E'bs\b\x7f\u2028x', 'backspace, DEL, line separator', false),
    (' padded ', 'spaces at the ends', false),
    ('quote"and\back', 'quote and backslash', false),
    ('plain_key', 'plain', false);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled_for_users)
    VALUES ('acme', 'plain_key', ARRAY[E'u\nok - fake detail']);
SQL
EVIL_STATUS='" padded ": DISABLED (DEFAULT)
"bidi\u202etxt.exe": DISABLED (DEFAULT)
"bs\x08\x7f\u2028x": DISABLED (DEFAULT)
"c1\u009b2J\u0085": DISABLED (DEFAULT)
"clip\x1b]52;c;ZXZpbA==\x07": DISABLED (DEFAULT)
"cr\rok - overwritten": DISABLED (DEFAULT)
"evil\nok - fake line": DISABLED (DEFAULT)
"osc\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07": DISABLED (DEFAULT)
plain_key: DISABLED (DEFAULT)
"quote\"and\\back": DISABLED (DEFAULT)
"red\x1b[31mALERT\x1b[0m": ENABLED (STATIC)'
run "$FF" status --tenant acme
expect "status: keys with control characters are escaped and quoted" 0 "$EVIL_STATUS" ""
expect_clean "... no raw control character, no faked line"
run "$FF" status --tenant acme --flag $'evil\nok - fake line'
expect "status --flag of a key with a line feed" 0 '"evil\nok - fake line": DISABLED (DEFAULT)' ""
run "$FF" status --tenant acme --flag $'nope\e[31m'
expect "status --flag of an unknown key: the error escapes it" 1 "" 'flagforge: error: flag "nope\x1b[31m" does not exist'
run "$FF" explain --flag $'cr\rok - overwritten' --tenant acme
expect "explain of a key with a carriage return" 0 \
'"cr\rok - overwritten": DISABLED (DEFAULT)
  step: default_off
  detail: no tenant override and default_enabled is false' ""
expect_clean "... clean"
run "$FF" explain --flag plain_key --tenant acme --user $'u\nok - fake detail'
expect "explain: a user name with a line feed in the server's detail" 0 \
'plain_key: ENABLED (TARGETING_MATCH)
  step: user_target
  detail: user "u\nok - fake detail" is in the tenant'"'"'s enabled_for_users' ""
expect_clean "... clean"
run "$FF" enable --flag $'bidi\u202etxt.exe' --tenant $'acme\e[2J'
expect "enable: flag and tenant are escaped" 0 'enabled "bidi\u202etxt.exe" for "acme\x1b[2J"' ""
expect_clean "... clean"
run "$FF" disable --flag $'osc\e]8;;https://evil.example/\aclick\e]8;;\a' --tenant acme
expect "disable of an OSC 8 key" 0 'disabled "osc\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07" for acme' ""
run "$FF" enable --flag $'ghost\nok - fake error' --tenant acme
expect_first "a server error quoting the key is one escaped line" 1 "" \
    'flagforge: error: flag "ghost\nok - fake error" does not exist'
expect_clean "... clean"
# sync: the report lines of keys from the file (YAML escapes) and from the database (pruned)
cat >"$TMP/evil.yaml" <<'EOF'
flags:
  plain_key:
    name: plain
  "sync\nok - fake sync line":
    name: line feed
  "sync\e[2J\e]52;c;ZXZpbA==\a":
    name: clear screen and clipboard
  "warn\rok - fake warning":
    name: rollout quirk
    rollout_percentage: 5
EOF
run "$FF" sync --prune --dry-run --config "$TMP/evil.yaml"
expect_first "sync --prune --dry-run: created and deleted keys escaped, the server's warning too" 0 \
'plain_key: unchanged
"sync\nok - fake sync line": created
"sync\x1b[2J\x1b]52;c;ZXZpbA==\x07": created
"warn\rok - fake warning": created
" padded ": deleted
"bidi\u202etxt.exe": deleted
"bs\x08\x7f\u2028x": deleted
"c1\u009b2J\u0085": deleted
"clip\x1b]52;c;ZXZpbA==\x07": deleted
"cr\rok - overwritten": deleted
"evil\nok - fake line": deleted
"osc\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07": deleted
"quote\"and\\back": deleted
"red\x1b[31mALERT\x1b[0m": deleted
dry run: 14 flags: 3 created, 0 updated, 1 unchanged, 10 deleted' \
    'flagforge: warning: flag "warn\rok - fake warning" at line 10, column 25: rollout_percentage is 5 but default_enabled is false, so the flag is off for everyone: a rollout only narrows a flag that is on' 1
expect_clean "... clean"
printf 'flags:\n  plain_key: {name: plain}\noverrides:\n  "t\\e[31m":\n    "ghost\\nok - fake yaml error": {enabled: true}\n' >"$TMP/evil-override.yaml"
run "$FF" sync --config "$TMP/evil-override.yaml"
expect_first "a flag file error quoting a key and a tenant is one escaped line" 1 "" \
    'flagforge: error: invalid flag file at line 5, column 5: override of unknown flag "ghost\nok - fake yaml error" for tenant "t\x1b[31m"'
expect_clean "... clean"
run "$FF" $'frob\nok - fake usage'
expect_first "an unknown command word is escaped" 2 "" 'flagforge: error: unknown command "frob\nok - fake usage"'
expect_clean "... clean"
# export is machine-readable: the server's YAML, byte for byte, which sync reads back.
# Its writer escapes control characters and line breaks in double quotes; bidi
# formatting characters are printable in YAML and stay raw.
run "$FF" export
expect_clean "export: the server's YAML escapes control characters itself" "$CONTROL_RE|$FAKED_RE"
grep -qF '"evil\nok - fake line":' "$TMP/out" || fail "export" "document" 'a key "evil\nok - fake line"' "$out"
"$FF" export --output "$TMP/evil-export.yaml"
cmp -s "$TMP/out" "$TMP/evil-export.yaml" || fail "export" "stdout and --output" "the same bytes" "$(diff "$TMP/out" "$TMP/evil-export.yaml")"
run "$FF" sync --prune --dry-run --config "$TMP/evil-export.yaml"
expect "... which sync reads back unchanged" 0 "$(sed -n 's/: DISABLED (DEFAULT)$\|: ENABLED (STATIC)$/: unchanged/p' <<<"$EVIL_STATUS")
dry run: 11 flags: 0 created, 0 updated, 11 unchanged, 0 deleted" ""

# --- Unleash's context: rules, kill switch, prerequisite, variants (the jsonb forms)
export PGDATABASE=cli_test_unleash
psql -X -q -v ON_ERROR_STOP=1 -d cli_test_unleash <<'SQL'
CREATE SCHEMA "Un Leash";
CREATE EXTENSION flagforge SCHEMA "Un Leash";
SET search_path = "Un Leash";
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, kill_switch, variants) VALUES
    ('eu_only', 'EU only', true, 100, false, '[]'),
    ('quoted', 'a property with a quote and a line feed', true, 100, false, '[]'),
    ('killed', 'kill switch', true, 0, true, '[]'),
    ('child', 'needs killed', true, 0, false, '[]'),
    ('ab', 'A/B test', true, 100, false,
     '[{"name": "blue", "weight": 1000, "weightType": "variable", "stickiness": "default",
        "payload": {"type": "json", "value": "{\"color\": \"blue\"}"}},
       {"name": "red", "weight": 0, "weightType": "fix",
        "payload": {"type": "string", "value": "line 1\nok - fake payload"},
        "overrides": [{"contextName": "userId", "values": ["u2"]}]}]'),
    ('web_2025', 'web app from 2025', true, 100, false, '[]'),
    ('office', 'office network', true, 100, false, '[]'),
    ('sticky', 'by session', true, 100, false, '[]'),
    ('legacy', 'FlagForge rollout', true, 50, false, '[]');
INSERT INTO flagforge_rules (flag_key, position, strategy, parameters, constraints) VALUES
    ('eu_only', 0, 'default', '{}', '[{"contextName": "region", "operator": "IN", "values": ["eu"]}]'),
    ('eu_only', 1, 'flexibleRollout', '{"rollout": "100", "stickiness": "default", "groupId": "eu_only"}',
     '[{"contextName": "region", "operator": "IN", "values": ["ch"]}]'),
    ('quoted', 0, 'default', '{}',
     '[{"contextName": "it''s \"odd\"", "operator": "IN", "values": ["say \"hi\"\nbye \\o/"]}]'),
    ('child', 0, 'default', '{}', '[]'),
    ('ab', 0, 'default', '{}', '[]'),
    ('web_2025', 0, 'default', '{}',
     '[{"contextName": "appName", "operator": "IN", "values": ["web"]},
       {"contextName": "currentTime", "operator": "DATE_AFTER", "value": "2025-01-01T00:00:00.000Z"}]'),
    ('office', 0, 'remoteAddress', '{"IPs": "10.0.0.0/8"}', '[]'),
    ('sticky', 0, 'flexibleRollout', '{"rollout": "100", "stickiness": "sessionId", "groupId": "sticky"}', '[]');
INSERT INTO flagforge_prerequisites (flag_key, parent_key) VALUES ('child', 'killed');
SQL
ODD=$'it\'s "odd"=say "hi"\nbye \\o/'
run "$FF" status --tenant acme --user u1
expect "status without a context option: the argument form, no variant" 0 \
"ab: ENABLED (TARGETING_MATCH)
child: DISABLED (PREREQUISITE_FAILED)
eu_only: DISABLED (DEFAULT)
killed: DISABLED (DISABLED)
legacy: DISABLED (SPLIT)
office: DISABLED (DEFAULT)
quoted: DISABLED (DEFAULT)
sticky: DISABLED (DEFAULT)
web_2025: DISABLED (DEFAULT)" ""
run "$FF" status --tenant acme --user u1 --property region=eu --property "$ODD" --app-name web \
    --current-time 2026-03-01T09:00:00.000Z --remote-address 10.1.2.3 --session-id s1
expect "status in Unleash's context: every rule matches, the variant of ab" 0 \
"ab: ENABLED (TARGETING_MATCH) variant=blue
child: DISABLED (PREREQUISITE_FAILED)
eu_only: ENABLED (TARGETING_MATCH)
killed: DISABLED (DISABLED)
legacy: DISABLED (SPLIT)
office: ENABLED (TARGETING_MATCH)
quoted: ENABLED (TARGETING_MATCH)
sticky: ENABLED (TARGETING_MATCH)
web_2025: ENABLED (TARGETING_MATCH)" ""
run "$FF" status --user u1 --property region=eu
expect_first "status in a context with no tenant, where a flag needs one: the server's error" 1 "" \
    'flagforge: error: no tenant given for flagforge'
run "$FF" status --user u2 --flag ab --app-name web
expect "status --flag in a context with no tenant: only that flag, its override variant" 0 \
    "ab: ENABLED (TARGETING_MATCH) variant=red" ""
run "$FF" status --flag nope --app-name web
expect "status --flag of an unknown flag in a context: exit 1" 1 "" 'flagforge: error: flag "nope" does not exist'
run "$FF" explain --flag ab --user u1 --tenant acme
expect "explain without a context option: the rule, no variant" 0 \
"ab: ENABLED (TARGETING_MATCH)
  step: rule
  detail: no tenant override, and the flag's rule 1 (default) matched
  rule: 1
  strategy: default" ""
run "$FF" explain --flag ab --user u1 --app-name web
expect "explain: a variant with a JSON payload" 0 \
'ab: ENABLED (TARGETING_MATCH)
  step: rule
  detail: no tenant override, and the flag'"'"'s rule 1 (default) matched
  rule: 1
  strategy: default
  variant: blue
  payload: json {"color": "blue"}' ""
run "$FF" explain --flag ab --user u2 --session-id s1
expect "explain: an overridden variant, its payload escaped on one line" 0 \
"ab: ENABLED (TARGETING_MATCH)
  step: rule
  detail: no tenant override, and the flag's rule 1 (default) matched
  rule: 1
  strategy: default
  variant: red
  payload: string line 1\\nok - fake payload" ""
expect_clean "... clean"
run "$FF" explain --flag eu_only --property region=ch --user u1
expect "explain: the second rule decides" 0 \
"eu_only: ENABLED (TARGETING_MATCH)
  step: rule
  detail: no tenant override, and the flag's rule 2 (flexibleRollout) matched
  rule: 2
  strategy: flexibleRollout
  variant: disabled" ""
run "$FF" explain --flag eu_only --property region=eu --property region=us
expect "explain: the last --property of a name wins, no rule matches" 0 \
"eu_only: DISABLED (DEFAULT)
  step: no_rule_matched
  detail: no tenant override, and none of the flag's 2 rules matched
  variant: disabled" ""
run "$FF" explain --flag quoted --property "$ODD"
expect "explain: a property whose name and value hold quotes, a line feed, a backslash" 0 \
"quoted: ENABLED (TARGETING_MATCH)
  step: rule
  detail: no tenant override, and the flag's rule 1 (default) matched
  rule: 1
  strategy: default
  variant: disabled" ""
run "$FF" explain --flag quoted --property $'it\'s "odd"=say "hi"\nbye \\o'
expect_value "... and one character less does not match" 0 "quoted: DISABLED (DEFAULT)"
run "$FF" explain --flag killed --app-name web
expect "explain: the kill switch" 0 \
"killed: DISABLED (DISABLED)
  step: kill_switch
  detail: the flag's kill switch is on
  variant: disabled" ""
run "$FF" explain --flag child --app-name web
expect "explain: a prerequisite not met" 0 \
'child: DISABLED (PREREQUISITE_FAILED)
  step: prerequisite
  detail: prerequisite "killed" is not met: it must be on
  variant: disabled' ""
run "$FF" explain --flag web_2025 --app-name web --current-time 2024-12-31T23:59:59.000Z
expect_value "explain: --current-time before the rule's date" 0 "web_2025: DISABLED (DEFAULT)"
run "$FF" explain --flag web_2025 --app-name web --current-time 2025-01-01T00:00:01.000Z
expect_value "... and after it" 0 "web_2025: ENABLED (TARGETING_MATCH)"
run "$FF" explain --flag office --remote-address 192.168.1.1
expect_value "explain: --remote-address outside the rule's network" 0 "office: DISABLED (DEFAULT)"
run "$FF" explain --flag office --remote-address 10.9.8.7 --tenant acme
expect_value "... and inside it" 0 "office: ENABLED (TARGETING_MATCH)"
run "$FF" explain --flag sticky --session-id s1
expect_value "explain: --session-id as the rollout's stickiness" 0 "sticky: ENABLED (TARGETING_MATCH)"
run "$FF" explain --flag web_2025 --current-time tomorrow
expect "explain: a bad --current-time is the server's error" 1 "" \
'flagforge: error: context: currentTime "tomorrow" is not an ISO 8601 timestamp
  hint: Write it as JavaScript'"'"'s Date.toISOString() does, e.g. "2026-12-02T09:00:00.000Z".'
run "$FF" explain --flag $'nope\n' --app-name web
expect "explain of an unknown flag in a context: exit 1" 1 "" 'flagforge: error: flag "nope\n" does not exist'

echo "ok - all flagforge CLI checks passed"
