"""Shared by the replay test scripts: named checks that print PASS/FAIL
and are counted, so that one script reports every failure, not the first.

    from checks import expect, failed
    expect("what is checked", ok, "detail shown when it fails")
    return 1 if failed() else 0
"""

_failures = []


def expect(what, ok, detail):
    """Prints PASS or FAIL with `what`; on failure also `detail`."""
    print(("PASS " if ok else "FAIL ") + what)
    if not ok:
        print("  " + detail.strip().replace("\n", "\n  "))
        _failures.append(what)


def failed():
    """The names of the checks that failed so far."""
    return list(_failures)
