#!/bin/sh
# traces/record-linux.sh BUILD_DIR: records the start of a Linux boot again:
# Debian's kernel boots in the 2-vCPU cell of configs/linux.dts with the
# recording image on QEMU; the trace is extracted from the console and
# replayed core-only (hvtrace replay, with the replay scheduler: both
# vCPUs). The whole boot is kept when it replays exactly; otherwise the
# trace is cut just before the first divergence (hvtrace cut keeps every
# event before it, all of which matched), and the cut is replayed again
# before it is kept (docs/replay.md, "Several pCPUs"). Gzipped to
# traces/linux/.
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
# The kernel is not embedded in the trace (too large): replay reads it,
# and the initramfs boot-cell.sh left in $out, from --images.
cp "${CELLVISOR_CACHE:-${HOME:-/tmp}/.cache/cellvisor}/Image" "$out/Image"
# Each boot interleaves its two pCPUs differently: up to 3 recordings,
# keeping the whole boot when one replays, else the longest exact prefix.
best=0 what=''
for try in 1 2 3; do
    timeout 300 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 \
        -cpu max,pauth=off -smp 2 -m 1G -nographic -no-reboot -nic none \
        -kernel "$build/hal/baremetal/cellvisor-rec.bin" -initrd "$out/linux.cpio" \
        >"$out/rec.log" 2>&1
    "$hvtrace" extract "$out/rec.log" "$out/boot.cvt"
    if "$hvtrace" replay --quiet --images "$out" "$out/boot.cvt" \
        >"$out/replay.log" 2>&1; then
        cp "$out/boot.cvt" "$out/start.cvt"
        what="the whole boot (recording $try)"
        break
    fi
    cut=$(sed -n 's/.*divergence at event \([0-9]*\).*/\1/p' "$out/replay.log" | head -n 1)
    [ -n "$cut" ] || { cat "$out/replay.log" >&2; exit 1; }
    echo "recording $try: replays exactly up to event $cut"
    if [ "$cut" -gt "$best" ]; then
        "$hvtrace" cut "$out/boot.cvt" "$out/start.cvt" "$cut"
        "$hvtrace" replay --quiet --images "$out" "$out/start.cvt" >/dev/null
        best=$cut
        what="events before $cut (recording $try, up to its first divergence)"
    fi
done
gzip -9 -n -c "$out/start.cvt" >"$here/linux/boot-start.cvt.gz"
echo "traces/linux/boot-start.cvt.gz: $what"
