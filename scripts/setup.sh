#!/usr/bin/env bash
# Sets up a Debian 12 machine for Cellvisor and builds it:
#   1. installs the packages (apt-get; uses sudo when not root),
#   2. unpacks Debian's arm64 libfdt into .deps/ for the EL2 image
#      (libfdt-dev:arm64 cannot be installed beside libfdt-dev:amd64),
#   3. configures build/ with meson (if absent) and builds everything.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

# libc6-dev-arm64-cross: libfdt_env.h (used by the EL2 image's config parser)
# includes <stdlib.h> and <string.h>; without it the cross compiler falls back
# to the host's /usr/include and the image build fails.
PACKAGES=(
	meson ninja-build pkg-config gcc libc6-dev python3
	libunicorn-dev libfdt-dev check device-tree-compiler
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
	cpio lcov gcovr clang-format clang-tidy cppcheck afl++
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	$SUDO apt-get update
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

LIBFDT_A=.deps/aarch64/usr/lib/aarch64-linux-gnu/libfdt.a
if [ ! -f "$LIBFDT_A" ]; then
	echo "setup: fetching Debian's libfdt-dev:arm64 into .deps/"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$SUDO dpkg --add-architecture arm64
		$SUDO apt-get update
	fi
	tmp=$(mktemp -d)
	chmod 755 "$tmp" # apt's sandbox user must be able to write here
	(cd "$tmp" && apt-get download libfdt-dev:arm64)
	mkdir -p .deps/aarch64
	dpkg-deb -x "$tmp"/libfdt-dev_*_arm64.deb .deps/aarch64
	rm -rf "$tmp"
fi

if [ ! -f build/build.ninja ]; then
	meson setup build
fi
ninja -C build
echo "setup: done. Run the demo: build/sim/hvsim build/guests/demo.dtb ; the tests: meson test -C build"
