#!/usr/bin/env python3
"""Lock order in core-only replay (docs/replay.md, "Lock order"):

* the committed QEMU trace of the channel guest (2 cells on 2 pCPUs
  ringing each other's doorbells) holds a `lock` event for every cell
  lock the core took, and replays to its end with every decision
  matching;
* with its lock events removed (the header still says they are
  recorded), the replay stops at the first lock the core takes, naming
  it: a divergence, exit 1, never a hang;
* a lock event naming another cell's lock, and a lock event swapped with
  the next event of its pCPU, are each reported as a divergence at that
  event.

Usage: replay_locks.py --hvtrace HVTRACE CHANNEL_TRACE.cvt.gz
"""
import pathlib
import struct
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from checks import expect, failed, hvtrace_args, unpacked  # noqa: E402
from replay_sched import join, split  # noqa: E402

LOCK = 24
FLAG_LOCKS = 0x2


def run(cmd, timeout=300):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, "", "timed out: the replay hung"
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"))


def replay_fails_at(hvtrace, path, seq, what, words):
    """The replay of `path` diverges at event `seq` (None: at some event)
    naming `words`, within the timeout."""
    rc, _, err = run([hvtrace, "replay", str(path)], timeout=200)
    at = "divergence at event" + ("" if seq is None else f" {seq}:")
    expect(f"{what}: a divergence at event {seq or 'N'}, not a hang",
           rc == 1 and at in err and all(w in err for w in words), err)


def main():
    a = hvtrace_args()
    with unpacked(a.trace, "channel.cvt") as (tmp, good):
        header, events = split(good.read_bytes())
        flags = struct.unpack_from("<H", header, 14)[0]
        locks = [i for i, e in enumerate(events) if e[0] == LOCK]
        expect("the trace records lock order (header flag, lock events)",
               flags & FLAG_LOCKS and len(locks) > 100,
               f"flags 0x{flags:x}, {len(locks)} lock events")

        rc, out, err = run([a.hvtrace, "info", str(good)])
        expect("hvtrace info shows the lock order flag and the lock events",
               rc == 0 and "lock-order" in out and "  lock  " in out, out)

        rc, _, err = run([a.hvtrace, "replay", str(good)])
        expect("the 2-cell QEMU channel trace replays to its end, every "
               "decision matching", rc == 0 and
               "every decision matches" in err, err)

        # Every lock event removed, the flag kept: the core's first lock
        # has no event.
        nolocks = tmp / "nolocks.cvt"
        nolocks.write_bytes(join(header,
                                 [e for e in events if e[0] != LOCK]))
        replay_fails_at(a.hvtrace, nolocks, None, "lock events removed",
                        ("the core did hv_spin_lock",))

        # A lock event far into the run names another cell's lock.
        k = locks[len(locks) // 2]
        typ, pcpu, args = events[k]
        cell = struct.unpack_from("<Q", args)[0]
        wrong = list(events)
        wrong[k] = (typ, pcpu, struct.pack("<Q", cell ^ 1))
        other = tmp / "wrong-lock.cvt"
        other.write_bytes(join(header, wrong))
        replay_fails_at(a.hvtrace, other, k,
                        f"event {k} names cell {cell ^ 1}'s lock, not "
                        f"cell {cell}'s", (" lock ", "hv_spin_lock"))

        # A lock event swapped with the next event of its pCPU, which is
        # not a lock: the core takes the lock before that event.
        for k in locks[len(locks) // 2:]:
            pcpu = events[k][1]
            nxt = next(i for i in range(k + 1, len(events))
                       if events[i][1] == pcpu)
            if events[nxt][0] != LOCK:
                break
        swapped = list(events)
        swapped[k], swapped[nxt] = swapped[nxt], swapped[k]
        swap = tmp / "swapped.cvt"
        swap.write_bytes(join(header, swapped))
        replay_fails_at(a.hvtrace, swap, k,
                        f"lock event {k} moved after its pCPU's next event",
                        ("hv_spin_lock",))
    return 1 if failed() else 0


if __name__ == "__main__":
    sys.exit(main())
