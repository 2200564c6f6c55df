#!/bin/sh
# traces/record-qemu.sh BUILD_DIR: records the committed QEMU traces again:
# each guest config below boots with the recording image
# (cellvisor-rec.bin) on QEMU virt; `hvtrace extract` takes the trace the
# image prints at the end from the console log; gzipped into traces/qemu/.
# Guests with several pCPUs (smp, psci, smp-wfi) replay through the
# replay scheduler (docs/replay.md, "Several pCPUs"); a trace whose
# replay does not match is not kept (the script stops).
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
img=$build/hal/baremetal/cellvisor-rec.bin
hvtrace=$build/sim/hvtrace
[ -f "$img" ] || { echo "record-qemu.sh: no $img (build first)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for g in hello mmio stage2 hypercall irq timer rogue-terminate smp psci smp-wfi timer-wfi; do
    timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 \
        -cpu max,pauth=off -smp 4 -m 1G -nographic -no-reboot -nic none \
        -kernel "$img" -initrd "$build/guests/$g.cpio" >"$tmp/$g.log" 2>&1 || true
    "$hvtrace" extract "$tmp/$g.log" "$tmp/$g.cvt"
    "$hvtrace" replay --quiet "$tmp/$g.cvt" >/dev/null
    gzip -9 -n -c "$tmp/$g.cvt" >"$here/qemu/$g.cvt.gz"
    echo "traces/qemu/$g.cvt.gz: $(wc -c <"$tmp/$g.cvt") bytes ($(wc -c <"$here/qemu/$g.cvt.gz") gzipped)"
done
