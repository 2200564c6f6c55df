#!/usr/bin/env python3
"""Image figures (issue 8): the EL2 image's sections and the code size.

Usage: image.py --elf cellvisor.elf --source-root DIR [--json FILE] [--quick]

* text, data and bss of the EL2 image, as `size` (Berkeley format) counts
  them: text is every allocated read-only section (code and constants),
  data the allocated writable ones with contents, bss the rest. Read from
  the ELF section headers here, so no binutils for aarch64 is needed;
  `aarch64-linux-gnu-size cellvisor.elf` prints the same numbers. Target:
  text at most 96 KiB.
* lines of code in hv/ and hal/baremetal/ (.c, .h, .S): every line, and
  code lines (neither blank nor only comment).

--quick changes nothing (the figures take milliseconds); it is accepted so
that bench/suite.py can pass it to every benchmark.
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

TEXT_TARGET = 96 * 1024
SHF_WRITE, SHF_ALLOC = 0x1, 0x2
SHT_NOBITS = 8


def elf_sizes(path):
    """(text, data, bss) of an ELF64 little-endian file, as size(1) does."""
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:4] != b"\x7fELF" or blob[4] != 2 or blob[5] != 1:
        raise ValueError(f"{path}: not an ELF64 little-endian file")
    shoff, = struct.unpack_from("<Q", blob, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", blob, 0x3a)
    text = data = bss = 0
    for i in range(shnum):
        off = shoff + i * shentsize
        _name, sh_type, flags = struct.unpack_from("<IIQ", blob, off)
        size, = struct.unpack_from("<Q", blob, off + 0x20)
        if not flags & SHF_ALLOC:
            continue
        if sh_type == SHT_NOBITS:
            bss += size
        elif flags & SHF_WRITE:
            data += size
        else:
            text += size
    return text, data, bss


def count_lines(root, dirs):
    """(all lines, code lines) of the C and assembly files under dirs."""
    total = code = 0
    for d in dirs:
        for base, _subdirs, files in os.walk(os.path.join(root, d)):
            for name in sorted(files):
                if not name.endswith((".c", ".h", ".S")):
                    continue
                with open(os.path.join(base, name), errors="replace") as f:
                    lines = f.read().splitlines()
                total += len(lines)
                code += count_code(lines)
    return total, code


def count_code(lines):
    """Lines with code: not blank, not inside or only a comment."""
    n = 0
    in_block = False
    for line in lines:
        s = line.strip()
        has_code = False
        while s:
            if in_block:
                end = s.find("*/")
                if end < 0:
                    s = ""
                    break
                s = s[end + 2:].strip()
                in_block = False
                continue
            if s.startswith("/*"):
                in_block = True
                s = s[2:]
                continue
            if s.startswith("//"):
                break
            has_code = True
            start = s.find("/*")
            if start < 0:
                break
            s = s[start:]
        n += has_code
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--elf", required=True)
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(a.elf):
        print(f"SKIP: no EL2 image at {a.elf} (needs the aarch64 cross "
              "compiler: scripts/setup.sh)")
        return 77
    text, data, bss = elf_sizes(a.elf)
    figs = [benchlib.figure(
        "EL2 image text", text, "bytes", reference=TEXT_TARGET,
        reference_name="96 KiB budget", target="<= 98,304",
        met=text <= TEXT_TARGET, group="image",
        note=f"data {data:,} B, bss {bss:,} B (page pool and per-CPU "
        "stacks, not in the file)")]
    for dirs, label in ((["hv"], "hv/"), (["hal/baremetal"], "hal/baremetal/"),
                        (["hv", "hal/baremetal"], "hv/ + hal/baremetal/")):
        total, code = count_lines(a.source_root, dirs)
        figs.append(benchlib.figure(
            f"lines of code, {label}", code, "lines",
            reference_name=f"{total:,} with comments and blank lines",
            group="image"))
    benchlib.table(figs, sys.stdout)
    if a.json:
        benchlib.write_json(figs, a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
