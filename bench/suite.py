#!/usr/bin/env python3
"""The benchmark suite (issue 8): every benchmark in one run, one table,
one JSON file.

Usage: suite.py [--quick] [--json FILE] [--only NAME[,NAME...]]
                [--check] -- NAME SCRIPT ARG... [-- NAME SCRIPT ARG...]...

Each component is a benchmark script of bench/ with its arguments (meson
passes them: bench/meson.build). The suite runs them one after another
(never in parallel: they measure time), each as
`python3 SCRIPT ARG... --json TMP [--quick]`, shows their progress, then
prints one table of every figure beside its reference and the ratio, and
writes all figures to --json (schema of bench/benchlib.py).

--quick asks every script for its short mode (the whole suite in under
5 minutes on a 2-core machine: CI runs it through `meson test`). --check
makes the exit status say whether every component produced its figures
(a component that exits 77, a tool missing, counts as a failure with
--check, since CI installs everything); targets missed never fail the
run: figures are reported, not asserted.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402


def split_components(argv):
    """[(name, [script, arg, ...]), ...] from NAME SCRIPT ARG... -- ..."""
    comps, cur = [], []
    for a in argv + ["--"]:
        if a == "--":
            if cur:
                if len(cur) < 2:
                    raise SystemExit(f"suite.py: component {cur[0]!r} has "
                                     "no script")
                comps.append((cur[0], cur[1:]))
            cur = []
        else:
            cur.append(a)
    return comps


def run_component(name, cmd, quick, tmp, log):
    """Runs one script; returns (status, figures, seconds)."""
    out = os.path.join(tmp, name + ".json")
    full = [sys.executable] + cmd + ["--json", out] + (["--quick"] if quick
                                                       else [])
    t = time.monotonic()
    with open(log, "w") as f:
        p = subprocess.run(full, stdout=f, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL)
    secs = time.monotonic() - t
    figs = []
    if p.returncode == 0 and os.path.exists(out):
        figs = benchlib.read_json(out)
        for fig in figs:
            fig["group"] = fig.get("group") or name
    return p.returncode, figs, secs


def tail(path, n=12):
    with open(path, errors="replace") as f:
        return f.read().splitlines()[-n:]


def main():
    argv = sys.argv[1:]
    if "--" in argv:
        i = argv.index("--")
        opts, rest = argv[:i], argv[i + 1:]
    else:
        opts, rest = argv, []
    ap = argparse.ArgumentParser(
        usage="suite.py [--quick] [--json FILE] [--only NAMES] [--check] "
              "-- NAME SCRIPT ARG... [-- ...]")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--only", help="comma-separated component names")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--logs", help="keep each component's output here")
    a = ap.parse_args(opts)
    comps = split_components(rest)
    if a.only:
        wanted = set(a.only.split(","))
        unknown = wanted - {n for n, _ in comps}
        if unknown:
            print(f"suite.py: no component named {', '.join(sorted(unknown))}"
                  f" (have: {', '.join(n for n, _ in comps)})")
            return 2
        comps = [c for c in comps if c[0] in wanted]
    if not comps:
        print("suite.py: no components given (see bench/meson.build)")
        return 2

    figures, summary, failed = [], [], []
    with tempfile.TemporaryDirectory(prefix="cellvisor-bench-") as tmp:
        logs = a.logs or tmp
        os.makedirs(logs, exist_ok=True)
        for i, (name, cmd) in enumerate(comps, 1):
            log = os.path.join(logs, name + ".log")
            print(f"[{i}/{len(comps)}] {name}: {os.path.basename(cmd[0])} "
                  f"{'(quick) ' if a.quick else ''}...", flush=True)
            rc, figs, secs = run_component(name, cmd, a.quick, tmp, log)
            state = {0: "ok", 77: "skipped"}.get(rc, f"failed (exit {rc})")
            if rc == 0 and not figs:
                state = "failed (no figures)"
            print(f"[{i}/{len(comps)}] {name}: {state}, {len(figs)} figures,"
                  f" {secs:.1f} s", flush=True)
            if state != "ok":
                failed.append(name)
                for line in tail(log):
                    print(f"    {line}")
            figures += figs
            summary.append({"name": name, "status": state,
                            "seconds": round(secs, 2)})

    print()
    if figures:
        benchlib.table(figures, sys.stdout)
    missed = [f for f in figures if f["met"] is False]
    print()
    print(f"{len(figures)} figures from {len(comps) - len(failed)} of "
          f"{len(comps)} benchmarks; targets met "
          f"{sum(f['met'] is True for f in figures)}, missed {len(missed)}"
          + (f" ({', '.join(f['group'] + ': ' + f['name'] for f in missed)})"
             if missed else ""))
    if a.json:
        benchlib.write_json(figures, a.json,
                            {"quick": a.quick, "components": summary})
        print(f"JSON: {a.json}")
    if failed:
        print(f"no figures from: {', '.join(failed)}")
        return 1 if a.check else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
