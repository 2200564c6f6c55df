#!/usr/bin/env python3
"""Replays that must fail, and fail clearly (docs/replay.md):

* a recorded decision changed (valid checksums): `hvtrace replay` and
  `hvsim --replay` both report a divergence at that event;
* a truncated trace, a corrupted byte and a wrong format version: a
  one-line error, exit 2, from both;
* `hvsim --replay` against another config: refused.

Usage: replay_errors.py --hvsim HVSIM --hvtrace HVTRACE --config HELLO_DTB
       --other OTHER_DTB
"""
import argparse
import pathlib
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from checks import expect, failed  # noqa: E402

REG_WRITE = 6


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    return p.returncode, p.stdout.decode(errors="replace"), \
        p.stderr.decode(errors="replace")


def blocks(data):
    """Offsets of the blocks: a TBLK header whose CRC matches."""
    i = data.find(b"TBLK")
    while i >= 0:
        if i + 16 <= len(data):
            size, count, crc = struct.unpack_from("<III", data, i + 4)
            payload = data[i + 16:i + 16 + size]
            if len(payload) == size and zlib.crc32(payload) == crc:
                yield i, size, count
                i = data.find(b"TBLK", i + 16 + size)
                continue
        i = data.find(b"TBLK", i + 1)


def change_first_reg_write(data):
    """Flips the value of the first register write; returns (data, seq)."""
    data = bytearray(data)
    for off, size, count in blocks(bytes(data)):
        p = off + 16
        end = p + size
        while p < end:
            typ, pcpu, nargs, seq = struct.unpack_from("<BBHQ", data, p)
            if typ == REG_WRITE:
                struct.pack_into("<Q", data, p + 12 + 8,
                                 struct.unpack_from("<Q", data, p + 20)[0] ^ 1)
                crc = zlib.crc32(bytes(data[off + 16:end]))
                struct.pack_into("<I", data, off + 12, crc)
                return bytes(data), seq
            p += 12 + 8 * nargs
    raise SystemExit("no register write in the trace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hvsim", required=True)
    ap.add_argument("--hvtrace", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--other", required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        good = tmp / "good.cvt"
        rc, out, err = run([a.hvsim, "--record", str(good), a.config])
        expect("record", rc == 0 and good.exists(), err)
        data = good.read_bytes()

        bad, seq = change_first_reg_write(data)
        f = tmp / "changed.cvt"
        f.write_bytes(bad)
        rc, out, err = run([a.hvtrace, "replay", str(f)])
        expect(f"core-only replay reports the changed decision (event {seq})",
               rc == 1 and f"divergence at event {seq}:" in err, err)
        rc, out, err = run([a.hvsim, "--replay", str(f), a.config])
        expect(f"hvsim --replay reports the changed decision (event {seq})",
               rc == 125 and f"diverged at event {seq}" in err, err)

        last = list(blocks(data))[-1]
        cut = tmp / "cut.cvt"
        cut.write_bytes(data[:last[0] + 16 + last[1] // 2])
        flip = bytearray(data)
        flip[last[0] + 16 + last[1] // 3] ^= 0x40
        flipped = tmp / "flipped.cvt"
        flipped.write_bytes(bytes(flip))
        v3 = bytearray(data)
        struct.pack_into("<H", v3, 8, 3)
        ver = tmp / "v3.cvt"
        ver.write_bytes(bytes(v3))
        for name, path, words in [("truncated", cut, "truncated"),
                                  ("corrupted", flipped, "checksum"),
                                  ("wrong version", ver, "version 3")]:
            rc, out, err = run([a.hvtrace, "replay", str(path)])
            lines = [l for l in err.splitlines() if l.strip()]
            # A truncated or corrupt block is found when it is reached:
            # the replay reports it as the trace being unreadable.
            expect(f"hvtrace replay: {name} trace refused",
                   rc in (1, 2) and words in err and len(lines) == 1, err)
            rc, out, err = run([a.hvsim, "--replay", str(path), a.config])
            expect(f"hvsim --replay: {name} trace refused",
                   rc in (2, 125) and words in err, err)

        rc, out, err = run([a.hvsim, "--replay", str(good), a.other])
        expect("hvsim --replay with another config refused",
               rc == 2 and "another config" in err, err)
        rc, out, err = run([a.hvsim, "--replay", str(good), a.config])
        expect("the untouched trace replays identically",
               rc == 0 and "replay identical" in err, err)
    return 1 if failed() else 0


if __name__ == "__main__":
    sys.exit(main())
