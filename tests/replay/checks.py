"""Shared by the replay test scripts: named checks that print PASS/FAIL
and are counted, so that one script reports every failure, not the first.

    from checks import expect, failed
    expect("what is checked", ok, "detail shown when it fails")
    return 1 if failed() else 0

and the arguments and scratch copy the trace-editing tests share:

    a = hvtrace_args()                  # --hvtrace HVTRACE TRACE.cvt.gz
    with unpacked(a.trace, "smp.cvt") as (tmp, good): ...
"""
import argparse
import contextlib
import gzip
import pathlib
import tempfile

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


def hvtrace_args():
    """Parses `--hvtrace HVTRACE TRACE.cvt.gz`."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--hvtrace", required=True)
    ap.add_argument("trace")
    return ap.parse_args()


@contextlib.contextmanager
def unpacked(trace_gz, name):
    """A scratch directory holding the gzipped trace `trace_gz`
    decompressed as `name`; yields (directory, trace path)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        path = tmp / name
        path.write_bytes(gzip.decompress(pathlib.Path(trace_gz).read_bytes()))
        yield tmp, path
