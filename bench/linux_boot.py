#!/usr/bin/env python3
"""Linux boot benchmark: time from QEMU start to the test /init's marker,
under Cellvisor (2-vCPU cell, tests/linux/boot-cell.sh) and on bare QEMU
with virtualization=on and no hypervisor (tests/linux/boot-bare.sh), same
machine, same run, alternating, so host noise hits both alike.

Usage: linux_boot.py --image cellvisor.bin --config linux.dtb [--runs N]
                     [--cpu CPU] [--json FILE] [--quick]

Prints one line per boot and a summary table with medians and the ratio
(Cellvisor / bare; the issue's target is <= 1.15), and also the median of
the per-pair ratios, steadier on a noisy host. --quick: one pair of boots
(a rough figure; bench/suite.py --quick in CI). --json writes the figures
in bench/benchlib.py's format. Exit 0 when every boot reached its marker,
1 otherwise, 77 when the assets cannot be had.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LINUX = os.path.join(HERE, "..", "tests", "linux")
sys.path.insert(0, HERE)
import benchlib  # noqa: E402

TARGET = 1.15
MARKER = re.compile(r"^marker after ([0-9.]+) s")


def boot(cmd):
    """Runs one boot script; returns (seconds or None, exit code, output)."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=900)
    secs = None
    for line in p.stdout.splitlines():
        m = MARKER.match(line)
        if m:
            secs = float(m.group(1))
    return secs, p.returncode, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--image", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cpu", default="max,pauth=off")
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.runs = 1

    cell_cmd = ["sh", os.path.join(LINUX, "boot-cell.sh"), "--image", a.image,
                "--config", a.config, "--cpu", a.cpu]
    bare_cmd = ["sh", os.path.join(LINUX, "boot-bare.sh"), "--cpu", a.cpu,
                "--smp", "2"]
    times = {"bare": [], "cellvisor": []}
    for i in range(a.runs):
        for name, cmd in (("bare", bare_cmd), ("cellvisor", cell_cmd)):
            secs, rc, out = boot(cmd)
            if rc == 77:
                print(out.strip().splitlines()[-1] if out.strip() else "SKIP")
                return 77
            if rc != 0 or secs is None:
                print(f"{name} boot {i + 1} failed (exit {rc}):")
                print("\n".join(out.splitlines()[-15:]))
                return 1
            times[name].append(secs)
            print(f"run {i + 1}: {name:9s} marker after {secs:.2f} s", flush=True)

    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["cellvisor"] / med["bare"]
    # Boots alternate, so each pair shares the host's state of the moment;
    # the median of the pairs' ratios is the steadier figure on a noisy host.
    pairs = [c / b for b, c in zip(times["bare"], times["cellvisor"])]
    pair_ratio = statistics.median(pairs)
    n = f"median of {a.runs}" if a.runs > 1 else "1 run"
    figs = [
        benchlib.figure("boot to marker, Cellvisor (2-vCPU cell)",
                        med["cellvisor"], "s", reference=med["bare"],
                        reference_name="bare QEMU, virtualization=on",
                        target=f"ratio <= {TARGET}", met=ratio <= TARGET,
                        group="linux",
                        note=f"{n}; min {min(times['cellvisor']):.2f} s vs "
                        f"{min(times['bare']):.2f} s; -cpu {a.cpu}"),
        benchlib.figure("boot ratio, median of the run pairs", pair_ratio,
                        "x", ratio=pair_ratio, target=f"<= {TARGET}",
                        met=pair_ratio <= TARGET, group="linux",
                        note=f"pairs {min(pairs):.2f}..{max(pairs):.2f}"),
    ]
    print()
    benchlib.table(figs, sys.stdout)
    if a.json:
        benchlib.write_json(figs, a.json, {"linux": {
            "cpu": a.cpu, "runs": a.runs, "seconds": times, "median": med,
            "pair_ratios": pairs}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
