#!/usr/bin/env python3
"""The replay scheduler for traces of several pCPUs (docs/replay.md,
"Several pCPUs"):

* the committed QEMU trace of the smp guest (4 pCPUs, IPIs between them)
  replays core-only to its end with every decision matching, while the
  same replay without the scheduler (`--sequential`: each run whole, in
  the order the runs began, as before the scheduler) diverges;
* a deliberately corrupted interleaving (one pCPU's SGI write, and what
  follows on that pCPU, moved after the target pCPU took the SGI into a
  list register) is reported as a divergence, exit 1, well within the
  timeout: never a hang.

Usage: replay_sched.py --hvtrace HVTRACE SMP_TRACE.cvt.gz
"""
import pathlib
import struct
import subprocess
import sys
import zlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from checks import expect, failed, hvtrace_args, unpacked  # noqa: E402

RUN_EXIT, LR_WRITE, KICK = 2, 9, 15
MAX_PAYLOAD = 1 << 20


def run(cmd, timeout=120):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stderr.decode(errors="replace")


def split(data):
    """(header bytes, [(type, pcpu, args bytes)]) of a trace file."""
    first = None
    events = []
    i = data.find(b"TBLK")
    while i >= 0 and i + 16 <= len(data):
        size, count, crc = struct.unpack_from("<III", data, i + 4)
        payload = data[i + 16:i + 16 + size]
        if len(payload) != size or zlib.crc32(payload) != crc:
            i = data.find(b"TBLK", i + 1)
            continue
        if first is None:
            first = i
        p = 0
        while p < size:
            typ, pcpu, nargs, _seq = struct.unpack_from("<BBHQ", payload, p)
            events.append((typ, pcpu, payload[p + 12:p + 12 + 8 * nargs]))
            p += 12 + 8 * nargs
        i = i + 16 + size
        if i >= len(data) or data[i:i + 4] != b"TBLK":
            break
    return data[:first], events


def join(header, events):
    out = bytearray(header)
    block = bytearray()
    n = 0
    for seq, (typ, pcpu, args) in enumerate(events):
        ev = struct.pack("<BBHQ", typ, pcpu, len(args) // 8, seq) + args
        if len(block) + len(ev) > MAX_PAYLOAD:
            out += struct.pack("<4sIII", b"TBLK", len(block), n,
                               zlib.crc32(block)) + block
            block, n = bytearray(), 0
        block += ev
        n += 1
    out += struct.pack("<4sIII", b"TBLK", len(block), n,
                       zlib.crc32(block)) + block
    return bytes(out)


def corrupt(events):
    """Moves pCPU a's events from the exit before its first kick of pCPU b
    up to b's next LR write to just after that write; returns the new list
    and the index of the LR write in it."""
    for k, (typ, a, args) in enumerate(events):
        if typ != KICK:
            continue
        b = struct.unpack_from("<Q", args)[0]
        s = max(i for i in range(k) if events[i][0] == RUN_EXIT
                and events[i][1] == a)
        w = next((i for i in range(k + 1, len(events))
                  if events[i][0] == LR_WRITE and events[i][1] == b), None)
        if w is None:
            continue
        moved = [e for e in events[s:w + 1] if e[1] == a]
        kept = [e for e in events[s:w + 1] if e[1] != a]
        return events[:s] + kept + moved + events[w + 1:], s + len(kept) - 1
    raise SystemExit("no kick followed by an LR write in the trace")


def main():
    a = hvtrace_args()
    with unpacked(a.trace, "smp.cvt") as (tmp, good):

        rc, err = run([a.hvtrace, "replay", str(good)])
        expect("the 4-pCPU QEMU trace replays to its end, every decision "
               "matching", rc == 0 and "every decision matches" in err, err)

        rc, err = run([a.hvtrace, "replay", "--sequential", str(good)])
        expect("without the scheduler (--sequential) it diverges",
               rc == 1 and "divergence at event" in err, err)

        header, events = split(good.read_bytes())
        again = tmp / "again.cvt"
        again.write_bytes(join(header, events))
        rc, err = run([a.hvtrace, "replay", "--quiet", str(again)])
        expect("the test's own rewrite of the trace still replays", rc == 0,
               err)

        bad_events, w = corrupt(events)
        bad = tmp / "bad.cvt"
        bad.write_bytes(join(header, bad_events))
        try:
            rc, err = run([a.hvtrace, "replay", str(bad)], timeout=100)
        except subprocess.TimeoutExpired:
            rc, err = -1, "timed out: the replay hung"
        expect(f"a corrupted interleaving (an SGI taken at event {w} before "
               "it was sent) is reported as a divergence, not a hang",
               rc == 1 and "divergence at event" in err, err)
    return 1 if failed() else 0


if __name__ == "__main__":
    sys.exit(main())
