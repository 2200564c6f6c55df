#!/bin/sh
# boot-bare.sh [options]: the bare-QEMU baseline of the Linux boot test.
#
# Fetches the assets (fetch-assets.sh; exit 77 propagates), builds the test
# initramfs, and boots Debian's arm64 kernel directly on QEMU virt (no
# hypervisor: the kernel enters at EL2 with virtualization=on) through
# run_qemu_linux.py, which checks for "CELLVISOR-LINUX-OK cpus=N" and a clean
# power-off and prints the time from QEMU start to the marker.
#
# With --disk, the block-device test: a raw disk image (mkdisk.py) is
# attached as QEMU virt's first virtio-mmio block device, the initramfs gets
# the virtio modules (mkinitramfs.py --blk; fetch-assets.sh --modules), and
# /init must also print "CELLVISOR-BLK-OK sha256=<sum>" with the sha256 of
# the file on the disk, computed on the host.
#
# Options:
#   --smp N         vCPUs (default 2); the marker must report cpus=N
#   --cpu CPU       -cpu value (default max,pauth=off; e.g. neoverse-n1)
#   --no-virt       -M virt,gic-version=3 without virtualization=on (kernel at EL1)
#   --disk          the block-device test (above)
#   --timeout S     QEMU timeout in seconds (default 120)
#   --out DIR       keep initramfs.cpio, disk.img and console.log in DIR (default: a
#                   temporary directory, removed on success, kept on failure)
#   --init FILE     use FILE as /init (tests of the test itself)
#   --cache DIR     asset cache (default ${CELLVISOR_CACHE:-$HOME/.cache/cellvisor})
#   --qemu BIN      QEMU binary (default qemu-system-aarch64)
# Exit: 0 pass, 1 fail, 77 skip (no assets, no QEMU, no python3).
set -u

here=$(cd "$(dirname "$0")" && pwd)
smp=2 cpu=max,pauth=off machine=virt,virtualization=on,gic-version=3
timeout_s=120 out='' init='' qemu=qemu-system-aarch64 disk=''
cache=${CELLVISOR_CACHE:-${HOME:-/tmp}/.cache/cellvisor}
append="console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 quiet"

usage() { sed -n '2,/^# Exit/p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
        --smp) smp=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        --no-virt) machine=virt,gic-version=3; shift ;;
        --disk) disk=1; shift ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --init) init=$2; shift 2 ;;
        --cache) cache=$2; shift 2 ;;
        --qemu) qemu=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "boot-bare.sh: unknown option $1" >&2; usage >&2; exit 1 ;;
    esac
done

. "$here/lib.sh"
linux_prepare ${disk:+--modules}
linux_out_dir

set --
if [ -n "$disk" ]; then
    linux_disk ''
    set -- --disk "$disk_img" --expect-line "$disk_expect"
fi

python3 "$here/mkinitramfs.py" "$out/initramfs.cpio" "$cache/busybox" \
    ${init:+--init "$init"} ${disk:+--blk "$cache/modules"} || exit 1

python3 "$here/run_qemu_linux.py" --qemu "$qemu" --machine "$machine" \
    --cpu "$cpu" --smp "$smp" --memory 1G \
    --kernel "$cache/Image" --initrd "$out/initramfs.cpio" --append "$append" \
    --expect-cpus "$smp" --timeout "$timeout_s" --log "$out/console.log" "$@"
linux_finish $?
