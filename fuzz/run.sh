#!/bin/sh
# Starts an AFL++ campaign on one harness and prints its figures at the end.
#
#   fuzz/run.sh HARNESS DURATION [JOBS]
#
# HARNESS   hypercall | fault | sysreg | config | trace
# DURATION  seconds, or with a unit: 90s, 10m, 1h
# JOBS      AFL++ instances (default 1): one main (-M main) and JOBS-1
#           secondaries (-S secN), all sharing the sync directory
#           fuzz/out-HARNESS/ (resumed when it exists)
#
# The harness comes from $FUZZ_BUILD (default: build-fuzz, configured with
# CC=afl-clang-fast; fuzz/README.md), which is set up and built if
# missing. Seeds: fuzz/corpus/HARNESS and fuzz/regressions/HARNESS.
# Environment: FUZZ_BUILD, FUZZ_OUT (sync directory), FUZZ_TIMEOUT_MS (per
# input, default 100), AFL_* as usual.
# At the end: execs/s (each instance and the sum), paths (corpus count),
# crashes and hangs, read from each instance's fuzzer_stats. Exit 0, or 3
# when crashes were saved (their files are listed), 2 on usage errors.
set -eu

usage() {
	echo "usage: $0 HARNESS DURATION [JOBS]" >&2
	exit 2
}
[ $# -ge 2 ] && [ $# -le 3 ] || usage
harness=$1
case $harness in
hypercall | fault | sysreg | config | trace) ;;
*)
	echo "$0: unknown harness '$harness'" >&2
	usage
	;;
esac
case $2 in
*h) secs=$((${2%h} * 3600)) ;;
*m) secs=$((${2%m} * 60)) ;;
*s) secs=${2%s} ;;
*) secs=$2 ;;
esac
jobs=${3:-1}
[ "$secs" -gt 0 ] && [ "$jobs" -gt 0 ] || usage

root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
out=${FUZZ_OUT:-$root/fuzz/out-$harness}
bin=$build/fuzz/fuzz-$harness

command -v afl-fuzz >/dev/null 2>&1 || {
	echo "$0: afl-fuzz not found: apt-get install -y afl++" >&2
	exit 1
}
if [ ! -f "$build/build.ninja" ]; then
	echo "run.sh: setting up $build (CC=afl-clang-fast)"
	CC=afl-clang-fast meson setup "$build" "$root" -Dcross_cc=none >/dev/null
fi
log=$(ninja -C "$build" "fuzz/fuzz-$harness" 2>&1) || {
	echo "$log" >&2
	echo "$0: building $bin failed" >&2
	exit 1
}

# Seeds: the corpus plus every saved crash (a regression must stay fixed).
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
for d in "$root/fuzz/corpus/$harness" "$root/fuzz/regressions/$harness"; do
	[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' \
		-exec cp {} "$seeds/" \;
done
[ -n "$(ls "$seeds")" ] || printf '\0' >"$seeds/empty"

dict=
[ -f "$root/fuzz/dict/$harness.dict" ] && dict="-x $root/fuzz/dict/$harness.dict"

export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
	AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_AUTORESUME=1
# Sanitizer builds: abort on the first report so AFL++ records a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:symbolize=0}
mkdir -p "$out"
echo "run.sh: $harness for ${secs}s, $jobs instance(s), sync dir $out"
pids=
for i in $(seq 1 "$jobs"); do
	if [ "$i" -eq 1 ]; then role="-M main"; name=main; else
		role="-S sec$i"; name=sec$i; fi
	# shellcheck disable=SC2086
	timeout -k 10 $((secs + 120)) afl-fuzz -i "$seeds" -o "$out" $role \
		-V "$secs" -m none -t "${FUZZ_TIMEOUT_MS:-100}" $dict \
		-- "$bin" >"$out/$name.log" 2>&1 &
	pids="$pids $!"
done
status=0
for p in $pids; do
	wait "$p" || status=$?
done
[ "$status" -eq 0 ] || echo "run.sh: an afl-fuzz instance exited with $status (see $out/*.log)"

# The figures, from each instance's fuzzer_stats.
stat() { sed -n "s/^$2 *: *//p" "$1" | head -n 1; }
total_eps=0 crashes=0 hangs=0
printf '%-8s %12s %12s %8s %8s %8s %10s %8s\n' instance execs_done \
	execs/s paths crashes hangs stability coverage
for f in "$out"/*/fuzzer_stats; do
	[ -f "$f" ] || continue
	inst=$(basename "$(dirname "$f")")
	eps=$(stat "$f" execs_per_sec)
	c=$(stat "$f" saved_crashes)
	h=$(stat "$f" saved_hangs)
	printf '%-8s %12s %12s %8s %8s %8s %10s %8s\n' "$inst" \
		"$(stat "$f" execs_done)" "$eps" "$(stat "$f" corpus_count)" \
		"$c" "$h" "$(stat "$f" stability)" "$(stat "$f" bitmap_cvg)"
	total_eps=$(awk "BEGIN { print $total_eps + $eps }")
	crashes=$((crashes + c))
	hangs=$((hangs + h))
done
paths=$(find "$out" -path '*/queue/id:*' -type f 2>/dev/null | wc -l)
echo "run.sh: $harness: $total_eps execs/s in all, $paths paths (queue entries, all instances), $crashes crashes, $hangs hangs"
if [ "$crashes" -gt 0 ]; then
	echo "run.sh: crashes (replay one: $build/fuzz/fuzz-$harness FILE; keep it in fuzz/regressions/$harness/):"
	find "$out" -path '*/crashes/id:*' -type f
	exit 3
fi
exit 0
