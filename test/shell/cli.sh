#!/bin/bash
# test/shell/cli.sh: the `flagforge` command-line client (src/cli), installed by
# `make install` as $(pg_config --bindir)/flagforge (FF_CLI overrides the path).
#
# Needs PGHOST/PGPORT/PGUSER of a running cluster where the extension is installed.
# Creates the databases cli_test (the extension in a schema with a space, so every
# call's schema quoting is exercised) and cli_test_noext, runs each command and
# compares its exit status, stdout and stderr with what is expected, then drops
# both.  Prints "ok - ..." per check and exits 1 on the first difference, showing
# it.  Server wording owned by the extension (YAML errors, warnings, hints) is
# matched on its first line only.  Takes about a second.
set -euo pipefail
cd "$(dirname "$0")/../.."

FF=${FF_CLI:-$("${PG_CONFIG:-pg_config}" --bindir)/flagforge}
VERSION=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" flagforge.control)
TMP=$(mktemp -d /tmp/flagforge-cli.XXXXXX)
DBS="cli_test cli_test_noext"

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
for word in "  sync " "  status " "  enable " "  disable " "  export " "  explain " "--dbname" "PGHOST" "Exit status" "  2  a wrong command line"; do
    grep -qF -- "$word" <<<"$out" || fail "--help" "help text" "a line with '$word'" "$out"
done
echo "ok - --help lists the commands, connection options, environment and exit codes"

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
  usage: flagforge status --tenant T [--user U] [--groups G1,G2] [--env E] [--flag KEY] [CONNECTION OPTION]...'$'\n'"$USAGE_HINT"
run "$FF" status --user user_42
expect "status without --tenant: exit 2" 2 "" 'flagforge: error: "status" needs --tenant
  usage: flagforge status --tenant T [--user U] [--groups G1,G2] [--env E] [--flag KEY] [CONNECTION OPTION]...'$'\n'"$USAGE_HINT"
run "$FF" enable --flag new_dashboard --tenant acme --prune
expect_first "an option of another command: exit 2" 2 "" 'flagforge: error: option --prune is not valid for "enable"'
run "$FF" sync --config
expect_first "an option without its value: exit 2" 2 "" 'flagforge: error: option --config needs a value'
run "$FF"
expect_first "no command: exit 2" 2 "" 'flagforge: error: no command given'

echo "ok - all flagforge CLI checks passed"
