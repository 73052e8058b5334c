#!/bin/bash
# test/shell/replication.sh: caches stay fresh on a hot standby and on a logical subscriber.
#
# Starts its own clusters (the suite's cluster has default settings): a primary with
# wal_level=logical (port 56101), a hot standby made with pg_basebackup -R (56102) and a
# logical-replication subscriber of flagforge_flags and flagforge_overrides (56103), all as
# the postgres user with sockets under /tmp/ffrepl-*.  A Python script (/usr/bin/python3 with
# psycopg2) keeps ONE long-lived session open on the standby and one on the subscriber; each
# evaluates (so its backend caches the flags and the tenant), the primary changes flags and
# overrides (with the DBA functions and with plain SQL), the test waits until the change has
# been replayed or applied, and the same session must give the new answer: the relcache
# invalidations the triggers raise are replayed on the standby and raised by the apply worker
# on the subscriber (ENABLE ALWAYS triggers).  Also: the standby evaluates in its read-only
# transactions, and flagforge_enable there fails with a read-only error.
#
# Prints "ok - ..." per check; exits non-zero on the first failure.  Stops and removes every
# cluster it started (trap EXIT).  Takes about 10 seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh

PRIMARY=/tmp/ffrepl-primary PRIMARY_PORT=56101
STANDBY=/tmp/ffrepl-standby STANDBY_PORT=56102
SUBSCRIBER=/tmp/ffrepl-subscriber SUBSCRIBER_PORT=56103
DB=ffrepl
# The suite's connection settings are not ours.
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE

cleanup() {
    local status=$?
    ff_cluster_stop "$SUBSCRIBER"
    ff_cluster_stop "$STANDBY"
    ff_cluster_stop "$PRIMARY"
    if [ $status -ne 0 ]; then
        for dir in "$PRIMARY" "$STANDBY" "$SUBSCRIBER"; do
            [ -f "$dir/server.log" ] && { echo "--- $dir/server.log (end)"; tail -n 15 "$dir/server.log"; }
        done
    fi
    rm -rf "$PRIMARY" "$STANDBY" "$SUBSCRIBER"
    exit $status
}
trap cleanup EXIT

# psql_at DIR PORT SQL...: run SQL in $DB of the cluster in DIR.
psql_at() {
    local dir=$1 port=$2
    shift 2
    psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d "$DB" "$@"
}

# The primary, with what a standby and a subscriber need.
ff_cluster_start "$PRIMARY" "$PRIMARY_PORT" \
    "-c wal_level=logical -c max_wal_senders=10 -c max_replication_slots=10 -c wal_keep_size=64MB"
psql -X -q -h "$PRIMARY" -p "$PRIMARY_PORT" -U postgres -d postgres -c "CREATE DATABASE $DB"
psql_at "$PRIMARY" "$PRIMARY_PORT" <<'SQL'
CREATE EXTENSION flagforge;
INSERT INTO flagforge_flags (key, name, default_enabled, rollout_percentage, environments)
VALUES ('beta', 'Beta', false, 0, NULL),
       ('dark_mode', 'Dark mode', true, 0, NULL),
       ('gradual', 'Gradual', true, 50, '{production}'),
       ('doomed', 'Doomed', true, 0, NULL);
INSERT INTO flagforge_overrides (tenant_id, flag_key, enabled, enabled_for_users, enabled_for_groups)
VALUES ('acme', 'dark_mode', false, '{vip}', '{staff}'),
       ('globex', 'gradual', true, '{}', '{}');
SQL
echo "ok - primary started (wal_level=logical) with flags and overrides"

# A hot standby from a base backup (-R writes primary_conninfo and standby.signal).
rm -rf "$STANDBY"
mkdir -p "$STANDBY"
chown postgres "$STANDBY"
ff_as_postgres "$FF_PGBIN/pg_basebackup" -D "$STANDBY/data" -R -X stream -c fast \
    -h "$PRIMARY" -p "$PRIMARY_PORT" -U postgres >"$STANDBY/basebackup.log" 2>&1 \
    || { cat "$STANDBY/basebackup.log"; exit 1; }
ff_as_postgres "$FF_PGBIN/pg_ctl" -D "$STANDBY/data" -l "$STANDBY/server.log" -w \
    -o "-p $STANDBY_PORT -k $STANDBY -c listen_addresses='' -c hot_standby=on" start >/dev/null \
    || { cat "$STANDBY/server.log"; exit 1; }
echo "ok - hot standby started from pg_basebackup -R"

# A logical subscriber: its own extension, a publication of both tables on the primary.
ff_cluster_start "$SUBSCRIBER" "$SUBSCRIBER_PORT"
psql -X -q -h "$SUBSCRIBER" -p "$SUBSCRIBER_PORT" -U postgres -d postgres -c "CREATE DATABASE $DB"
psql_at "$SUBSCRIBER" "$SUBSCRIBER_PORT" -c "CREATE EXTENSION flagforge"
psql_at "$PRIMARY" "$PRIMARY_PORT" -c "CREATE PUBLICATION ffpub FOR TABLE flagforge_flags, flagforge_overrides"
psql_at "$SUBSCRIBER" "$SUBSCRIBER_PORT" -c "SET client_min_messages = warning" -c "CREATE SUBSCRIPTION ffsub
    CONNECTION 'host=$PRIMARY port=$PRIMARY_PORT user=postgres dbname=$DB'
    PUBLICATION ffpub WITH (copy_data = true)"
echo "ok - subscriber started and subscribed to flagforge_flags and flagforge_overrides"

PRIMARY_DSN="host=$PRIMARY port=$PRIMARY_PORT user=postgres dbname=$DB" \
STANDBY_DSN="host=$STANDBY port=$STANDBY_PORT user=postgres dbname=$DB" \
SUBSCRIBER_DSN="host=$SUBSCRIBER port=$SUBSCRIBER_PORT user=postgres dbname=$DB" \
/usr/bin/python3 - <<'PYTHON'
import os
import sys
import time

import psycopg2

TIMEOUT = 20.0


def connect(dsn_var):
    conn = psycopg2.connect(os.environ[dsn_var])
    conn.autocommit = True
    return conn


def one(conn, sql, args=()):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()[0]


def ok(message):
    print("ok - " + message, flush=True)


def fail(message):
    print("not ok - " + message, flush=True)
    sys.exit(1)


def expect(got, want, message):
    if got != want:
        fail("%s: got %r, want %r" % (message, got, want))
    ok(message)


def wait_for(predicate, what):
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            fail("timed out after %.0f s waiting for %s" % (TIMEOUT, what))
        time.sleep(0.05)


IS_ENABLED = "SELECT flagforge_is_enabled(%s, %s, %s, %s::text[], %s)"
EVALUATE_ALL = "SELECT flagforge_evaluate_all(%s, %s, %s::text[], %s)::text"
CONTEXTS = [(t, u, g, e)
            for t in ("acme", "globex", "initech")
            for u in (None, "vip", "user-%d" % 7, "user-%d" % 8)
            for g in ([], ["staff"])
            for e in (None, "production")]


def answers(conn):
    return [one(conn, EVALUATE_ALL, c) for c in CONTEXTS]


primary = connect("PRIMARY_DSN")
standby_admin = connect("STANDBY_DSN")
subscriber_admin = connect("SUBSCRIBER_DSN")


def wait_replayed():
    """Wait until the standby has replayed everything the primary has written."""
    lsn = one(primary, "SELECT pg_current_wal_lsn()::text")
    wait_for(lambda: one(standby_admin, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)),
             "the standby to replay up to %s" % lsn)


# ---------------------------------------------------------------- hot standby
standby = connect("STANDBY_DSN")               # the long-lived session
wait_replayed()
expect(one(standby, "SELECT pg_is_in_recovery()"), True, "the standby is in recovery")
expect(one(standby, "SHOW transaction_read_only"), "on",
       "the standby's transactions are read-only")
expect(answers(standby), answers(primary),
       "the standby evaluates in its read-only transactions: %d evaluate_all answers equal the primary's"
       % len(CONTEXTS))

# Cache acme's answers in the long-lived session.
expect(one(standby, IS_ENABLED, ("beta", "acme", "u1", [], None)), False,
       "standby session: beta is off for acme (cached)")
expect(one(standby, IS_ENABLED, ("dark_mode", "acme", "u1", [], None)), False,
       "standby session: dark_mode is off for acme (override)")

one(primary, "SELECT flagforge_enable('beta', 'acme')::text")
wait_replayed()
expect(one(standby, IS_ENABLED, ("beta", "acme", "u1", [], None)), True,
       "same standby session sees flagforge_enable('beta', 'acme') once replayed")

with primary.cursor() as cur:
    cur.execute("UPDATE flagforge_overrides SET enabled = NULL WHERE tenant_id = 'acme' AND flag_key = 'dark_mode'")
wait_replayed()
expect(one(standby, IS_ENABLED, ("dark_mode", "acme", "u1", [], None)), True,
       "same standby session sees a plain UPDATE of an override (no opinion: the default, on)")

with primary.cursor() as cur:
    cur.execute("UPDATE flagforge_flags SET default_enabled = false WHERE key = 'dark_mode'")
wait_replayed()
expect(one(standby, IS_ENABLED, ("dark_mode", "acme", "u1", [], None)), False,
       "same standby session sees a plain UPDATE of a definition")
# Targeting (1.1): a new rule, then the kill switch, seen by the same standby session.
RULE_CTX = '{"tenant": "acme", "userId": "u1", "properties": {"plan": "pro"}}'
expect(one(standby, "SELECT flagforge_is_enabled('dark_mode', %s::jsonb)", (RULE_CTX,)), False,
       "standby session: dark_mode is off in a jsonb context (cached)")
with primary.cursor() as cur:
    cur.execute("""INSERT INTO flagforge_rules (flag_key, position, constraints)
                   VALUES ('dark_mode', 0, '[{"contextName": "plan", "operator": "IN", "values": ["pro"]}]')""")
wait_replayed()
expect(one(standby, "SELECT flagforge_is_enabled('dark_mode', %s::jsonb)", (RULE_CTX,)), True,
       "same standby session sees a new targeting rule once replayed")
with primary.cursor() as cur:
    cur.execute("UPDATE flagforge_flags SET kill_switch = true WHERE key = 'dark_mode'")
wait_replayed()
expect(one(standby, "SELECT flagforge_is_enabled('dark_mode', %s::jsonb)", (RULE_CTX,)), False,
       "same standby session sees the kill switch once replayed")
expect(answers(standby), answers(primary),
       "after the changes, the standby session's %d evaluate_all answers equal the primary's" % len(CONTEXTS))

try:
    one(standby, "SELECT flagforge_enable('beta', 'initech')::text")
except psycopg2.Error as e:
    expect(e.pgcode, "25006", "flagforge_enable on the standby fails with read_only_sql_transaction (%s)"
           % e.pgerror.splitlines()[0])
else:
    fail("flagforge_enable on the standby succeeded")

# ------------------------------------------------------- logical subscriber
wait_for(lambda: one(subscriber_admin,
                     "SELECT count(*) = 2 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel"),
         "the subscription's initial copy")


def subscriber_has(sql, args=()):
    return lambda: one(subscriber_admin, sql, args)


def wait_applied(description, sql, args=()):
    wait_for(subscriber_has(sql, args), "the subscriber to apply " + description)


# The primary's latest changes may still be on their way after the copy.
wait_applied("the changes made so far",
             "SELECT default_enabled = false FROM flagforge_flags WHERE key = 'dark_mode'")
wait_applied("the changes made so far",
             "SELECT count(*) = 1 FROM flagforge_overrides WHERE tenant_id = 'acme' AND flag_key = 'beta' AND enabled")
subscriber = connect("SUBSCRIBER_DSN")         # the long-lived session
expect(answers(subscriber), answers(primary),
       "the subscriber's %d evaluate_all answers equal the primary's after the initial copy" % len(CONTEXTS))
expect(one(subscriber, IS_ENABLED, ("beta", "globex", "u1", [], None)), False,
       "subscriber session: beta is off for globex (cached)")
# globex's override of gradual is on with no rollout (everyone); user-7's bucket is 19.
expect(one(subscriber, IS_ENABLED, ("gradual", "globex", "user-7", [], "production")), True,
       "subscriber session: gradual is on for globex/user-7 (cached)")
expect(one(subscriber, IS_ENABLED, ("doomed", "initech", "u1", [], None)), True,
       "subscriber session: doomed is on for initech (cached)")

# An override, through the DBA function.
one(primary, "SELECT flagforge_enable('beta', 'globex')::text")
wait_applied("flagforge_enable('beta', 'globex')",
             "SELECT count(*) = 1 FROM flagforge_overrides WHERE tenant_id = 'globex' AND flag_key = 'beta' AND enabled")
expect(one(subscriber, IS_ENABLED, ("beta", "globex", "u1", [], None)), True,
       "same subscriber session sees flagforge_enable('beta', 'globex') once applied")

# A definition, with plain SQL; and an override's rollout.
with primary.cursor() as cur:
    cur.execute("UPDATE flagforge_flags SET default_enabled = true WHERE key = 'beta'")
    cur.execute("UPDATE flagforge_overrides SET rollout_percentage = 1 WHERE tenant_id = 'globex' AND flag_key = 'gradual'")
wait_applied("the UPDATE of beta", "SELECT default_enabled FROM flagforge_flags WHERE key = 'beta'")
wait_applied("the UPDATE of globex's gradual",
             "SELECT rollout_percentage = 1 FROM flagforge_overrides WHERE tenant_id = 'globex' AND flag_key = 'gradual'")
expect(one(subscriber, IS_ENABLED, ("beta", "initech", "u1", [], None)), True,
       "same subscriber session sees a plain UPDATE of a definition (beta on by default)")
expect(one(subscriber, IS_ENABLED, ("gradual", "globex", "user-7", [], "production")), False,
       "same subscriber session sees a plain UPDATE of an override's rollout (1%: bucket 19 is out)")

# A flag deleted (its overrides follow it).
with primary.cursor() as cur:
    cur.execute("DELETE FROM flagforge_flags WHERE key = 'doomed'")
wait_applied("the DELETE of doomed", "SELECT count(*) = 0 FROM flagforge_flags WHERE key = 'doomed'")
expect(one(subscriber, IS_ENABLED, ("doomed", "initech", "u1", [], None)), False,
       "same subscriber session sees a deleted flag as unknown (off)")
expect(answers(subscriber), answers(primary),
       "after the changes, the subscriber session's %d evaluate_all answers equal the primary's" % len(CONTEXTS))

for conn in (primary, standby_admin, subscriber_admin, standby, subscriber):
    conn.close()
PYTHON

# Drop the subscription before the clusters stop (it also drops the slot on the primary).
psql_at "$SUBSCRIBER" "$SUBSCRIBER_PORT" -c "SET client_min_messages = warning" -c "DROP SUBSCRIPTION ffsub"
echo "ok - subscription dropped; stopping the clusters"
