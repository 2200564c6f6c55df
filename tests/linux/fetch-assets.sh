#!/bin/sh
# fetch-assets.sh [CACHE_DIR]
#
# Ensures the Linux test assets are in the cache (outside the repo):
#   CACHE/Image    uncompressed arm64 Image from Debian 12's linux-image-6.1.0-N-arm64
#   CACHE/busybox  static arm64 busybox from Debian 12's busybox-static
#   CACHE/assets.txt  package names and versions the two files came from
#   CACHE/debs/    the downloaded .deb files (kept so a re-extract needs no network)
#
# Idempotent: when Image and busybox are present, nothing is downloaded and no
# network is touched. When only the .debs are present, they are extracted.
# Otherwise the packages are fetched with apt-get download (adding the arm64
# foreign architecture and running apt-get update when needed).
#
# Exit: 0 assets ready (paths printed), 77 "SKIP: ..." (cannot get them here),
# 1 unexpected error (e.g. a package with an unexpected layout).
set -eu

CACHE=${1:-${CELLVISOR_CACHE:-${HOME:-/tmp}/.cache/cellvisor}}
DEBS=$CACHE/debs

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "fetch-assets: error: $*" >&2; exit 1; }

mkdir -p "$DEBS" || skip "cannot create cache directory $CACHE"
CACHE=$(cd "$CACHE" && pwd)
DEBS=$CACHE/debs

# Serialize concurrent runs (e.g. parallel meson tests) on the cache.
if command -v flock >/dev/null 2>&1 && [ -z "${CELLVISOR_FETCH_LOCKED:-}" ]; then
    CELLVISOR_FETCH_LOCKED=1 exec flock "$CACHE/.lock" sh "$0" "$CACHE"
fi

tmp='' x=''
cleanup() { rm -rf ${tmp:+"$tmp"} ${x:+"$x"}; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# An arm64 Image has "ARM\x64" at offset 0x38.
is_image() {
    [ -s "$1" ] && [ "$(dd if="$1" bs=1 skip=56 count=4 2>/dev/null)" = "$(printf 'ARMd')" ]
}

report() {
    echo "cache:   $CACHE"
    echo "Image:   $CACHE/Image ($(wc -c <"$CACHE/Image") bytes)"
    echo "busybox: $CACHE/busybox ($(wc -c <"$CACHE/busybox") bytes)"
    if [ -f "$CACHE/assets.txt" ]; then sed 's/^/         /' "$CACHE/assets.txt"; fi
}

if is_image "$CACHE/Image" && [ -s "$CACHE/busybox" ]; then
    echo "assets already cached (no download)"
    report
    exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi

pick_kernel_deb() {
    # newest linux-image-6.1.0-N-arm64 .deb already in the cache
    ls "$DEBS" 2>/dev/null | grep -E '^linux-image-6\.1\.0-[0-9]+-arm64_.*_arm64\.deb$' | sort -V | tail -n 1
}
pick_busybox_deb() {
    ls "$DEBS" 2>/dev/null | grep -E '^busybox-static_.*_arm64\.deb$' | sort -V | tail -n 1
}

kdeb=$(pick_kernel_deb || true)
bdeb=$(pick_busybox_deb || true)

if [ -z "$kdeb" ] || [ -z "$bdeb" ]; then
    command -v apt-get >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1 \
        || skip "apt-get not available and no assets in $CACHE (pre-seed Image and busybox there)"
    command -v dpkg >/dev/null 2>&1 || skip "dpkg not available"

    updated=
    apt_update() {
        [ -n "$updated" ] && return 0
        updated=1
        if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
            echo "running apt-get update ..."
            $SUDO apt-get update -qq >"$CACHE/apt-update.log" 2>&1 \
                || echo "apt-get update failed (see $CACHE/apt-update.log)"
        fi
    }

    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
            echo "adding foreign architecture arm64"
            $SUDO dpkg --add-architecture arm64 || skip "dpkg --add-architecture arm64 failed"
            apt_update
        else
            skip "arm64 is not a dpkg foreign architecture and we are not root (run: dpkg --add-architecture arm64 && apt-get update)"
        fi
    fi

    kernel_candidates() {
        # newest first; only the signed/plain image package, never -dbg/-unsigned
        # unless nothing else exists.
        c=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64$' 2>/dev/null \
            | awk '{print $1}' | sort -Vr)
        if [ -z "$c" ]; then
            c=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' 2>/dev/null \
                | awk '{print $1}' | sort -Vr)
        fi
        echo "$c"
    }
    have_busybox() { apt-cache show busybox-static:arm64 >/dev/null 2>&1; }

    cands=$(kernel_candidates)
    if [ -z "$cands" ] || ! have_busybox; then
        apt_update
        cands=$(kernel_candidates)
    fi
    [ -n "$cands" ] || skip "no linux-image-6.1.0-N-arm64 package known to apt (is the Debian 12 arm64 archive reachable?)"
    have_busybox || skip "busybox-static:arm64 not known to apt"

    tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
    # apt-get download runs as root's _apt user when it can; a directory it
    # cannot write to only produces a warning, so make it writable.
    chmod 0777 "$tmp" 2>/dev/null || true

    if [ -z "$kdeb" ]; then
        got=
        for pkg in $(echo "$cands" | head -n 3); do
            echo "downloading $pkg:arm64 ..."
            if (cd "$tmp" && apt-get download -q "$pkg:arm64" >"$CACHE/apt-download.log" 2>&1); then
                got=$pkg; break
            fi
            echo "  download of $pkg failed (see $CACHE/apt-download.log)"
        done
        [ -n "$got" ] || skip "could not download a linux-image-6.1.0-N-arm64 package (registry unreachable?)"
        mv "$tmp"/linux-image-*_arm64.deb "$DEBS"/
    fi
    if [ -z "$bdeb" ]; then
        echo "downloading busybox-static:arm64 ..."
        (cd "$tmp" && apt-get download -q busybox-static:arm64 >"$CACHE/apt-download.log" 2>&1) \
            || skip "could not download busybox-static:arm64 (registry unreachable? see $CACHE/apt-download.log)"
        mv "$tmp"/busybox-static_*_arm64.deb "$DEBS"/
    fi
    kdeb=$(pick_kernel_deb)
    bdeb=$(pick_busybox_deb)
    [ -n "$kdeb" ] && [ -n "$bdeb" ] || die "downloaded packages not found in $DEBS"
fi

command -v dpkg-deb >/dev/null 2>&1 || skip "dpkg-deb not available to unpack $DEBS"

x=$(mktemp -d "$CACHE/.x.XXXXXX")

# Kernel: boot/vmlinuz-* (uncompressed Image on Debian arm64; gunzip if not).
dpkg-deb -x "$DEBS/$kdeb" "$x/k"
vmlinuz=$(ls "$x"/k/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || die "$kdeb has no boot/vmlinuz-*"
if is_image "$vmlinuz"; then
    cp "$vmlinuz" "$x/Image"
elif gzip -dc "$vmlinuz" >"$x/Image" 2>/dev/null && is_image "$x/Image"; then
    :
else
    die "$vmlinuz is not an arm64 Image"
fi
kver=${vmlinuz##*/vmlinuz-}

dpkg-deb -x "$DEBS/$bdeb" "$x/b"
[ -s "$x/b/bin/busybox" ] || die "$bdeb has no bin/busybox"
cp "$x/b/bin/busybox" "$x/busybox"
chmod 0755 "$x/busybox"

{
    echo "kernel_release=$kver"
    echo "kernel_package=$(dpkg-deb -f "$DEBS/$kdeb" Package) $(dpkg-deb -f "$DEBS/$kdeb" Version)"
    echo "kernel_deb=$kdeb ($(wc -c <"$DEBS/$kdeb") bytes)"
    echo "busybox_package=$(dpkg-deb -f "$DEBS/$bdeb" Package) $(dpkg-deb -f "$DEBS/$bdeb" Version)"
    echo "busybox_deb=$bdeb ($(wc -c <"$DEBS/$bdeb") bytes)"
} >"$x/assets.txt"

# Install atomically-ish: busybox and assets.txt first, Image last (it is the
# "complete" flag checked above).
mv "$x/busybox" "$CACHE/busybox"
mv "$x/assets.txt" "$CACHE/assets.txt"
mv "$x/Image" "$CACHE/Image"
echo "assets extracted"
report
