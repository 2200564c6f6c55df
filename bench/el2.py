#!/usr/bin/env python3
"""Instructions per EL2 operation on QEMU (issue 8, bare metal).

Boots the EL2 image with configs/bench-el2.dts (one cell, virtual GICv3,
2 vCPUs) under QEMU with `-icount shift=0`, where the PMU's INST_RETIRED
count is exact and the same on every run, and reads what guests/bench_el2.c
prints: for each operation a loop of 1000 calls, and the same loop calling
an empty function, whose count is subtracted (loop and call overhead out,
the guest's own wrapper in). With icount the counter follows QEMU's one
instruction count for all CPUs, so the vCPU-to-vCPU figure is the work of
both pCPUs. Unless --quick, the same guest ELF also runs on bare QEMU at
EL1 without a hypervisor (-kernel bench_el2.elf): that gives each figure
its reference, the same loop's cost on QEMU's own devices.

Figures (group "el2", instructions per operation):
  null hypercall      HVC HV_CALL_VERSION through hvc0()      target <= 150
  MMIO PL011 FR       emulated PL011 load (ldr w)              target <= 300
  MMIO GICD_TYPER     emulated distributor load                target <= 300
  MMIO GICR_ISENABLER0  emulated redistributor load            target <= 300
  SGI to self         ICC_SGI1R_EL1 write, IRQ, IAR, EOIR      (no target)
  SGI vCPU0 -> vCPU1  ping-pong, per one-way delivery          (no target)

Usage (the arguments bench/meson.build passes):
  el2.py --qemu QEMU --image cellvisor.bin --bundle bench-el2.cpio
         --guest-elf bench_el2.elf [--cpu CPU] [--json FILE] [--quick]
         [--log-dir DIR]

--quick skips the bare-QEMU reference run (the cell run is deterministic,
so one run is all there is). Exit status 0 when the cell run produced the
figures (targets missed are reported, not failed), 1 when it did not or
the guest reported a failure (a lost SGI). Console logs: el2-cell.log and
el2-bare.log in --log-dir (default: the --json file's directory).
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

QEMU_TIMEOUT = 120
LINE = re.compile(r"bench: (\S+) iters=(\d+) insns=(\d+)")

# guest loop name -> (figure name, operations per iteration, target, limit)
FIGURES = [
    ("hvc", "null hypercall (HVC HV_CALL_VERSION)", 1, "<= 150", 150),
    ("pl011", "emulated MMIO load, PL011 FR", 1, "<= 300", 300),
    ("gicd", "emulated MMIO load, vGIC GICD_TYPER", 1, "<= 300", 300),
    ("gicr", "emulated MMIO load, vGIC GICR_ISENABLER0", 1, "<= 300", 300),
    ("sgi-self", "virtual SGI to self (inject, IRQ, IAR, EOIR)", 1, None,
     None),
    ("ping-pong", "SGI vCPU 0 -> vCPU 1, per one-way delivery", 2, None,
     None),
]


def run_qemu(cmd, log):
    """Runs QEMU under timeout; returns its console output (also in log)."""
    full = ["timeout", str(QEMU_TIMEOUT)] + cmd
    with open(log, "w") as f:
        subprocess.run(full, stdout=f, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, check=False)
    with open(log, errors="replace") as f:
        return f.read()


def parse(out):
    """{loop name: instructions per iteration of the loop body}."""
    raw = {}
    for m in LINE.finditer(out):
        raw[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    if "nop" not in raw:
        return {}
    iters, nop = raw["nop"]
    return {name: (insns - nop * it // iters) / it
            for name, (it, insns) in raw.items() if name != "nop"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", default="qemu-system-aarch64")
    ap.add_argument("--image", required=True, help="cellvisor.bin")
    ap.add_argument("--bundle", required=True, help="bench-el2.cpio")
    ap.add_argument("--guest-elf", help="bench_el2.elf (bare reference)")
    ap.add_argument("--cpu", default="max,pauth=off")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--quick", action="store_true",
                    help="no bare-QEMU reference run")
    ap.add_argument("--log-dir", default=None,
                    help="console logs (default: next to --json, or cwd)")
    a = ap.parse_args()

    log_dir = a.log_dir or (os.path.dirname(os.path.abspath(a.json))
                            if a.json else os.getcwd())
    os.makedirs(log_dir, exist_ok=True)
    common = ["-cpu", a.cpu, "-smp", "2", "-m", "1G", "-nographic",
              "-no-reboot", "-nic", "none", "-icount", "shift=0"]
    cell_out = run_qemu(
        [a.qemu, "-M", "virt,virtualization=on,gic-version=3"] + common +
        ["-kernel", a.image, "-initrd", a.bundle],
        os.path.join(log_dir, "el2-cell.log"))
    cell = parse(cell_out)
    failed = "bench_el2: FAILED" in cell_out or "FAIL:" in cell_out
    if "hvc" not in cell:
        print("el2: no counts from the cell run; console output:",
              file=sys.stderr)
        print(cell_out[-3000:], file=sys.stderr)
        return 1
    bare = {}
    if not a.quick and a.guest_elf:
        bare = parse(run_qemu(
            [a.qemu, "-M", "virt,gic-version=3"] + common +
            ["-kernel", a.guest_elf],
            os.path.join(log_dir, "el2-bare.log")))

    figures = []
    for key, name, per, target, limit in FIGURES:
        value = cell.get(key)
        if value is not None:
            value /= per
        ref = bare.get(key)
        if ref is not None:
            ref /= per
        note = None
        if value is None:
            note = ("not measured: vCPU 1 did not start in the cell run "
                    "(see el2-cell.log)")
        elif key == "hvc" and ref is not None:
            note = ("bare reference: QEMU answers the HVC itself "
                    "(PSCI conduit, NOT_SUPPORTED) without an exception")
        figures.append(benchlib.figure(
            name, value, "instructions",
            reference=ref,
            reference_name="bare QEMU at EL1" if ref is not None else None,
            target=target,
            met=None if (limit is None or value is None) else value <= limit,
            note=note, group="el2"))
    benchlib.table(figures, sys.stdout)
    if a.json:
        benchlib.write_json(figures, a.json,
                            extra={"qemu_cpu": a.cpu, "icount": "shift=0"})
    if failed:
        print("el2: the guest reported a failure (see el2-cell.log)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
