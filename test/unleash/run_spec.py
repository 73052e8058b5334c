#!/usr/bin/python3
"""Run Unleash's client specification through flagforge's SQL functions.

Every case of the specification files 01-18, 21 and 22 (19 and 20 are the
delta streaming API, which does not apply): each file's "state" is loaded
with flagforge_import_unleash(state, prune => true), each "tests" case is
asked of flagforge_is_enabled(toggleName, context) and each "variantTests"
case of flagforge_variant(toggleName, context), and the answer must equal
"expectedResult".  Prints one line per failing case and the counts; exits
non-zero unless every case passes.

    /usr/bin/python3 test/unleash/run_spec.py DBNAME
(libpq's PGHOST, PGPORT and PGUSER say where; npm ci in test/unleash first.)
"""
import glob
import json
import os
import sys

import psycopg2

SPEC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_modules",
                        "@unleash", "client-specification", "specifications")
OUT_OF_SCOPE = {"19", "20"}  # the delta API: payload events, not a features state


def spec_files():
    """The specification files in scope, in order."""
    files = sorted(glob.glob(os.path.join(SPEC_DIR, "[0-9][0-9]-*.json")))
    if not files:
        sys.exit(f"no specification files in {SPEC_DIR}: run npm ci in test/unleash")
    return [f for f in files if os.path.basename(f)[:2] not in OUT_OF_SCOPE]


def run_file(cur, path):
    """Load one file's state and ask every case; returns (passed, failures)."""
    spec = json.load(open(path, encoding="utf-8"))
    cur.execute("SELECT count(*) FROM flagforge_import_unleash(%s::jsonb, prune => true)",
                (json.dumps(spec["state"]),))
    passed, failures = 0, []
    asked = [("SELECT flagforge_is_enabled(%s, %s::jsonb)", case) for case in spec.get("tests", [])]
    asked += [("SELECT flagforge_variant(%s, %s::jsonb)", case) for case in spec.get("variantTests", [])]
    for query, case in asked:
        cur.execute(query, (case["toggleName"], json.dumps(case["context"])))
        got = cur.fetchone()[0]
        if got == case["expectedResult"]:
            passed += 1
        else:
            failures.append((case["description"], case["expectedResult"], got))
    return passed, failures


def main():
    conn = psycopg2.connect(dbname=sys.argv[1] if len(sys.argv) > 1 else "postgres")
    conn.autocommit = True
    cur = conn.cursor()
    total_passed = total_failed = 0
    for path in spec_files():
        name = os.path.basename(path)
        passed, failures = run_file(cur, path)
        total_passed += passed
        total_failed += len(failures)
        print(f"{'ok' if not failures else 'FAIL':4} {name}: {passed} of {passed + len(failures)}")
        for description, expected, got in failures:
            print(f"     {description}: expected {json.dumps(expected)}, got {json.dumps(got)}")
    print(f"Unleash client specification: {total_passed} of {total_passed + total_failed} cases pass")
    sys.exit(0 if total_failed == 0 else 1)


if __name__ == "__main__":
    main()
