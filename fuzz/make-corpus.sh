#!/bin/sh
# Rebuilds the seed corpora fuzz/corpus/HARNESS (all harnesses by default):
# the hand-made seeds (fuzz-seedgen), the config blobs of configs/*.dts and
# tests/configs/*.dts (dtc), the current corpus, and the queue of a
# campaign in fuzz/out-HARNESS/ if there is one; minimised with afl-cmin
# against the AFL++ build ($FUZZ_BUILD, default build-fuzz), for edge
# coverage only (-e: hit counts ignored, which keeps the corpus small).
#
#   fuzz/make-corpus.sh [HARNESS...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
[ $# -gt 0 ] || set -- hypercall fault sysreg config trace
command -v afl-cmin >/dev/null 2>&1 || {
	echo "$0: afl-cmin not found: apt-get install -y afl++" >&2
	exit 1
}
if [ ! -f "$build/build.ninja" ]; then
	CC=afl-clang-fast meson setup "$build" "$root" -Dcross_cc=none >/dev/null
fi
ninja -C "$build" fuzz >/dev/null
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
	AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1

# afl-cmin refuses to work in /tmp: a scratch directory in the build.
work=$build/fuzz/corpus-work
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
"$build/fuzz/fuzz-seedgen" "$work/gen"
for h in "$@"; do
	raw=$work/raw-$h
	mkdir -p "$raw"
	[ -d "$work/gen/$h" ] && cp "$work/gen/$h"/* "$raw/"
	if [ "$h" = config ] && command -v dtc >/dev/null 2>&1; then
		for dts in "$root"/configs/*.dts "$root"/tests/configs/*.dts; do
			dtc -q -I dts -O dtb -o "$raw/$(basename "$dts" .dts).dtb" \
				"$dts" 2>/dev/null || true
		done
	fi
	for d in "$root/fuzz/corpus/$h" "$root"/fuzz/out-"$h"/*/queue; do
		[ -d "$d" ] || continue
		find "$d" -maxdepth 1 -type f ! -name '.*' | while read -r f; do
			cp "$f" "$raw/$(basename "$d")-$(basename "$f" | tr ':,' '__')"
		done
	done
	FUZZ_STDIN=1 afl-cmin -e -i "$raw" -o "$work/min-$h" -m none -t 1000 -- \
		"$build/fuzz/fuzz-$h" >"$work/cmin-$h.log" 2>&1 || {
		cat "$work/cmin-$h.log" >&2
		exit 1
	}
	# Stable short names: the content's hash.
	rm -rf "$root/fuzz/corpus/$h"
	mkdir -p "$root/fuzz/corpus/$h"
	for f in "$work/min-$h"/*; do
		cp "$f" "$root/fuzz/corpus/$h/$(sha1sum "$f" | cut -c1-16)"
	done
	echo "make-corpus: $h: $(ls "$raw" | wc -l) inputs -> $(ls "$root/fuzz/corpus/$h" | wc -l) ($(du -sk "$root/fuzz/corpus/$h" | cut -f1) KiB)"
done
