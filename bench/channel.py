#!/usr/bin/env python3
"""Channel benchmark: messages/s and doorbells/s of guests/chan.c (two
cells, a 256 x 64-byte SPSC ring over a channel, HV_CALL_DOORBELL) on the
simulator and on QEMU.

Usage: channel.py --guests DIR [--hvsim HVSIM] [--qemu QEMU --image IMG]
                  [--runs N] [--sim-count N] [--qemu-count N] [--cpu CPU]
                  [--json FILE] [--quick]

DIR is build/guests (channel-sim.dtb, channel.dtb, chan.bin). Each run uses
a copy of the config with the message count set and boot-arg bit 33
(verbose) on both cells, so the guests also print "stats: ROLE doorbells
rung R, taken T, sleeps S" (timing-dependent, hence not in the tests).

* sim: `hvsim --stats`; rates are over hvsim's own wall time (whole run:
  config, loading and both cells; the 2 s of a 1,000,000-message run are
  nearly all messages).
* QEMU: wall time from QEMU's start to the "all cells ended" line, minus
  the median of the same run with 1 message (boot, config, GIC set-up),
  so the rate is for the messages alone; the gross figure is printed too.

--quick: one run of each, 100,000 messages on the simulator and 10,000 on
QEMU (bench/suite.py --quick in CI). --json writes the figures in
bench/benchlib.py's format, with the raw runs under "channel".

doorbells/s counts the doorbells both cells rang (HV_CALL_DOORBELL calls
that returned 0). Exit 0 when every run ended with status 0 and the
guests' checks passed, 1 otherwise, 77 when a tool is missing.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402

MKBUNDLE = os.path.join(HERE, "..", "scripts", "mkbundle.py")
SUMMARY = re.compile(r"cellvisor: all cells ended, status (-?\d+)")
STATS = re.compile(r"\[(\w+)\] stats: (\w+) doorbells rung (\d+), "
                   r"taken (\d+), sleeps (\d+)")
WALL = re.compile(r"hvsim: stats: total insns (\d+), wall ([0-9.]+) s")
PRODUCER_BIT = 1 << 32
VERBOSE_BIT = 1 << 33


def make_dtb(src, dst, count):
    """Copies src to dst with both cells' boot-arg set to count, verbose."""
    shutil.copyfile(src, dst)
    for cell, role in (("producer", PRODUCER_BIT), ("consumer", 0)):
        arg = role | VERBOSE_BIT | count
        subprocess.run(["fdtput", "-t", "x", dst, "/cells/" + cell,
                        "boot-arg", "%x" % (arg >> 32),
                        "%x" % (arg & 0xffffffff)], check=True)


def parse_guest(text):
    """(doorbells rung by both, {role: (rung, taken, sleeps)}, ok)."""
    stats = {}
    for m in STATS.finditer(text):
        stats[m.group(2)] = tuple(int(m.group(i)) for i in (3, 4, 5))
    summ = SUMMARY.search(text)
    ok = (summ is not None and summ.group(1) == "0" and
          set(stats) == {"producer", "consumer"} and "FAIL" not in text)
    return sum(s[0] for s in stats.values()), stats, ok


def run_sim(hvsim, dtb):
    p = subprocess.run([hvsim, "--stats", "--max-insns", "4000000000", dtb],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=600)
    out = p.stdout + p.stderr
    rung, stats, ok = parse_guest(out)
    m = WALL.search(out)
    if p.returncode != 0 or not ok or not m:
        return None, out
    return {"wall": float(m.group(2)), "insns": int(m.group(1)),
            "doorbells": rung, "per_cell": stats}, out


def run_qemu(qemu, cpu, image, bundle, log):
    cmd = [qemu, "-M", "virt,virtualization=on,gic-version=3", "-cpu", cpu,
           "-smp", "4", "-m", "1G", "-nographic", "-no-reboot", "-nic", "none",
           "-kernel", image, "-initrd", bundle]
    with open(log, "wb") as f:
        start = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f,
                             stderr=subprocess.STDOUT)
        end = None
        while time.monotonic() - start < 600:
            if p.poll() is not None:
                break
            with open(log, "rb") as r:
                if SUMMARY.search(r.read().decode("utf-8", "replace")):
                    end = time.monotonic()
                    break
            time.sleep(0.005)
        if end is None and p.poll() is not None:
            end = time.monotonic()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    with open(log, "rb") as r:
        out = r.read().decode("utf-8", "replace").replace("\r", "")
    rung, stats, ok = parse_guest(out)
    if not ok or end is None:
        return None, out
    return {"wall": end - start, "doorbells": rung, "per_cell": stats}, out


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def fail(what, out):
    print(f"{what} failed; last lines:")
    print("\n".join("    " + l for l in out.splitlines()[-15:]))
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--guests", required=True)
    ap.add_argument("--hvsim")
    ap.add_argument("--qemu")
    ap.add_argument("--image")
    ap.add_argument("--cpu", default="max,pauth=off")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sim-count", type=int, default=1000000)
    ap.add_argument("--qemu-count", type=int, default=100000)
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.sim_count, a.qemu_count = 1, 100000, 10000

    if not shutil.which("fdtput"):
        print("SKIP: fdtput not found: install device-tree-compiler")
        return 77
    if not a.hvsim and not a.qemu:
        print("SKIP: neither --hvsim nor --qemu given")
        return 77
    result = {}
    figs = []

    def fig(name, value, unit, note):
        figs.append(benchlib.figure(name, value, unit, note=note,
                                    group="channel"))
    with tempfile.TemporaryDirectory(prefix="cellvisor-chan-") as tmp:
        shutil.copyfile(os.path.join(a.guests, "chan.bin"),
                        os.path.join(tmp, "chan.bin"))
        if a.hvsim:
            dtb = os.path.join(tmp, "sim.dtb")
            make_dtb(os.path.join(a.guests, "channel-sim.dtb"), dtb,
                     a.sim_count)
            runs = []
            for i in range(a.runs):
                r, out = run_sim(a.hvsim, dtb)
                if r is None:
                    return fail(f"sim run {i + 1}", out)
                runs.append(r)
                print(f"sim run {i + 1}: {a.sim_count} messages in "
                      f"{r['wall']:.3f} s, {r['doorbells']} doorbells, "
                      f"{r['insns'] / 1e6:.0f} M insns; {r['per_cell']}",
                      flush=True)
            w = med(runs, "wall")
            d = med(runs, "doorbells")
            result["sim"] = {"messages": a.sim_count, "runs": runs,
                             "wall_median": w, "msgs_per_s": a.sim_count / w,
                             "doorbells_per_s": d / w}
            fig("sim: messages/s", a.sim_count / w, "messages/s",
                f"{a.sim_count} msgs, median wall {w:.3f} s")
            fig("sim: doorbells/s", d / w, "doorbells/s",
                f"median {d:.0f} doorbells per run")
        if a.qemu and a.image:
            bundles = {}
            for name, count in (("msgs", a.qemu_count), ("base", 1)):
                dtb = os.path.join(tmp, name + ".dtb")
                make_dtb(os.path.join(a.guests, "channel.dtb"), dtb, count)
                # mkbundle stores the config as config.dtb whatever its name.
                bundles[name] = os.path.join(tmp, name + ".cpio")
                subprocess.run([sys.executable, MKBUNDLE, bundles[name], dtb,
                                os.path.join(tmp, "chan.bin")], check=True)
            runs = {"msgs": [], "base": []}
            for i in range(a.runs):
                for name in ("base", "msgs"):
                    r, out = run_qemu(a.qemu, a.cpu, a.image, bundles[name],
                                      os.path.join(tmp, name + ".log"))
                    if r is None:
                        return fail(f"qemu {name} run {i + 1}", out)
                    runs[name].append(r)
                    print(f"qemu run {i + 1} ({name}): {r['wall']:.3f} s, "
                          f"{r['doorbells']} doorbells; {r['per_cell']}",
                          flush=True)
            gross = med(runs["msgs"], "wall")
            base = med(runs["base"], "wall")
            net = gross - base
            d = med(runs["msgs"], "doorbells")
            result["qemu"] = {"cpu": a.cpu, "messages": a.qemu_count,
                              "runs": runs, "wall_median": gross,
                              "baseline_median": base,
                              "msgs_per_s_gross": a.qemu_count / gross,
                              "msgs_per_s": a.qemu_count / net if net > 0
                              else None,
                              "doorbells_per_s": d / net if net > 0
                              else None}
            fig("qemu: messages/s (whole run)", a.qemu_count / gross,
                "messages/s", f"{a.qemu_count} msgs, median {gross:.3f} s")
            if net > 0:
                fig("qemu: messages/s (minus 1-msg run)", a.qemu_count / net,
                    "messages/s", f"net {net:.3f} s (1-msg run {base:.3f} s)")
                fig("qemu: doorbells/s (minus 1-msg run)", d / net,
                    "doorbells/s", f"median {d:.0f} doorbells per run")
    print()
    benchlib.table(figs, sys.stdout)
    if a.json:
        benchlib.write_json(figs, a.json, {"channel": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
