"""test/clients/tap.py: tiny assertion helpers for the Python client tests.

Each check prints `ok - <what>` or `not ok - <what>` with the difference;
`done()` exits non-zero when any check failed. An exception escaping a test
is a failure too (Python exits 1 with the traceback).
"""

import os
import sys

_failed = 0
_prefix = ""


def prefix(name):
    """Label the following checks with the client's name."""
    global _prefix
    _prefix = name + ": "


def ok(cond, what, detail=None):
    global _failed
    if cond:
        print("ok - " + _prefix + what, flush=True)
    else:
        _failed += 1
        print("not ok - " + _prefix + what, flush=True)
        if detail is not None:
            print("#   " + str(detail).replace("\n", "\n#   "), flush=True)
    return bool(cond)


def eq(got, expected, what):
    return ok(got == expected, what,
              "got      %r\nexpected %r" % (got, expected))


def raises(fn, what, pgcode=None, contains=None, exc_type=Exception):
    """Check that fn() raises exc_type (with this SQLSTATE / message part); return the error."""
    try:
        fn()
    except exc_type as e:  # noqa: BLE001 - the caller chooses the type
        code = None
        for err in (e, getattr(e, "orig", None), e.__cause__):   # psycopg2, SQLAlchemy, Django
            code = code or getattr(err, "pgcode", None)
        text = str(e)
        good = (pgcode is None or code == pgcode) and (contains is None or contains in text)
        ok(good, what, "raised SQLSTATE %s: %s" % (code, text))
        return e
    ok(False, what, "no error raised")
    return None


def dbname():
    return os.environ.get("PGDATABASE", "clients_test")


def done():
    sys.stdout.flush()
    sys.exit(1 if _failed else 0)
