#!/usr/bin/env python3
"""Builds a boot bundle (cpio newc) for the EL2 image.

Usage: mkbundle.py OUT CONFIG.dtb [IMAGE...]

The bundle holds the config as "config.dtb" and each image under its file
name, which is how cell configs name images. QEMU loads it with -initrd;
the bare-metal HAL finds it through /chosen linux,initrd-start/end.
The archive is deterministic (fixed mtime, uid, gid, inode numbers).
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


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_path, config, images = sys.argv[1], sys.argv[2], sys.argv[3:]
    blob = b""
    ino = 1
    with open(config, "rb") as f:
        blob += entry(b"config.dtb", f.read(), ino)
    for img in images:
        ino += 1
        with open(img, "rb") as f:
            blob += entry(os.path.basename(img).encode(), f.read(), ino)
    blob += entry(b"TRAILER!!!", b"", 0, 0)
    with open(out_path, "wb") as f:
        f.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main())
