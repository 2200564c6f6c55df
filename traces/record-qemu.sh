#!/bin/sh
# traces/record-qemu.sh BUILD_DIR: records the committed QEMU traces again:
# each guest config below boots with the recording image
# (cellvisor-rec.bin) on QEMU virt; `hvtrace extract` takes the trace the
# image prints at the end from the console log; gzipped into traces/qemu/.
# Guests with several pCPUs (smp, psci, smp-wfi, isolation, pledge,
# channel, mgmt) replay through the replay scheduler, which keeps the
# recorded lock order (docs/replay.md, "Several pCPUs", "Lock order"); a
# trace whose replay does not match is not kept (the script stops).
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
img=$build/hal/baremetal/cellvisor-rec.bin
hvtrace=$build/sim/hvtrace
[ -f "$img" ] || { echo "record-qemu.sh: no $img (build first)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A run of several pCPUs interleaves differently each time; the replay
# scheduler's bounded search does not find every interleaving, so such a
# guest is recorded again (up to 5 times) until its trace replays.
for g in hello mmio stage2 hypercall irq timer rogue-terminate smp psci smp-wfi timer-wfi isolation pledge channel mgmt; do
    try=1
    while :; do
        timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 \
            -cpu max,pauth=off -smp 4 -m 1G -nographic -no-reboot -nic none \
            -kernel "$img" -initrd "$build/guests/$g.cpio" >"$tmp/$g.log" 2>&1 || true
        "$hvtrace" extract "$tmp/$g.log" "$tmp/$g.cvt"
        if "$hvtrace" replay --quiet "$tmp/$g.cvt" >"$tmp/$g.replay" 2>&1; then
            break
        fi
        tail -n 1 "$tmp/$g.replay" >&2
        [ $try -lt 5 ] || { echo "record-qemu.sh: $g: no replayable recording in 5 tries" >&2; exit 1; }
        try=$((try + 1))
    done
    gzip -9 -n -c "$tmp/$g.cvt" >"$here/qemu/$g.cvt.gz"
    echo "traces/qemu/$g.cvt.gz: $(wc -c <"$tmp/$g.cvt") bytes ($(wc -c <"$here/qemu/$g.cvt.gz") gzipped), recording $try"
done
