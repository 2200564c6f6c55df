#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""hvtrace CLI tests: info, dump, diff and export --chrome on the sample
traces `test_trace --write-samples DIR` writes (tests/trace/test_trace.c),
plus damaged copies of them.

  test_hvtrace.py --hvtrace HVTRACE --test-trace TEST_TRACE

Exit 0 when every check passes, 1 otherwise (each failure printed).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

failures = 0


def check(cond, what, detail=""):
    global failures
    if not cond:
        failures += 1
        print("FAIL: " + what)
        if detail:
            print("  " + detail.replace("\n", "\n  "))


def run(hvtrace, *args):
    p = subprocess.run([hvtrace] + list(args), capture_output=True,
                       text=True, errors="replace", timeout=60)
    return p.returncode, p.stdout, p.stderr


def expect(hvtrace, args, code, out_has=(), err_has=(), what=None):
    """Runs hvtrace ARGS; checks the exit code and substrings."""
    rc, out, err = run(hvtrace, *args)
    what = what or "hvtrace " + " ".join(os.path.basename(a) for a in args)
    check(rc == code, "%s: exit %d, want %d" % (what, rc, code),
          "stdout:\n" + out[-2000:] + "\nstderr:\n" + err[-2000:])
    for s in out_has:
        check(s in out, "%s: stdout lacks %r" % (what, s), out[-3000:])
    for s in err_has:
        check(s in err, "%s: stderr lacks %r" % (what, s), err[-2000:])
    return rc, out, err


def one_line_error(err, what):
    lines = err.strip().split("\n")
    check(len(lines) == 1 and lines[0].startswith("hvtrace: "),
          what + ": want one 'hvtrace: ' line on stderr", err)


def test_help(h):
    expect(h, ["--help"], 0, out_has=("hvtrace info FILE", "hvtrace dump",
                                      "hvtrace diff A B",
                                      "hvtrace export --chrome OUT FILE",
                                      "exit codes"))
    expect(h, ["dump", "--help"], 0, out_has=("usage: hvtrace dump FILE",))
    expect(h, ["replay", "--help"], 0,
           out_has=("usage: hvtrace replay FILE", "--sequential",
                    "--no-lock-order", "--park-after LIST"))
    expect(h, [], 2, err_has=("no command given",))
    expect(h, ["bogus"], 2, err_has=("unknown command: bogus",))
    expect(h, ["info"], 2, err_has=("expected one trace file",))
    expect(h, ["dump"], 2, err_has=("no trace file given",))
    expect(h, ["diff", "x"], 2, err_has=("expected two trace files",))
    expect(h, ["export", "x.cvt"], 2, err_has=("no output format",))


def test_info(h, d):
    a = os.path.join(d, "a.cvt")
    _, out, _ = expect(h, ["info", a], 0, out_has=(
        "format version  2\n", "hv version      0.1\n",
        "HAL             sim\n", "quantum         100000 instructions\n",
        "config          30 bytes, hash 0x",
        "hello.bin            4 bytes, hash 0x",
        "events          101 (", "  run-exit       12\n",
        "  console        4\n", "  platform       1\n",
        "pCPUs           0 1\n",
        "end             status 0, state hash 0x0123456789abcdef\n"))
    check("blocks          " in out and "blocks          1\n" not in out,
          "info: the sample spans several blocks", out)
    expect(h, ["info", os.path.join(d, "short.cvt")], 0,
           out_has=("end             none",))
    expect(h, ["info", os.path.join(d, "noinsns.cvt")], 0,
           out_has=("HAL             baremetal\n",
                    "quantum         0 (none)\n"))


def test_dump(h, d):
    a = os.path.join(d, "a.cvt")
    _, out, _ = expect(h, ["dump", a], 0)
    lines = out.split("\n")[:-1]
    check(len(lines) == 101, "dump: one line per event", str(len(lines)))
    for i, line in enumerate(lines):
        check(line.split()[0] == str(i), "dump: line %d starts with its seq"
              % i, line)
    text = out
    for s in ("platform      lrs=4 pa_bits=40 pool=0x48000000",
              "cpu0  run-exit      kind=sync esr=0x5a000000 (hvc64 #0x0) "
              "far=0x9000000 hpfar=0x90000 intid=0 action=resume "
              "insns=1000",
              "esr=0x93c08047 (dabt-lower write x0 8B fsc=0x7)",
              "esr=0x6000000 (wfx wfi)",
              "kind=irq esr=0x0 (unknown)",
              "reg-read      x0=0x84000000",
              "reg-read      pc=0x40080000",
              "reg-write     pc=0x40080004",
              'console       "hello from cell0\\n"',
              'console       "tab\\there \\"q\\"\\n"',
              'console       "\\x01\\xff bytes\\n"',
              "mem           pa=0x40001000 len=9 deadbeef01020304 05",
              "kick          target=cpu1",
              "lr-write      lr0=0x50a000000000001b (vintid 27 pending",
              "idle          kind=irq intid=27",
              "tlb-range     vmid=1 ipa=0x40000000 size=0x1000",
              "-     host-op       op=1 cell=0",
              "-     end           status=0 hash=0x0123456789abcdef"):
        check(s in text, "dump lacks %r" % s)
    check(all(not l.endswith(" ") for l in lines), "dump: trailing blanks")

    _, out, _ = expect(h, ["dump", a, "--from", "5", "--count", "3"], 0)
    got = [l.split()[0] for l in out.split("\n")[:-1]]
    check(got == ["5", "6", "7"], "dump --from 5 --count 3", out)
    _, out, _ = expect(h, ["dump", "--count", "0", a], 0)
    check(out == "", "dump --count 0 prints nothing", out)
    _, out, _ = expect(h, ["dump", a, "--from", "1000"], 0)
    check(out == "", "dump --from past the end prints nothing", out)
    expect(h, ["dump", a, "--from", "x"], 2,
           err_has=("expected a whole number for: --from",))
    expect(h, ["dump", a, "--count"], 2, err_has=("missing value",))
    expect(h, ["dump", a, "--frob"], 2, err_has=("unknown option: --frob",))
    expect(h, ["dump", a, a], 2, err_has=("more than one trace file",))


def test_diff(h, d):
    a = os.path.join(d, "a.cvt")
    expect(h, ["diff", a, a], 0, out_has=("identical: 101 events",))
    _, out, _ = expect(h, ["diff", a, os.path.join(d, "diverge.cvt")], 1,
                       out_has=("first difference at event 45:",))
    lines = out.split("\n")
    exp = [l for l in lines if l.startswith("  expected")]
    act = [l for l in lines if l.startswith("  actual")]
    same = [l for l in lines if l.startswith("  same")]
    check(len(exp) == 1 and "45" in exp[0] and "(wfx wfi)" in exp[0],
          "diff: the expected event dumped", out)
    check(len(act) == 1 and "45" in act[0] and "(wfx wfe)" in act[0],
          "diff: the actual event dumped", out)
    check(len(same) == 3 and "44" in same[-1], "diff: context before", out)
    # the other way round: the same event, roles swapped
    _, out, _ = expect(h, ["diff", os.path.join(d, "diverge.cvt"), a], 1,
                       out_has=("first difference at event 45:",))
    # a different config: reported even though the events are the same
    expect(h, ["diff", a, os.path.join(d, "config.cvt")], 1,
           out_has=("header: config differs: hash 0x",
                    "events identical (101), headers differ"))
    # B ends early
    expect(h, ["diff", a, os.path.join(d, "short.cvt")], 1,
           out_has=("first difference at event 33:",
                    "(end of B after 33 events)"))
    expect(h, ["diff", os.path.join(d, "short.cvt"), a], 1,
           out_has=("(end of A after 33 events)",))
    # HAL and quantum are notes; the instruction counts differ
    expect(h, ["diff", a, os.path.join(d, "noinsns.cvt")], 1,
           out_has=("note: HAL differs: sim (A), baremetal (B)",
                    "note: quantum differs: 100000 (A), 0 (B)",
                    "first difference at event 2:"))


def test_damaged(h, d):
    a = os.path.join(d, "a.cvt")
    data = open(a, "rb").read()
    # block offsets: after the header (44 + config padded + image entry)
    blocks = []
    off = 44 + 32 + 144 + 8
    while off < len(data):
        check(data[off:off + 4] == b"TBLK", "block magic at %d" % off)
        blocks.append(off)
        off += 16 + int.from_bytes(data[off + 4:off + 8], "little")
    check(off == len(data) and len(blocks) >= 3, "sample block layout")

    def write(name, b):
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(b)
        return p

    bad = bytearray(data)
    bad[blocks[2] + 16 + 20] ^= 0x40
    p = write("corrupt.cvt", bad)
    want = "block 2 at offset %d: checksum mismatch" % blocks[2]
    for args in (["info", p], ["dump", p], ["diff", a, p],
                 ["export", "--chrome", os.path.join(d, "x.json"), p]):
        rc, out, err = expect(h, args, 2, err_has=(want,))
        one_line_error(err, " ".join(args[:1]) + " corrupt")
    check(not os.path.exists(os.path.join(d, "x.json")),
          "export leaves no output for a corrupt trace")
    # dump prints the events of the good blocks before the error
    _, out, _ = run(h, "dump", p)
    check(len(out.split("\n")) > 10, "dump: events before the bad block")

    cut = blocks[1] + 16 + 100
    p = write("cut.cvt", data[:cut])
    plen = int.from_bytes(data[blocks[1] + 4:blocks[1] + 8], "little")
    rc, out, err = expect(h, ["info", p], 2, err_has=(
        "trace truncated in block 1 at offset %d: expected %d payload "
        "bytes, 100 left" % (blocks[1], plen),))
    one_line_error(err, "info cut")

    v3 = bytearray(data)
    v3[8] = 3
    p = write("v3.cvt", v3)
    rc, out, err = expect(h, ["info", p], 2, err_has=(
        "trace format version 3, this hvtrace reads versions 1 to 2",))
    one_line_error(err, "info v3")
    p = write("notrace.cvt", b"hello world, not a trace at all\n")
    expect(h, ["info", p], 2, err_has=("not a Cellvisor trace (bad magic)",))
    expect(h, ["info", os.path.join(d, "missing.cvt")], 2,
           err_has=("cannot open",))
    # every cut and many corruptions: exit 0 or 2, never a crash
    for n in range(0, len(data), 7):
        p = write("cut-any.cvt", data[:n])
        rc, _, err = run(h, "dump", p)
        check(rc in (0, 2), "dump of a cut at %d: exit %d" % (n, rc), err)
    for n in range(0, len(data), 5):
        b = bytearray(data)
        b[n] ^= 0xff
        p = write("flip-any.cvt", b)
        rc, _, err = run(h, "info", p)
        check(rc == 2, "info with byte %d flipped: exit %d" % (n, rc), err)


def test_export(h, d):
    a = os.path.join(d, "a.cvt")
    out = os.path.join(d, "a.json")
    expect(h, ["export", "--chrome", out, a], 0)
    with open(out) as f:
        doc = json.load(f)
    ev = doc["traceEvents"]
    check(doc["otherData"]["time"] == "guest instructions",
          "export: timestamps from instruction counts")
    slices = [e for e in ev if e["ph"] == "X"]
    instants = [e for e in ev if e["ph"] == "i"]
    meta = [e for e in ev if e["ph"] == "M"]
    check(len(slices) == 13, "export: one slice per run", str(len(slices)))
    idle = [e for e in slices if e["name"] == "idle"]
    check(len(idle) == 1 and idle[0]["tid"] == 1 and
          idle[0]["args"]["from_seq"] == 97,
          "export: a turn spent idle is an idle slice", str(idle))
    check({e["tid"] for e in slices} == {0, 1}, "export: a track per pCPU")
    names = {e["name"] for e in slices}
    check({"hvc64", "dabt-lower", "wfi", "irq 27"} <= names,
          "export: slices named by exit reason", str(names))
    for e in ev:
        check(isinstance(e["ts"], int) and e["ts"] >= 0 and
              e["pid"] == 1 and isinstance(e["tid"], int),
              "export: event fields", str(e))
    for e in slices:
        check(e["dur"] >= 0, "export: slice duration", str(e))
    # pCPU 0: exits at 1000, 3000, 6000, 10000 ... instructions
    s0 = sorted((e["ts"], e["dur"]) for e in slices if e["tid"] == 0)
    check(s0[:3] == [(0, 1000), (1000, 2000), (3000, 3000)],
          "export: slices timed by instruction counts", str(s0))
    inames = {e["name"] for e in instants}
    check({"console", "kick cpu1", "wake: irq 27", "wake", "end status 0"}
          <= inames,
          "export: instants", str(inames))
    texts = [e["args"].get("text") for e in instants if e["name"] ==
             "console"]
    check("hello from cell0\n" in texts and "\x01\xff bytes\n" in texts,
          "export: console text", str(texts))
    tnames = {e["tid"]: e["args"]["name"] for e in meta
              if e["name"] == "thread_name"}
    check(tnames.get(0) == "pCPU 0" and tnames.get(1) == "pCPU 1",
          "export: track names", str(tnames))

    # without instruction counts: the event sequence is the clock
    out = os.path.join(d, "n.json")
    expect(h, ["export", "--chrome", out, os.path.join(d, "noinsns.cvt")], 0)
    with open(out) as f:
        doc = json.load(f)
    check(doc["otherData"]["time"] == "event sequence",
          "export: sequence timestamps")
    s = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    check(s and s[0]["ts"] == 1 and s[0]["dur"] == 1,
          "export: slice from seq 1 to 2", str(s[:1]))
    # a trace cut in the middle of a run: its slice is closed at the end
    out = os.path.join(d, "s.json")
    expect(h, ["export", "--chrome", out, os.path.join(d, "short.cvt")], 0)
    with open(out) as f:
        doc = json.load(f)
    expect(h, ["export", a], 2, err_has=("no output format",))
    expect(h, ["export", "--chrome", "/nonexistent/dir/x.json", a], 2,
           err_has=("cannot create /nonexistent/dir/x.json",))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hvtrace", required=True)
    ap.add_argument("--test-trace", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hvtrace-test-") as d:
        subprocess.run([args.test_trace, "--write-samples", d], check=True)
        for t in (test_help, test_info, test_dump, test_diff, test_damaged,
                  test_export):
            before = failures
            if t is test_help:
                t(args.hvtrace)
            else:
                t(args.hvtrace, d)
            print("%-14s %s" % (t.__name__[5:],
                                "ok" if failures == before else "FAILED"))
    print("all passed" if failures == 0 else "%d FAILED" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
