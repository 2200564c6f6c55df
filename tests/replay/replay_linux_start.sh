#!/bin/sh
# replay_linux_start.sh HVTRACE TRACE.gz: core-only replay of the committed
# start of a Linux boot (traces/linux/). The kernel and the test initramfs
# are not in the trace (too large): they come from the Linux test's asset
# cache (fetch-assets.sh) and mkinitramfs.py, which is deterministic.
# Exit 0 pass, 1 divergence, 77 when the assets cannot be had or Debian's
# kernel changed since the trace was recorded (re-record it then with
# traces/record-linux.sh).
set -u
hvtrace=$1 trace=$2
here=$(cd "$(dirname "$0")" && pwd)
cache=${CELLVISOR_CACHE:-${HOME:-/tmp}/.cache/cellvisor}
sh "$here/../linux/fetch-assets.sh" "$cache" >/dev/null
rc=$?
[ $rc -eq 0 ] || exit $rc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$cache/Image" "$tmp/Image"
python3 "$here/../linux/mkinitramfs.py" "$tmp/initramfs.cpio" "$cache/busybox" >/dev/null || exit 1
gunzip -c "$trace" >"$tmp/boot.cvt"
"$hvtrace" replay --images "$tmp" "$tmp/boot.cvt" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/err"
if [ $rc -eq 2 ] && grep -q "not the recorded image" "$tmp/err"; then
    echo "SKIP: Debian's kernel or busybox changed since the trace was recorded (re-record: traces/record-linux.sh)"
    exit 77
fi
exit $rc
