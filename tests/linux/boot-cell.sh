#!/bin/sh
# boot-cell.sh --image cellvisor.bin --config linux.dtb [options]: the Linux
# boot test. Debian's unmodified arm64 kernel boots in a 2-vCPU Cellvisor
# cell on QEMU virt, runs the test /init, which prints
# "CELLVISOR-LINUX-OK cpus=N" and powers off; the cell's SYSTEM_OFF ends the
# run ("cellvisor: all cells ended, status 0") and the hypervisor powers
# QEMU off. Prints the time from QEMU start to the marker.
#
# With --disk, the block-device test (device passthrough): a raw disk image
# (mkdisk.py) is attached as QEMU virt's first virtio-mmio block device, the
# config (e.g. build/guests/linux-blk.dtb) hands that device to the cell, the
# initramfs gets the virtio modules (mkinitramfs.py --blk), and the cell must
# also print "[linux] CELLVISOR-BLK-OK sha256=<sum>" with the sha256 of the
# file on the disk, computed on the host.
#
# Options:
#   --image FILE    the EL2 image (build/hal/baremetal/cellvisor.bin)
#   --config FILE   the cell config blob (build/guests/linux.dtb)
#   --cpu CPU       -cpu value (default max,pauth=off; e.g. neoverse-n1)
#   --cpus N        vCPUs the config gives the cell (default 2)
#   --smp N         QEMU's CPU count, the config's platform cpus (default 2)
#   --disk          the block-device test (above)
#   --timeout S     QEMU timeout in seconds (default 180)
#   --out DIR       keep initramfs.cpio, the bundle, disk.img and console.log in DIR
#   --cache DIR     asset cache (default ${CELLVISOR_CACHE:-$HOME/.cache/cellvisor})
#   --qemu BIN      QEMU binary (default qemu-system-aarch64)
# Exit: 0 pass, 1 fail, 77 skip (no assets, no QEMU, no python3).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cpu=max,pauth=off cpus=2 smp=2 timeout_s=180 out='' qemu=qemu-system-aarch64
image='' config='' disk=''
cache=${CELLVISOR_CACHE:-${HOME:-/tmp}/.cache/cellvisor}

usage() { sed -n '2,/^# Exit/p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
        --image) image=$2; shift 2 ;;
        --config) config=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        --cpus) cpus=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --disk) disk=1; shift ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --cache) cache=$2; shift 2 ;;
        --qemu) qemu=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "boot-cell.sh: unknown option $1" >&2; usage >&2; exit 1 ;;
    esac
done
[ -n "$image" ] && [ -n "$config" ] || { usage >&2; exit 1; }
[ -f "$image" ] || { echo "boot-cell.sh: no EL2 image at $image" >&2; exit 1; }
[ -f "$config" ] || { echo "boot-cell.sh: no config blob at $config" >&2; exit 1; }

. "$here/lib.sh"
linux_prepare ${disk:+--modules}
linux_out_dir

set --
if [ -n "$disk" ]; then
    linux_disk '\[linux\] '
    set -- --disk "$disk_img" --expect-line "$disk_expect"
fi

python3 "$here/mkinitramfs.py" "$out/initramfs.cpio" "$cache/busybox" \
    ${disk:+--blk "$cache/modules"} || exit 1
# The config names its images "Image" and "initramfs.cpio".
python3 "$top/scripts/mkbundle.py" "$out/linux.cpio" "$config" \
    "$cache/Image" "$out/initramfs.cpio" || exit 1

python3 "$here/run_qemu_linux.py" --qemu "$qemu" \
    --machine virt,virtualization=on,gic-version=3 --cpu "$cpu" --smp "$smp" \
    --memory 1G --kernel "$image" --initrd "$out/linux.cpio" \
    --marker '^\[linux\] CELLVISOR-LINUX-OK cpus=(\d+)' --expect-cpus "$cpus" \
    --poweroff-regex '^cellvisor: all cells ended, status 0$' \
    --timeout "$timeout_s" --log "$out/console.log" "$@"
linux_finish $?
