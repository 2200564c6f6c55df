#!/usr/bin/env python3
"""kmods.py MODDIR OUTDIR MODULE... : copies kernel modules and their
dependencies, in load order, out of an unpacked kernel package.

MODDIR is a lib/modules/<release> directory (e.g. of an extracted Debian
linux-image .deb). For every MODULE, in the order given, the module and
everything it depends on are resolved; modules that are built into the
kernel (listed in MODDIR/modules.builtin) need no file and are skipped.
Dependencies come from MODDIR/modules.dep when it exists (depmod writes
it at install time, so a package usually has none), else from the
"depends=" field of each module's .modinfo ELF section.

OUTDIR receives, with the Python standard library only:

  NAME.ko      each needed module, uncompressed (.ko.xz and .ko.gz are
               decompressed so that busybox insmod can load them)
  load-order   their file names, one a line, dependencies first
               (empty when everything is built in)
  release      the kernel release (the name of MODDIR)

and a summary goes to stdout. Module names compare with '-' and '_'
equal, as the kernel does. Exit: 0 done, 1 error (a MODULE or a dependency
is neither a module file nor built in, unreadable module, ...).
"""
import argparse
import gzip
import lzma
import os
import struct
import sys


class Error(Exception):
    pass


def norm(name):
    return name.replace("-", "_")


def mod_name(path):
    base = os.path.basename(path)
    for ext in (".ko.xz", ".ko.gz", ".ko.zst", ".ko"):
        if base.endswith(ext):
            return norm(base[:-len(ext)])
    return None


def read_module(path):
    """The module's ELF bytes, decompressed when needed."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        data = lzma.decompress(data)
    elif path.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.endswith(".zst"):
        raise Error(f"{path}: zstd-compressed modules are not supported "
                    "(no zstd in the Python standard library)")
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise Error(f"{path}: not an ELF64 module")
    return data


def modinfo_depends(data, path):
    """Dependencies from the "depends=" entry of the .modinfo section."""
    end = "<" if data[5] == 1 else ">"
    (shoff,) = struct.unpack_from(end + "Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", data, 0x3A)

    def section(i):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size
        name, _, _, _, off, size = struct.unpack_from(
            end + "IIQQQQ", data, shoff + i * shentsize)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        sname = data[stroff + name:data.index(b"\0", stroff + name)]
        if sname == b".modinfo":
            for entry in data[off:off + size].split(b"\0"):
                if entry.startswith(b"depends="):
                    deps = entry[len(b"depends="):].decode()
                    return [norm(d) for d in deps.split(",") if d]
            return []
    raise Error(f"{path}: no .modinfo section")


def index(moddir):
    files = {}
    for root, _, names in os.walk(os.path.join(moddir, "kernel")):
        for n in names:
            m = mod_name(n)
            if m:
                files.setdefault(m, os.path.join(root, n))
    builtin = set()
    p = os.path.join(moddir, "modules.builtin")
    if os.path.exists(p):
        with open(p) as f:
            builtin = {mod_name(line.strip()) for line in f if line.strip()}
    depmap = None
    p = os.path.join(moddir, "modules.dep")
    if os.path.exists(p):
        depmap = {}
        with open(p) as f:
            for line in f:
                if ":" not in line:
                    continue
                mod, deps = line.split(":", 1)
                depmap[mod_name(mod)] = [mod_name(d) for d in deps.split()]
    return files, builtin, depmap


def resolve(wanted, files, builtin, depmap):
    """[(name, path, elf bytes)] in load order; [builtin names]."""
    order, done, builtins, stack = [], set(), [], []

    def visit(name, needed_by):
        if name in done:
            return
        if name in stack:
            raise Error("dependency cycle: " + " -> ".join(stack + [name]))
        if name not in files:
            if name in builtin:
                done.add(name)
                builtins.append(name)
                return
            raise Error(f"module {name}{needed_by} is neither a module file "
                        "nor built into the kernel")
        path = files[name]
        data = read_module(path)
        deps = depmap.get(name, []) if depmap is not None \
            else modinfo_depends(data, path)
        stack.append(name)
        for d in deps:
            visit(d, f" (needed by {name})")
        stack.pop()
        done.add(name)
        order.append((name, path, data))

    for w in wanted:
        visit(norm(w), "")
    return order, builtins


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("moddir", help="lib/modules/<release> directory")
    ap.add_argument("outdir", help="output directory (created)")
    ap.add_argument("modules", nargs="+", metavar="MODULE",
                    help="module names, e.g. virtio_mmio virtio_blk")
    a = ap.parse_args()
    try:
        if not os.path.isdir(os.path.join(a.moddir, "kernel")):
            raise Error(f"{a.moddir} has no kernel/ directory")
        files, builtin, depmap = index(a.moddir)
        order, builtins = resolve(a.modules, files, builtin, depmap)
        os.makedirs(a.outdir, exist_ok=True)
        names = []
        for name, path, data in order:
            fname = os.path.basename(path).split(".ko")[0] + ".ko"
            with open(os.path.join(a.outdir, fname), "wb") as f:
                f.write(data)
            names.append(fname)
        with open(os.path.join(a.outdir, "load-order"), "w") as f:
            f.write("".join(n + "\n" for n in names))
        release = os.path.basename(os.path.normpath(a.moddir))
        with open(os.path.join(a.outdir, "release"), "w") as f:
            f.write(release + "\n")
    except (Error, OSError, lzma.LZMAError, EOFError, struct.error,
            ValueError) as e:
        print(f"kmods: {e}", file=sys.stderr)
        return 1
    print(f"modules for {release}: load order "
          + (" ".join(names) if names else "(none)")
          + (f"; built in: {' '.join(builtins)}" if builtins else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
