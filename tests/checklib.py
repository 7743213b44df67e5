"""checklib.py: the ok/FAIL lines and the closing count the Python suites share.

check(name, cond, detail) prints "ok   name" or "FAIL name: detail"; report(suite)
prints "suite: N passed, N failed", the line tests/run-tests.sh reads, and
returns the exit status (1 when anything failed)."""

counts = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        counts["passed"] += 1
        print("ok   " + name)
    else:
        counts["failed"] += 1
        print("FAIL " + name + (": " + detail if detail else ""))
    return bool(cond)


def report(suite):
    print("%s: %d passed, %d failed" % (suite, counts["passed"], counts["failed"]))
    return 1 if counts["failed"] else 0
