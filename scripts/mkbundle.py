#!/usr/bin/env python3
"""Builds a boot bundle (cpio newc) for the EL2 image.

Usage: mkbundle.py OUT CONFIG.dtb [IMAGE...]

The bundle holds the config as "config.dtb" and each image under its file
name, which is how cell configs name images. QEMU loads it with -initrd;
the bare-metal HAL finds it through /chosen linux,initrd-start/end.
The archive is deterministic (fixed mtime, uid, gid, inode numbers), and
every file's data starts on a 4 KiB boundary (".pad" entries fill the gaps)
so that the hypervisor can copy images from aligned memory.
"""
import os
import sys


def entry(name: bytes, data: bytes, ino: int, mode: int = 0o100644) -> bytes:
    name_z = name + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_z), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_z
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


ALIGN = 4096
PAD_NAME = b".pad"


def header_len(name: bytes) -> int:
    """Bytes from an entry's start to its data: header, name, padding."""
    n = 110 + len(name) + 1
    return n + (-n % 4)


def padding_entry(total: int) -> bytes:
    """An entry named .pad spanning exactly `total` bytes (a multiple of 4,
    at least one header long, or else as many pages more as needed)."""
    while total < header_len(PAD_NAME):
        total += ALIGN
    e = entry(PAD_NAME, b"\0" * (total - header_len(PAD_NAME)), 0)
    assert len(e) == total, (len(e), total)
    return e


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_path, config, images = sys.argv[1], sys.argv[2], sys.argv[3:]
    blob = b""
    ino = 1
    files = [(b"config.dtb", config)] + [
        (os.path.basename(img).encode(), img) for img in images]
    for name, path in files:
        with open(path, "rb") as f:
            data = f.read()
        # Page-align each file's data so the hypervisor copies from
        # aligned memory (a multi-MiB kernel byte by byte is slow): a
        # padding entry before it takes up the difference.
        pad = (-(len(blob) + header_len(name)) % ALIGN)
        if pad:
            blob += padding_entry(pad)
        assert (len(blob) + header_len(name)) % ALIGN == 0
        blob += entry(name, data, ino)
        ino += 1
    blob += entry(b"TRAILER!!!", b"", 0, 0)
    with open(out_path, "wb") as f:
        f.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main())
