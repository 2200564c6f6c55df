#!/bin/sh
# fetch-assets.sh [--modules] [CACHE_DIR]
#
# Ensures the Linux test assets are in the cache (outside the repo):
#   CACHE/Image    uncompressed arm64 Image from Debian 12's linux-image-6.1.0-N-arm64
#   CACHE/busybox  static arm64 busybox from Debian 12's busybox-static
#   CACHE/modules/ the modules a virtio-mmio block device needs, from the same
#                  kernel package (kmods.py: NAME.ko uncompressed, load-order
#                  = their file names in insmod order, release = kernel release)
#   CACHE/assets.txt  package names and versions the files came from
#   CACHE/debs/    the downloaded .deb files (kept so a re-extract needs no network)
#
# Idempotent: when Image, busybox and modules (for the Image's release) are
# present, nothing is downloaded and no network is touched. When only the
# .debs are present, they are extracted. Otherwise the packages are fetched
# with apt-get download (adding the arm64 foreign architecture and running
# apt-get update when needed).
#
# The modules are extracted whenever the kernel package is. A cache with
# Image and busybox but no modules gets them from the kernel .deb in debs/
# when that is the Image's release (no network); if there is none, the
# modules stay missing (a note is printed, exit 0) unless --modules is given:
# then they are required, the kernel package is downloaded if needed, and
# Image and modules are extracted from it together so that they match.
#
# Exit: 0 assets ready (paths printed), 77 "SKIP: ..." (cannot get them here),
# 1 unexpected error (e.g. a package with an unexpected layout).
set -eu

want_mods=''
while [ $# -gt 0 ]; do
    case $1 in
        --modules) want_mods=1; shift ;;
        -*) echo "fetch-assets: error: unknown option $1" >&2; exit 1 ;;
        *) break ;;
    esac
done
CACHE=${1:-${CELLVISOR_CACHE:-${HOME:-/tmp}/.cache/cellvisor}}
DEBS=$CACHE/debs
here=$(cd "$(dirname "$0")" && pwd)
# virtio-mmio transport + block driver; virtio and virtio_ring are built into
# Debian's kernel (kmods.py skips built-in ones and adds dependencies).
MODULES="virtio virtio_ring virtio_mmio virtio_blk"

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "fetch-assets: error: $*" >&2; exit 1; }

mkdir -p "$DEBS" || skip "cannot create cache directory $CACHE"
CACHE=$(cd "$CACHE" && pwd)
DEBS=$CACHE/debs

# Serialize concurrent runs (e.g. parallel meson tests) on the cache.
if command -v flock >/dev/null 2>&1 && [ -z "${CELLVISOR_FETCH_LOCKED:-}" ]; then
    CELLVISOR_FETCH_LOCKED=1 exec flock "$CACHE/.lock" sh "$0" ${want_mods:+--modules} "$CACHE"
fi

tmp='' x=''
cleanup() { rm -rf ${tmp:+"$tmp"} ${x:+"$x"}; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# An arm64 Image has "ARM\x64" at offset 0x38.
is_image() {
    [ -s "$1" ] && [ "$(dd if="$1" bs=1 skip=56 count=4 2>/dev/null)" = "$(printf 'ARMd')" ]
}

# Kernel release an Image was built for ("Linux version 6.1.0-56-arm64 ...").
image_release() {
    LC_ALL=C grep -a -o -m 1 'Linux version [0-9][^ ]*' "$1" 2>/dev/null \
        | head -n 1 | sed 's/^Linux version //'
}
# Kernel release a linux-image-<release>[-unsigned] package is for.
deb_release() {
    dpkg-deb -f "$1" Package 2>/dev/null | sed 's/^linux-image-//; s/-unsigned$//'
}
have_base() { is_image "$CACHE/Image" && [ -s "$CACHE/busybox" ]; }
# The modules are usable when they are for the Image's release (any release
# when that cannot be read from the Image, e.g. a pre-seeded custom one).
have_mods() {
    [ -f "$CACHE/modules/load-order" ] && [ -s "$CACHE/modules/release" ] || return 1
    is_image "$CACHE/Image" || return 0
    r=$(image_release "$CACHE/Image")
    [ -z "$r" ] || [ "$(cat "$CACHE/modules/release")" = "$r" ]
}

report() {
    echo "cache:   $CACHE"
    echo "Image:   $CACHE/Image ($(wc -c <"$CACHE/Image") bytes)"
    echo "busybox: $CACHE/busybox ($(wc -c <"$CACHE/busybox") bytes)"
    if have_mods; then
        echo "modules: $CACHE/modules ($(cat "$CACHE/modules/release"):" \
            "$(tr '\n' ' ' <"$CACHE/modules/load-order" | sed 's/ $//'))"
    else
        echo "modules: none (the block-device test needs them; run with --modules)"
    fi
    if [ -f "$CACHE/assets.txt" ]; then sed 's/^/         /' "$CACHE/assets.txt"; fi
}

pick_kernel_deb() {
    # newest linux-image-6.1.0-N-arm64[-unsigned] .deb already in the cache
    ls "$DEBS" 2>/dev/null | grep -E '^linux-image-6\.1\.0-[0-9]+-arm64(-unsigned)?_.*_arm64\.deb$' \
        | sort -V | tail -n 1
}
pick_busybox_deb() {
    ls "$DEBS" 2>/dev/null | grep -E '^busybox-static_.*_arm64\.deb$' | sort -V | tail -n 1
}

kdeb=$(pick_kernel_deb || true)
bdeb=$(pick_busybox_deb || true)

# What has to be (re-)extracted: the kernel package gives Image and modules,
# busybox-static gives busybox.
need_kernel='' need_bb='' image_too=1
is_image "$CACHE/Image" || need_kernel=1
[ -s "$CACHE/busybox" ] || need_bb=1
if [ -z "$need_kernel" ] && ! have_mods; then
    img_rel=$(image_release "$CACHE/Image")
    if [ -n "$kdeb" ] && command -v dpkg-deb >/dev/null 2>&1 \
        && [ "$(deb_release "$DEBS/$kdeb")" = "$img_rel" ]; then
        need_kernel=1 image_too=''   # modules only, from the Image's package
    elif [ -n "$want_mods" ]; then
        # Image and modules from one (possibly newer, downloaded) package.
        need_kernel=1
        if [ -n "$kdeb" ] && [ "$(deb_release "$DEBS/$kdeb")" != "$img_rel" ]; then
            echo "Image is ${img_rel:-of an unknown release}, $kdeb is not:" \
                "re-extracting Image and modules from it"
        fi
    elif [ -z "$need_bb" ]; then
        echo "assets already cached (no download); no kernel .deb for" \
            "${img_rel:-this Image} in $DEBS to take the modules from"
        report
        exit 0
    fi
fi

if [ -z "$need_kernel" ] && [ -z "$need_bb" ]; then
    echo "assets already cached (no download)"
    report
    exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi

dl_kernel='' dl_bb=''
[ -n "$need_kernel" ] && [ -z "$kdeb" ] && dl_kernel=1
[ -n "$need_bb" ] && [ -z "$bdeb" ] && dl_bb=1

if [ -n "$dl_kernel" ] || [ -n "$dl_bb" ]; then
    command -v apt-get >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1 \
        || skip "apt-get not available and no assets in $CACHE (pre-seed Image, busybox and modules there)"
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

    cands=''
    [ -n "$dl_kernel" ] && cands=$(kernel_candidates)
    if { [ -n "$dl_kernel" ] && [ -z "$cands" ]; } || { [ -n "$dl_bb" ] && ! have_busybox; }; then
        apt_update
        [ -n "$dl_kernel" ] && cands=$(kernel_candidates)
    fi
    if [ -n "$dl_kernel" ]; then
        [ -n "$cands" ] || skip "no linux-image-6.1.0-N-arm64 package known to apt (is the Debian 12 arm64 archive reachable?)"
    fi
    if [ -n "$dl_bb" ]; then
        have_busybox || skip "busybox-static:arm64 not known to apt"
    fi

    tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
    # apt-get download runs as root's _apt user when it can; a directory it
    # cannot write to only produces a warning, so make it writable.
    chmod 0777 "$tmp" 2>/dev/null || true

    if [ -n "$dl_kernel" ]; then
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
        kdeb=$(pick_kernel_deb)
        [ -n "$kdeb" ] || die "downloaded kernel package not found in $DEBS"
    fi
    if [ -n "$dl_bb" ]; then
        echo "downloading busybox-static:arm64 ..."
        (cd "$tmp" && apt-get download -q busybox-static:arm64 >"$CACHE/apt-download.log" 2>&1) \
            || skip "could not download busybox-static:arm64 (registry unreachable? see $CACHE/apt-download.log)"
        mv "$tmp"/busybox-static_*_arm64.deb "$DEBS"/
        bdeb=$(pick_busybox_deb)
        [ -n "$bdeb" ] || die "downloaded busybox package not found in $DEBS"
    fi
fi

command -v dpkg-deb >/dev/null 2>&1 || skip "dpkg-deb not available to unpack $DEBS"

x=$(mktemp -d "$CACHE/.x.XXXXXX")
mods_ok=''

if [ -n "$need_kernel" ]; then
    # Kernel: boot/vmlinuz-* (uncompressed Image on Debian arm64; gunzip if not).
    echo "extracting $kdeb ..."
    dpkg-deb -x "$DEBS/$kdeb" "$x/k"
    vmlinuz=$(ls "$x"/k/boot/vmlinuz-* 2>/dev/null | head -n 1)
    [ -n "$vmlinuz" ] || die "$kdeb has no boot/vmlinuz-*"
    kver=${vmlinuz##*/vmlinuz-}
    if [ -n "$image_too" ]; then
        if is_image "$vmlinuz"; then
            cp "$vmlinuz" "$x/Image"
        elif gzip -dc "$vmlinuz" >"$x/Image" 2>/dev/null && is_image "$x/Image"; then
            :
        else
            die "$vmlinuz is not an arm64 Image"
        fi
    fi
    # Modules: the virtio-mmio block driver stack, dependencies first.
    if ! command -v python3 >/dev/null 2>&1; then
        msg="python3 not found (needed to extract the modules)"
    elif [ ! -d "$x/k/lib/modules/$kver" ]; then
        msg="$kdeb has no lib/modules/$kver"
    elif python3 "$here/kmods.py" "$x/k/lib/modules/$kver" "$x/modules" $MODULES; then
        mods_ok=1 msg=''
    else
        msg="kmods.py could not extract $MODULES from $kdeb"
    fi
    if [ -n "$msg" ]; then
        [ -z "$want_mods" ] || skip "$msg"
        echo "note: $msg; the block-device test will skip"
    fi
    {
        echo "kernel_release=$kver"
        echo "kernel_package=$(dpkg-deb -f "$DEBS/$kdeb" Package) $(dpkg-deb -f "$DEBS/$kdeb" Version)"
        echo "kernel_deb=$kdeb ($(wc -c <"$DEBS/$kdeb") bytes)"
    } >"$x/kernel.txt"
    rm -rf "$x/k"
elif [ -f "$CACHE/assets.txt" ]; then
    grep '^kernel_' "$CACHE/assets.txt" >"$x/kernel.txt" || true
fi

if [ -n "$need_bb" ]; then
    dpkg-deb -x "$DEBS/$bdeb" "$x/b"
    [ -s "$x/b/bin/busybox" ] || die "$bdeb has no bin/busybox"
    cp "$x/b/bin/busybox" "$x/busybox"
    chmod 0755 "$x/busybox"
    {
        echo "busybox_package=$(dpkg-deb -f "$DEBS/$bdeb" Package) $(dpkg-deb -f "$DEBS/$bdeb" Version)"
        echo "busybox_deb=$bdeb ($(wc -c <"$DEBS/$bdeb") bytes)"
    } >"$x/busybox.txt"
elif [ -f "$CACHE/assets.txt" ]; then
    grep '^busybox_' "$CACHE/assets.txt" >"$x/busybox.txt" || true
fi
cat "$x/kernel.txt" "$x/busybox.txt" >"$x/assets.txt" 2>/dev/null || true

# Install atomically-ish: modules, busybox and assets.txt first, Image last
# (it is the "complete" flag checked above; the modules are only taken for
# the Image's release).
if [ -n "$mods_ok" ]; then
    rm -rf "$CACHE/modules.old"
    if [ -e "$CACHE/modules" ]; then mv "$CACHE/modules" "$CACHE/modules.old"; fi
    mv "$x/modules" "$CACHE/modules"
    rm -rf "$CACHE/modules.old"
fi
if [ -n "$need_bb" ]; then mv "$x/busybox" "$CACHE/busybox"; fi
mv "$x/assets.txt" "$CACHE/assets.txt"
if [ -n "$need_kernel" ] && [ -n "$image_too" ]; then mv "$x/Image" "$CACHE/Image"; fi
echo "assets extracted"
report
