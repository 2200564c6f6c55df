#!/bin/sh
# traces/record.sh BUILD_DIR: records the committed simulator traces again
# (one per test guest config), gzipped into traces/sim/. Run it after a
# change that alters what the core decides (a replay test then reports the
# divergence), and review the new traces with `hvtrace diff OLD NEW`.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
hvsim=$build/sim/hvsim
[ -x "$hvsim" ] || { echo "record.sh: no $hvsim (build first)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for g in hello mmio stage2 hypercall irq timer smp psci isolation \
         rogue-terminate pledge channel-sim mgmt demo; do
    cfg=$build/guests/$g.dtb
    set +e
    timeout 120 "$hvsim" --record "$tmp/$g.cvt" "$cfg" >"$tmp/$g.out" 2>&1
    rc=$?
    set -e
    case $rc in 0|100) ;; *) echo "record.sh: $g: hvsim exited $rc" >&2; exit 1 ;; esac
    gzip -9 -n -c "$tmp/$g.cvt" >"$here/sim/$g.cvt.gz"
    echo "traces/sim/$g.cvt.gz: $(wc -c <"$tmp/$g.cvt") bytes ($(wc -c <"$here/sim/$g.cvt.gz") gzipped)"
done
