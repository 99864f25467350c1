"""The ending both client drivers share (drive_python.py, drive_sdk.py):
failures on standard error and exit 1, or one NOTE line saying what the
client completed. Standard library only: each driver runs in its own venv.
"""

import sys


def finish(who, credential, scenario, done, failures, error_outcome):
    """Exits 1 after printing `failures`; otherwise prints the NOTE line.
    `error_outcome` says what happened in the `error` scenario."""
    if failures:
        for f in failures:
            print("%s: %s" % (who, f), file=sys.stderr)
        sys.exit(1)
    outcome = "completed; the exported file was imported" if scenario != "error" else error_outcome
    print("NOTE: %s (%s, %s): %s %s" % (who, scenario, credential, ", ".join(done), outcome))
