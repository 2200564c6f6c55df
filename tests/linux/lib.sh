# Shared steps of the Linux boot scripts (boot-bare.sh, boot-cell.sh);
# sourced with $here, $qemu, $cache and $out set.

# Exits 77 unless python3 and QEMU exist, then fetches the assets
# (fetch-assets.sh; its 77 propagates).
linux_prepare() {
    command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
    command -v "$qemu" >/dev/null 2>&1 \
        || { echo "SKIP: $qemu not found (install qemu-system-arm)"; exit 77; }
    sh "$here/fetch-assets.sh" "$cache"
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
