#!/bin/sh
# qemu_record.sh QEMU IMAGE_REC BUNDLE HVTRACE: boots BUNDLE with the
# recording EL2 image on QEMU virt, extracts the trace it prints at the end
# (hvtrace extract) and replays it core-only (hvtrace replay): a
# bare-metal run reproduced on the host, decision for decision.
# Exit 0 pass, 1 fail, 77 without QEMU.
set -u
qemu=$1 img=$2 bundle=$3 hvtrace=$4
command -v "$qemu" >/dev/null 2>&1 || { echo "SKIP: $qemu not found (install qemu-system-arm)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeout 120 "$qemu" -M virt,virtualization=on,gic-version=3 -cpu max,pauth=off \
    -smp 4 -m 1G -nographic -no-reboot -nic none -kernel "$img" \
    -initrd "$bundle" >"$tmp/console.log" 2>&1
grep -q '^cellvisor: all cells ended' "$tmp/console.log" || {
    echo "FAIL: the run did not end cleanly"; tail -n 20 "$tmp/console.log"; exit 1; }
"$hvtrace" extract "$tmp/console.log" "$tmp/run.cvt" || exit 1
"$hvtrace" info "$tmp/run.cvt" | head -n 12
"$hvtrace" replay --quiet "$tmp/run.cvt" >"$tmp/replay.out" 2>"$tmp/replay.err"
rc=$?
cat "$tmp/replay.err"
[ $rc -eq 0 ] || { echo "FAIL: core-only replay of the QEMU trace diverged"; exit 1; }
echo "PASS: QEMU trace replays core-only"
