#!/bin/sh
# traces/record-linux.sh BUILD_DIR: records the start of a Linux boot again:
# Debian's kernel boots in the 2-vCPU cell of configs/linux.dts with the
# recording image on QEMU; the trace is extracted from the console and cut
# just before the second vCPU starts (hvtrace cut), where core-only replay
# was exact before the replay scheduler (docs/replay.md, "Several pCPUs");
# gzipped to traces/linux/.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
hvtrace=$build/sim/hvtrace
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Builds the bundle (and the assets) exactly as the Linux test does.
sh "$top/tests/linux/boot-cell.sh" --image "$build/hal/baremetal/cellvisor.bin" \
    --config "$build/guests/linux.dtb" --out "$out" >/dev/null
timeout 300 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 \
    -cpu max,pauth=off -smp 2 -m 1G -nographic -no-reboot -nic none \
    -kernel "$build/hal/baremetal/cellvisor-rec.bin" -initrd "$out/linux.cpio" \
    >"$out/rec.log" 2>&1
"$hvtrace" extract "$out/rec.log" "$out/boot.cvt"
# The first event of pCPU 1 other than its idle runs is its CPU_ON reset;
# cut at the run just before it.
cut=$("$hvtrace" dump "$out/boot.cvt" | awk '$2 == "cpu1" && $3 != "run" { print prev; exit } $2 == "cpu1" && $3 == "run" { prev = $1 }')
"$hvtrace" cut "$out/boot.cvt" "$out/start.cvt" "$cut"
gzip -9 -n -c "$out/start.cvt" >"$here/linux/boot-start.cvt.gz"
echo "traces/linux/boot-start.cvt.gz: events before $cut"
