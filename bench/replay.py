#!/usr/bin/env python3
"""Record-and-replay figures (docs/replay.md, issue 6), one table:

* recording overhead on the simulator: hvsim wall time with --record
  against without, same config, same run (best of N each, alternating);
* trace size: bytes per million exits (exits from hvsim --stats);
* replay speed: hvsim --replay (re-execution) and hvtrace replay
  (core only), as events per second.

Usage: replay.py --hvsim HVSIM --hvtrace HVTRACE --guests DIR [--runs N]
       [--json OUT] [--quick] [CONFIG ...]
       (default configs: channel-sim smp irq; --quick: smp, one run)

--json writes the figures in bench/benchlib.py's format, with the raw rows
under "replay".
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

RECORD_TARGET = 1.20


def timed(cmd):
    t = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=900)
    return time.monotonic() - t, p.returncode, p.stderr.decode(errors="replace")


def insns(cmd):
    """Host instructions the command retires (perf stat), or None."""
    try:
        p = subprocess.run(["perf", "stat", "-x,", "-e", "instructions:u"]
                           + cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=900)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"^(\d+),,instructions", p.stderr.decode(), re.M)
    return int(m.group(1)) if m else None


def exits_of(stats):
    n = 0
    for m in re.finditer(r"exits: (.*?);", stats):
        n += sum(int(x) for x in re.findall(r"\b(\d+)\b", m.group(1)))
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hvsim", required=True)
    ap.add_argument("--hvtrace", required=True)
    ap.add_argument("--guests", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("configs", nargs="*")
    a = ap.parse_args()
    configs = a.configs or (["smp"] if a.quick
                            else ["channel-sim", "smp", "irq"])
    if a.quick:
        a.runs = 1
    rows, out = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for c in configs:
            dtb = os.path.join(a.guests, c + ".dtb")
            trace = os.path.join(tmp, c + ".cvt")
            plain, rec = [], []
            stats = ""
            for _ in range(a.runs):
                t, rc, err = timed([a.hvsim, "--stats", dtb])
                plain.append(t)
                stats = err
                t, rc, err = timed([a.hvsim, "--record", trace, dtb])
                rec.append(t)
            m = re.search(r"recorded (\d+) events", err)
            events = int(m.group(1)) if m else 0
            size = os.path.getsize(trace)
            exits = exits_of(stats)
            i_plain = insns([a.hvsim, dtb])
            i_rec = insns([a.hvsim, "--record", trace, dtb])
            t_rep, rc, err = timed([a.hvsim, "--replay", trace, dtb])
            ok_rep = "replay identical" in err
            t_core, rc, err = timed([a.hvtrace, "replay", "--quiet", trace])
            ok_core = rc == 0
            r = {
                "config": c,
                "plain_s": min(plain),
                "record_s": min(rec),
                "record_ratio": min(rec) / min(plain),
                "record_insn_ratio": i_rec / i_plain if i_plain and i_rec
                else None,
                "events": events,
                "trace_bytes": size,
                "exits": exits,
                "bytes_per_million_exits": size / exits * 1e6 if exits else None,
                "sim_replay_s": t_rep,
                "sim_replay_identical": ok_rep,
                "core_replay_s": t_core,
                "core_replay_ok": ok_core,
                "core_replay_events_per_s": events / t_core if t_core else None,
            }
            rows.append(r)
            out[c] = r
    print(f"{'config':14} {'plain s':>8} {'record s':>9} {'ratio':>6} "
          f"{'insn ratio':>10} "
          f"{'events':>9} {'MB':>6} {'exits':>8} {'MB/M exits':>10} "
          f"{'sim replay s':>12} {'core replay s':>13} {'core ev/s':>10}")
    for r in rows:
        bpm = r["bytes_per_million_exits"]
        print(f"{r['config']:14} {r['plain_s']:8.2f} {r['record_s']:9.2f} "
              f"{r['record_ratio']:6.2f} "
              f"{(r['record_insn_ratio'] or 0):10.3f} {r['events']:9d} "
              f"{r['trace_bytes'] / 1e6:6.1f} {r['exits']:8d} "
              f"{(bpm or 0) / 1e6:10.1f} "
              f"{r['sim_replay_s']:12.2f}{'' if r['sim_replay_identical'] else '!'} "
              f"{r['core_replay_s']:13.2f}{'' if r['core_replay_ok'] else '!'} "
              f"{(r['core_replay_events_per_s'] or 0):10.0f}")
    print("reference: recording overhead target <= 1.20 (issue 6); 'ratio' "
          "is wall time (noisy on a shared machine), 'insn ratio' host "
          "instructions retired (perf stat)")
    figs = []
    for r in rows:
        c = r["config"]
        over = r["record_insn_ratio"] or r["record_ratio"]
        figs += [
            benchlib.figure(f"recording overhead, {c}", over, "x",
                            ratio=over, target=f"<= {RECORD_TARGET}",
                            met=over <= RECORD_TARGET, group="replay",
                            note=("host instructions (perf stat)"
                                  if r["record_insn_ratio"] else
                                  "wall time (perf missing)") +
                            f"; wall {r['record_s']:.2f} s vs "
                            f"{r['plain_s']:.2f} s"),
            benchlib.figure(f"trace bytes per million exits, {c}",
                            r["bytes_per_million_exits"], "bytes",
                            group="replay"),
            benchlib.figure(f"core-only replay, {c}",
                            r["core_replay_events_per_s"], "events/s",
                            group="replay",
                            note=f"{r['events']} events"),
        ]
    print()
    benchlib.table(figs, sys.stdout)
    if a.json:
        benchlib.write_json(figs, a.json, {"replay": out})
    return 0 if all(r["sim_replay_identical"] and r["core_replay_ok"]
                    for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
