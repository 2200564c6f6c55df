#!/usr/bin/env python3
"""Simulator benchmark (issue 8): hvsim beside bare Unicorn, same guests.

Usage (as bench/meson.build and bench/suite.py call it):

    bench/sim.py --hvsim BUILD/sim/hvsim --uc-ref BUILD/bench/uc_ref \\
                 --guests BUILD/guests [--json FILE] [--quick] [--runs N]

  --hvsim   the simulator; --uc-ref the reference program (bench/uc_ref.c)
  --guests  the build's guests/ directory (bench-*.dtb and bench_*.bin)
  --json    also write the figures there (bench/benchlib.py schema)
  --quick   one run per measurement (the whole script in ~20-30 s on a
            quiet 2-core machine); default is --runs 5
  --runs N  runs per measurement (overrides --quick)

Figures (group "sim"), each beside its reference measured in the same run;
every run of hvsim is followed at once by its reference run, and the ratio
is the median of the per-pair ratios (the host is shared and noisy):

  1. compute-bound guests (bench_alu: 10-instruction integer loop;
     bench_copy: LDP/STP copy loop): guest instructions/s under hvsim
     (--stats) vs the same .bin in bare Unicorn with no hooks
     (uc_ref --mode none). Target ratio >= 0.9. Also, as a note, the same
     with only a counting block hook (uc_ref --mode block): the floor of
     exact instruction counting by UC_HOOK_BLOCK.
  2. trap-bound guests (bench_hvc: null hypercalls; bench_pl011: PL011 FR
     reads; bench_mmiow: PL011 IMSC writes): exits/s under hvsim vs the
     same .bin in bare Unicorn with the trap handled in one hook
     (uc_ref --mode trap). Target >= 3,000,000 null hypercalls/s. The
     floor of a trap that leaves uc_emu_start() (uc_ref --mode stop) is
     given as a note.
  3. configs/bench-cells.dts (4 cells, 8 vCPUs, bench_smp): aggregate guest
     instructions/s vs bench_alu's kernel in bare Unicorn (no hooks).
  4. peak RSS of hvsim (wait4 ru_maxrss) for a 256 MiB cell touching little
     (bench-mem-idle, the hello guest) and touching 64 MiB (bench-mem):
     host memory must follow pages touched, not configured RAM.

Timings are host wall time of the emulation only: hvsim's --stats wall
(from after hv_start to the end) and uc_ref's (uc_emu_start to the end).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

GROUP = "sim"
TIMEOUT = 300
TOUCH_MIB = 64  # guests/bench_touch.c

STAT_TOTAL = re.compile(r"hvsim: stats: total insns (\d+), wall ([0-9.]+) s")
STAT_CELL = re.compile(r"hvsim: stats: \[[^\]]*\] insns \d+, exits:(.*?);")
REF_LINE = re.compile(r"uc_ref: mode=(\S+) wall=([0-9.]+) traps=(\d+) "
                      r"insns=(\S+) end=\S+ status=(\S+)")


def fail(msg):
    print(f"sim.py: {msg}", file=sys.stderr)
    sys.exit(1)


def run_hvsim(args, config):
    """Runs hvsim --stats; returns (total insns, wall s, exits by class)."""
    cmd = [args.hvsim, "--stats", os.path.join(args.guests, config + ".dtb")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr[-2000:]}")
    m = STAT_TOTAL.search(p.stderr)
    if not m:
        fail(f"{config}: no --stats line in:\n{p.stderr[-2000:]}")
    exits = {}
    for cell in STAT_CELL.finditer(p.stderr):
        words = cell.group(1).split()
        for name, n in zip(words[0::2], words[1::2]):
            exits[name] = exits.get(name, 0) + int(n)
    return int(m.group(1)), float(m.group(2)), exits


def run_ref(args, image, mode):
    """Runs uc_ref; returns (wall s, traps, insns or None)."""
    cmd = [args.uc_ref, "--mode", mode, os.path.join(args.guests, image)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    m = REF_LINE.search(p.stdout)
    if p.returncode != 0 or not m or m.group(5) != "ok":
        fail(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    insns = None if m.group(4) == "-" else int(m.group(4))
    return float(m.group(2)), int(m.group(3)), insns


def peak_rss_mib(args, config):
    """Peak RSS of one hvsim run, MiB (the child's own ru_maxrss)."""
    cmd = [args.hvsim, os.path.join(args.guests, config + ".dtb")]
    with open(os.devnull, "w") as null:
        p = subprocess.Popen(cmd, stdout=null, stderr=null)
        _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        fail(f"{' '.join(cmd)}: exit status {status}")
    return ru.ru_maxrss / 1024.0


def med(xs):
    return statistics.median(xs)


def compute(args, config, image, label, figs):
    """Figure 1 for one guest: hvsim insns/s vs bare Unicorn insns/s."""
    sim_rate, ref_rate, ratios, floor = [], [], [], []
    for _ in range(args.runs):
        insns, wall, _ = run_hvsim(args, config)
        ref_wall, _, _ = run_ref(args, image, "none")
        blk_wall, _, blk_insns = run_ref(args, image, "block")
        if blk_insns != insns:
            fail(f"{image}: uc_ref counted {blk_insns} instructions, "
                 f"hvsim {insns}: not the same guest run")
        sim_rate.append(insns / wall)
        ref_rate.append(insns / ref_wall)
        ratios.append(ref_wall / wall)
        floor.append(ref_wall / blk_wall)
    ratio = med(ratios)
    figs.append(benchlib.figure(
        f"{label}, guest instructions/s", med(sim_rate), "insns/s",
        reference=med(ref_rate), reference_name="bare Unicorn, no hooks",
        ratio=ratio, target=">= 0.9", met=ratio >= 0.9, group=GROUP,
        note=f"{insns:,} instructions; bare Unicorn with only a counting "
             f"UC_HOOK_BLOCK hook reaches ratio {med(floor):.2f} "
             f"(the floor of exact counting per block); "
             f"median of {args.runs} back-to-back pairs"))
    return med(ref_rate)


def traps(args, config, image, label, exit_class, expect, figs, target=None):
    """Figure 2 for one guest: exits/s vs bare Unicorn traps/s in a hook."""
    sim_rate, ref_rate, stop_rate, ratios = [], [], [], []
    for _ in range(args.runs):
        _, wall, exits = run_hvsim(args, config)
        n = exits.get(exit_class, 0)
        if n < expect:
            fail(f"{config}: {n} {exit_class} exits, expected {expect}")
        ref_wall, ref_traps, _ = run_ref(args, image, "trap")
        stop_wall, _, _ = run_ref(args, image, "stop")
        sim_rate.append(n / wall)
        ref_rate.append(ref_traps / ref_wall)
        stop_rate.append(ref_traps / stop_wall)
        ratios.append((n / wall) / (ref_traps / ref_wall))
    value = med(sim_rate)
    met = None if target is None else value >= target
    figs.append(benchlib.figure(
        f"{label}, exits/s", value, "exits/s", reference=med(ref_rate),
        reference_name="bare Unicorn, trap handled in one hook",
        ratio=med(ratios),
        target=None if target is None else f">= {target:,}", met=met,
        group=GROUP,
        note=f"{expect:,} traps; {1e6 / value:.3f} us each under hvsim, "
             f"{1e6 / med(ref_rate):.3f} us in the hook floor, "
             f"{1e6 / med(stop_rate):.3f} us when each trap stops and "
             f"restarts uc_emu_start (uc_ref --mode stop); "
             f"median of {args.runs} back-to-back pairs"))


def cells(args, alu_ref_rate, figs):
    """Figure 3: 4 cells, 8 vCPUs, aggregate instructions/s."""
    rates = []
    for _ in range(args.runs):
        insns, wall, _ = run_hvsim(args, "bench-cells")
        rates.append(insns / wall)
    figs.append(benchlib.figure(
        "4 cells / 8 vCPUs (bench-cells), aggregate guest instructions/s",
        med(rates), "insns/s", reference=alu_ref_rate,
        reference_name="bench_alu kernel, bare Unicorn, no hooks",
        group=GROUP,
        note=f"{insns:,} instructions in all; one host thread runs every "
             f"vCPU in turn (quantum 100000); median of {args.runs} runs"))


def memory(args, figs):
    """Figure 4: peak RSS follows pages touched, not configured RAM."""
    idle = med([peak_rss_mib(args, "bench-mem-idle") for _ in range(args.runs)])
    touch = med([peak_rss_mib(args, "bench-mem") for _ in range(args.runs)])
    small = med([peak_rss_mib(args, "bench-alu") for _ in range(args.runs)])
    figs.append(benchlib.figure(
        "peak RSS, 256 MiB cell touching little (hello)", idle, "MiB",
        reference=small, reference_name="16 MiB cell (bench-alu)",
        target="<= reference + 4 MiB", met=idle <= small + 4, group=GROUP))
    growth = (touch - idle) / TOUCH_MIB
    figs.append(benchlib.figure(
        f"peak RSS, 256 MiB cell touching {TOUCH_MIB} MiB (bench_touch)",
        touch, "MiB", reference=idle + TOUCH_MIB,
        reference_name=f"little-touch RSS + {TOUCH_MIB} MiB",
        target="growth 0.9-1.1 MiB per MiB touched",
        met=0.9 <= growth <= 1.1, group=GROUP,
        note=f"growth {growth:.3f} MiB of RSS per MiB touched"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hvsim", required=True)
    ap.add_argument("--uc-ref", required=True)
    ap.add_argument("--guests", required=True)
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int)
    args = ap.parse_args()
    if args.runs is None:
        args.runs = 1 if args.quick else 5

    figs = []
    alu_ref = compute(args, "bench-alu", "bench_alu.bin",
                      "integer loop (bench_alu)", figs)
    compute(args, "bench-copy", "bench_copy.bin",
            "memory-copy loop (bench_copy)", figs)
    traps(args, "bench-hvc", "bench_hvc.bin", "null hypercalls (bench_hvc)",
          "hvc", 2000000, figs, target=3000000)
    traps(args, "bench-pl011", "bench_pl011.bin",
          "PL011 FR reads (bench_pl011)", "dabt", 1000000, figs)
    traps(args, "bench-mmiow", "bench_mmiow.bin",
          "stage-2 MMIO writes, PL011 IMSC (bench_mmiow)", "dabt", 1000000,
          figs)
    cells(args, alu_ref, figs)
    memory(args, figs)

    benchlib.table(figs, sys.stdout)
    if args.json:
        benchlib.write_json(figs, args.json,
                            extra={"runs": args.runs, "quick": args.quick})
    return 0


if __name__ == "__main__":
    sys.exit(main())
