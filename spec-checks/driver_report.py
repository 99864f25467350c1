"""What both Python client drivers share (drive_python.py, drive_sdk.py):
the check that the driver has a way to call every operation, the
comparison of an answer with what a case expects of it, and the ending:
failures on standard error and exit 1, or one NOTE line saying what the
client completed. Standard library only: each driver runs in its own venv.
"""

import sys


def simple_gets(cases):
    """The document's operations that a generic driver can call from a
    case's path and query: GETs with only path and query parameters, no
    body and a JSON 200 (`cargo xtask spec` reads this from the document)."""
    return {op["operation"] for op in cases["operations"] if op["simple_get"]}


def require_ways(driver, cases, way):
    """Exits 1, naming the driver and each operation, unless `way(op)` finds
    a way to call every operation of the document and of the cases."""
    needed = dict.fromkeys([op["operation"] for op in cases["operations"]] + [c["operation"] for c in cases["calls"]])
    missing = [op for op in needed if way(op) is None]
    for op in missing:
        print("%s: no way to call %s" % (driver, op), file=sys.stderr)
    if missing:
        sys.exit(1)


def differences(answer, expected, at="answer"):
    """Where a JSON `answer` differs from what a case expects of it: an
    object must hold every expected field (and may hold more), an array
    exactly the expected items, anything else the expected value."""
    if isinstance(expected, dict):
        if not isinstance(answer, dict):
            return ["%s is %r, expected an object" % (at, answer)]
        return [d for key, value in expected.items()
                for d in (differences(answer[key], value, "%s.%s" % (at, key)) if key in answer
                          else ["%s has no %r" % (at, key)])]
    if isinstance(expected, list):
        if not isinstance(answer, list) or len(answer) != len(expected):
            return ["%s is %r, expected %d items" % (at, answer, len(expected))]
        return [d for i, (a, e) in enumerate(zip(answer, expected)) for d in differences(a, e, "%s[%d]" % (at, i))]
    # 1.0 is 1 (the SDK reads some counts as floats); True is not 1.
    if answer != expected or isinstance(answer, bool) != isinstance(expected, bool):
        return ["%s is %r, expected %r" % (at, answer, expected)]
    return []


def finish(who, credential, scenario, done, failures, error_outcome):
    """Exits 1 after printing `failures`; otherwise prints the NOTE line.
    `error_outcome` says what happened in the `error` scenario."""
    if failures:
        for f in failures:
            print("%s: %s" % (who, f), file=sys.stderr)
        sys.exit(1)
    outcome = "completed; the exported file was imported" if scenario != "error" else error_outcome
    print("NOTE: %s (%s, %s): %s %s" % (who, scenario, credential, ", ".join(done), outcome))
