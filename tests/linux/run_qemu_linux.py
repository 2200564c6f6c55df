#!/usr/bin/env python3
"""Boots a Linux kernel (bare, or inside Cellvisor) on qemu-system-aarch64
and checks that the test /init reached its marker and powered off cleanly.

Bare baseline (the guest kernel itself gets -kernel/-initrd/-append):

  run_qemu_linux.py --kernel Image --initrd initramfs.cpio \\
      --append "console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 quiet"

Hypervisor variant (the same runner, a different payload; no -append):

  run_qemu_linux.py --kernel build/hal/baremetal/cellvisor.bin \\
      --initrd build/guests/linux.cpio --smp 2 --expect-cpus 2

Block-device test (a raw disk image on QEMU virt's first virtio-mmio
transport, and a line the guest must print before powering off):

  run_qemu_linux.py ... --disk disk.img \\
      --expect-line '^CELLVISOR-BLK-OK sha256=<hex>$'

Console output (QEMU's stdout and stderr) is read line by line as it
arrives and stamped with time.monotonic() relative to QEMU's start; the
stamped lines go to --log. Pass criteria:

  * the marker regex matches exactly one line (its first group, if any,
    is the CPU count and must equal --expect-cpus, default --smp);
  * every --expect-line regex matches a line before the power-off line
    (before QEMU's exit when --poweroff-regex is '');
  * no line matches --fail-regex (kernel panic, oops, ...);
  * a line matches --poweroff-regex after the marker (default
    "reboot: Power down", printed by the kernel just before PSCI
    SYSTEM_OFF; pass '' to skip this check);
  * QEMU exits by itself with status 0 within --timeout seconds.

Prints the command line, "marker after X.XX s", and one final line
starting with "RESULT: PASS", "RESULT: FAIL" or "RESULT: SKIP".
Exit status: 0 pass, 1 fail, 77 skip (QEMU or an input file missing).
"""
import argparse
import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time

DEFAULT_MARKER = r"CELLVISOR-LINUX-OK cpus=(\d+)"
DEFAULT_FAIL = (r"Kernel panic|Unable to handle kernel|Internal error:|"
                r"BUG: |cellvisor-init: poweroff -f failed|CELLVISOR-BLK-FAIL")
DEFAULT_POWEROFF = r"reboot: Power down"


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--qemu", default="qemu-system-aarch64",
                    help="QEMU binary (default: %(default)s)")
    ap.add_argument("--machine", default="virt,virtualization=on,gic-version=3",
                    help="-M value (default: %(default)s)")
    ap.add_argument("--cpu", default="max,pauth=off",
                    help="-cpu value (default: %(default)s)")
    ap.add_argument("--smp", type=int, default=2, help="-smp (default: 2)")
    ap.add_argument("--memory", default="1G", help="-m (default: 1G)")
    ap.add_argument("--kernel", required=True,
                    help="-kernel: a Linux Image, or cellvisor.bin")
    ap.add_argument("--initrd", help="-initrd: an initramfs, or a boot bundle")
    ap.add_argument("--append", help="-append (omitted when not given)")
    ap.add_argument("--disk", metavar="FILE",
                    help="attach FILE as a read-only raw virtio-mmio block "
                         "device (-drive file=FILE,if=none,format=raw,id=d0,"
                         "readonly=on -device virtio-blk-device,drive=d0)")
    ap.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                    help="extra QEMU argument (repeatable)")
    ap.add_argument("--marker", default=DEFAULT_MARKER,
                    help="marker regex; group 1 = CPU count (default: %(default)s)")
    ap.add_argument("--expect-cpus", type=int,
                    help="CPU count the marker must report (default: --smp; "
                         "0 = do not check)")
    ap.add_argument("--expect-line", action="append", default=[],
                    metavar="REGEX",
                    help="a line matching REGEX must appear before the "
                         "power-off (repeatable)")
    ap.add_argument("--fail-regex", default=DEFAULT_FAIL,
                    help="any matching line fails the run ('' = none)")
    ap.add_argument("--poweroff-regex", default=DEFAULT_POWEROFF,
                    help="must match a line after the marker ('' = no check)")
    ap.add_argument("--timeout", type=float, default=120,
                    help="seconds before QEMU is killed (default: 120)")
    ap.add_argument("--log", help="write the time-stamped console log here")
    ap.add_argument("--tail", type=int, default=25,
                    help="console lines shown on failure (default: 25)")
    return ap.parse_args(argv)


def qemu_command(a):
    cmd = [a.qemu, "-M", a.machine, "-cpu", a.cpu, "-smp", str(a.smp),
           "-m", a.memory, "-nographic", "-no-reboot", "-nic", "none",
           "-kernel", a.kernel]
    if a.initrd:
        cmd += ["-initrd", a.initrd]
    if a.append is not None:
        cmd += ["-append", a.append]
    if a.disk:
        # QEMU virt puts the first virtio-mmio device on its last transport
        # (0x0a003e00, SPI 47 = INTID 79; docs/linux-test.md).
        drive = "file=" + a.disk.replace(",", ",,")   # ',' is QEMU's separator
        cmd += ["-drive", drive + ",if=none,format=raw,id=d0,readonly=on",
                "-device", "virtio-blk-device,drive=d0"]
    return cmd + a.qemu_arg


def skip(msg):
    print(f"RESULT: SKIP: {msg}")
    return 77


def run(a):
    qemu = shutil.which(a.qemu)
    if qemu is None:
        return skip(f"{a.qemu} not found (install qemu-system-arm)")
    for what, path in (("kernel", a.kernel), ("initrd", a.initrd),
                       ("disk", a.disk)):
        if path and not os.path.isfile(path):
            return skip(f"{what} {path} not found")
    expect = a.smp if a.expect_cpus is None else a.expect_cpus
    marker_re = re.compile(a.marker)
    fail_re = re.compile(a.fail_regex) if a.fail_regex else None
    off_re = re.compile(a.poweroff_regex) if a.poweroff_regex else None
    expect_res = [re.compile(r) for r in a.expect_line]
    expect_t = [None] * len(expect_res)   # time of the first match

    cmd = qemu_command(a)
    print("qemu: " + shlex.join(cmd), flush=True)
    log = open(a.log, "w") if a.log else None
    lines = []           # (t, text)
    q = queue.Queue()

    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)

    def reader():
        for raw in iter(p.stdout.readline, b""):
            q.put((time.monotonic() - t0, raw))
        q.put(None)

    th = threading.Thread(target=reader, daemon=True)
    th.start()

    deadline = t0 + a.timeout
    timed_out = False
    markers = []          # (t, line, cpus)
    poweroff_t = None
    failures = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        try:
            item = q.get(timeout=left)
        except queue.Empty:
            timed_out = True
            break
        if item is None:
            break
        t, raw = item
        text = raw.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "")
        lines.append((t, text))
        if log:
            log.write(f"[{t:8.3f}] {text}\n")
            log.flush()
        m = marker_re.search(text)
        if m:
            cpus = int(m.group(1)) if m.groups() and m.group(1) else None
            markers.append((t, text, cpus))
            if len(markers) == 1:
                print(f"marker after {t:.2f} s: {m.group(0)}", flush=True)
        if poweroff_t is None:
            for i, r in enumerate(expect_res):
                if expect_t[i] is None and r.search(text):
                    expect_t[i] = t
        if off_re and markers and poweroff_t is None and off_re.search(text):
            poweroff_t = t
        if fail_re and fail_re.search(text):
            failures.append(f"{t:.2f} s: {text.strip()}")

    if timed_out:
        p.kill()
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    t_exit = time.monotonic() - t0
    th.join(timeout=2)
    if log:
        log.write(f"[{t_exit:8.3f}] <qemu exit status {rc}"
                  f"{', killed after timeout' if timed_out else ''}>\n")
        log.close()

    problems = []
    if timed_out:
        problems.append(f"timeout: QEMU still running after {a.timeout:g} s")
    elif rc != 0:
        problems.append(f"QEMU exit status {rc}")
    if not markers:
        problems.append(f"marker /{a.marker}/ not seen")
    elif len(markers) > 1:
        problems.append(f"marker seen {len(markers)} times (expected once)")
    else:
        cpus = markers[0][2]
        if expect and cpus is not None and cpus != expect:
            problems.append(f"marker reports cpus={cpus}, expected {expect}")
    if off_re and markers and poweroff_t is None and not timed_out:
        problems.append(f"no /{a.poweroff_regex}/ after the marker "
                        "(not a clean power-off)")
    for r, et in zip(a.expect_line, expect_t):
        if et is None:
            problems.append(f"expected line /{r}/ not seen before the power-off")
    problems += ["console: " + f for f in failures[:3]]

    if problems:
        print(f"--- last {a.tail} console lines"
              + (f" (full log: {a.log})" if a.log else "") + " ---")
        for t, text in lines[-a.tail:]:
            print(f"[{t:8.3f}] {text}")
        print("---")
        print("RESULT: FAIL: " + "; ".join(problems))
        return 1
    m_t, _, cpus = markers[0]
    for r, et in zip(a.expect_line, expect_t):
        print(f"expected line after {et:.2f} s: /{r}/")
    print(f"RESULT: PASS: marker after {m_t:.2f} s"
          + (f" (cpus={cpus})" if cpus is not None else "")
          + f", QEMU exited 0 after {t_exit:.2f} s")
    return 0


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(a)
    except KeyboardInterrupt:
        print("RESULT: FAIL: interrupted")
        return 1


if __name__ == "__main__":
    sys.exit(main())
