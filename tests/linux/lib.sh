# Shared steps of the Linux boot scripts (boot-bare.sh, boot-cell.sh);
# sourced with $here, $qemu, $cache and $out set.

# Exits 77 unless python3 and QEMU exist, then fetches the assets
# (fetch-assets.sh [$1 = --modules]; its 77 propagates).
linux_prepare() {
    command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
    command -v "$qemu" >/dev/null 2>&1 \
        || { echo "SKIP: $qemu not found (install qemu-system-arm)"; exit 77; }
    sh "$here/fetch-assets.sh" "$@" "$cache"
    rc=$?
    [ $rc -eq 0 ] || exit $rc
}

# Makes $out (a temporary directory when unset; $tmpdir then names it so
# that linux_finish removes it after a pass).
linux_out_dir() {
    if [ -n "$out" ]; then
        mkdir -p "$out" || exit 1
        tmpdir=''
    else
        out=$(mktemp -d "${TMPDIR:-/tmp}/cellvisor-linux.XXXXXX") || exit 1
        tmpdir=$out
    fi
}

# Block-device test (--disk): writes $out/disk.img (mkdisk.py) and sets
# $disk_img to it and $disk_expect to the regex of the console line the
# guest must print, "CELLVISOR-BLK-OK sha256=<sum of the file on the disk>"
# after the prefix regex $1 ('' bare, '\[linux\] ' in a cell). Call after
# linux_prepare --modules and linux_out_dir.
linux_disk() {
    if [ ! -f "$cache/modules/load-order" ]; then
        echo "SKIP: no kernel modules in $cache/modules (fetch-assets.sh --modules)"
        [ -z "$tmpdir" ] || rm -rf "$tmpdir"
        exit 77
    fi
    disk_img=$out/disk.img
    disk_sum=$(python3 "$here/mkdisk.py" "$disk_img") || exit 1
    disk_expect="^$1CELLVISOR-BLK-OK sha256=$disk_sum\$"
    echo "disk: $disk_img ($(wc -c <"$disk_img") bytes), cellvisor-disk.txt sha256=$disk_sum"
}

# Removes a temporary $out after a pass, says where the files are after a
# failure, and exits with the runner's status $1.
linux_finish() {
    if [ "$1" -eq 0 ] && [ -n "$tmpdir" ]; then
        rm -rf "$tmpdir"
    elif [ "$1" -ne 0 ]; then
        echo "kept: $out"
    fi
    exit "$1"
}
