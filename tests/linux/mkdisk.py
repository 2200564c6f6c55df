#!/usr/bin/env python3
"""mkdisk.py OUT.img [--size BYTES]: the raw disk image of the Linux
block-device test.

The image is a ustar archive written with the Python standard library,
padded with zeros to --size (default 1 MiB, a multiple of 512), holding one
file:

  cellvisor-disk.txt   80 lines "NNNN <sha256 of 'cellvisor-disk NNNN'>\\n"
                       (5600 bytes: 11 sectors, not sector-aligned, so a
                       read of the wrong or a short block changes the sum)

Every header field is fixed (mtime 0, uid/gid 0, owner root, mode 0644),
so the image is byte-identical on every run and host. The test /init
reads the file back from the block device (busybox
`tar -xOf /dev/vda cellvisor-disk.txt | sha256sum`) and prints the sum.

Prints the file's sha256 (64 hex digits, one line) on stdout: the value the
guest must report. The image is written to OUT.img (via a temporary file
and rename); --print-sha256 only prints the sum.
"""
import argparse
import hashlib
import io
import os
import sys
import tarfile

FILE_NAME = "cellvisor-disk.txt"
DEFAULT_SIZE = 1 << 20


def content():
    return "".join(
        "%04d %s\n" % (i, hashlib.sha256(b"cellvisor-disk %04d" % i).hexdigest())
        for i in range(80)).encode()


def image(size):
    data = content()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        ti = tarfile.TarInfo(FILE_NAME)
        ti.size = len(data)
        ti.mtime = 0
        ti.mode = 0o644
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = "root"
        ti.type = tarfile.REGTYPE
        t.addfile(ti, io.BytesIO(data))
    img = buf.getvalue()
    if len(img) > size:
        raise ValueError(f"archive is {len(img)} bytes, more than --size {size}")
    return img + b"\0" * (size - len(img)), hashlib.sha256(data).hexdigest()


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("out", nargs="?", help="output raw disk image")
    ap.add_argument("--size", type=int, default=DEFAULT_SIZE,
                    help="image size in bytes, a multiple of 512 "
                         "(default: %(default)s)")
    ap.add_argument("--print-sha256", action="store_true",
                    help="only print the expected sha256")
    a = ap.parse_args()
    if a.size <= 0 or a.size % 512:
        ap.error("--size must be a positive multiple of 512")
    if not a.out and not a.print_sha256:
        ap.error("OUT.img is required")
    try:
        img, digest = image(a.size)
    except ValueError as e:
        print(f"mkdisk: {e}", file=sys.stderr)
        return 1
    if not a.print_sha256:
        tmp = a.out + ".tmp"
        try:
            with open(tmp, "wb") as f:
                f.write(img)
            os.replace(tmp, a.out)
        except OSError as e:
            print(f"mkdisk: {e}", file=sys.stderr)
            return 1
    print(digest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
