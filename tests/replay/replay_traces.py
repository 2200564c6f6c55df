#!/usr/bin/env python3
"""Replays every committed trace (traces/**/*.cvt.gz) two ways:

* core-only: `hvtrace replay` drives the core with the recording and
  checks every decision (any trace, from either HAL);
* simulator traces again through Unicorn: `hvtrace unpack` gives back the
  recorded config and images, `hvsim --replay` re-executes them and must
  match event for event and end with the same state hash.

Usage: replay_traces.py --hvsim HVSIM --hvtrace HVTRACE TRACES_DIR
Exit 0 when every trace replays, 1 otherwise.
"""
import argparse
import gzip
import os
import pathlib
import subprocess
import sys
import tempfile


def run(cmd, log):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=600)
    log.write_bytes(p.stdout)
    return p.returncode, p.stdout.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hvsim", required=True)
    ap.add_argument("--hvtrace", required=True)
    ap.add_argument("traces")
    a = ap.parse_args()
    # traces/linux/ needs the kernel (not in the trace): its own test,
    # replay_linux_start.sh, in the linux suite.
    files = sorted(f for f in pathlib.Path(a.traces).rglob("*.cvt.gz")
                   if f.parent.name != "linux")
    if not files:
        print(f"no traces under {a.traces}")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for f in files:
            name = f.name[:-len(".cvt.gz")]
            trace = tmp / (name + ".cvt")
            trace.write_bytes(gzip.decompress(f.read_bytes()))
            rc, out = run([a.hvtrace, "replay", "--quiet", str(trace)],
                          tmp / (name + ".core.log"))
            ok = rc == 0
            line = f"{f.parent.name}/{name}: core-only {'ok' if ok else 'DIVERGED'}"
            if not ok:
                print(line)
                print("  " + out.strip().replace("\n", "\n  ")[-2000:])
                failed += 1
                continue
            if f.parent.name == "sim":
                d = tmp / name
                d.mkdir()
                rc, out = run([a.hvtrace, "unpack", str(trace), str(d)],
                              tmp / (name + ".unpack.log"))
                if rc == 0:
                    rc, out = run([a.hvsim, "--replay", str(trace),
                                   str(d / "config.dtb")],
                                  tmp / (name + ".sim.log"))
                ok = rc != 125 and rc != 2 and "replay identical" in out
                line += f", simulator {'identical' if ok else 'DIVERGED'}"
                if not ok:
                    print(line)
                    print("  " + out.strip().replace("\n", "\n  ")[-2000:])
                    failed += 1
                    continue
            print(line)
    print(f"{len(files) - failed} of {len(files)} traces replay")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
