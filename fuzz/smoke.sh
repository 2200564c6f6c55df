#!/bin/sh
# The CI smoke test (meson test --suite fuzz-smoke): a short AFL++ campaign
# of one harness. Fails if it finds a crash or does not run; exit 77
# (skip) when AFL++ is not installed.
#
#   fuzz/smoke.sh BUILD_ROOT afl|plain [HARNESS [SECONDS]]
#
# "afl": BUILD_ROOT was configured with afl-clang-fast and holds the
# harness; "plain": an AFL++ build is set up in BUILD_ROOT/fuzz/afl-smoke.
set -u
[ $# -ge 2 ] || { echo "usage: $0 BUILD_ROOT afl|plain [HARNESS [SECONDS]]" >&2; exit 2; }
build_root=$1
kind=$2
harness=${3:-hypercall}
secs=${4:-60}
root=$(cd "$(dirname "$0")/.." && pwd)

for tool in afl-fuzz afl-clang-fast; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "SKIP: $tool not found: install AFL++ (apt-get install -y afl++) to run the fuzz smoke campaign"
		exit 77
	}
done
if [ "$kind" = afl ]; then
	FUZZ_BUILD=$build_root
else
	FUZZ_BUILD=$build_root/fuzz/afl-smoke
fi
FUZZ_OUT=$build_root/fuzz/smoke-out-$harness
export FUZZ_BUILD FUZZ_OUT
rm -rf "$FUZZ_OUT"
"$root/fuzz/run.sh" "$harness" "$secs" 1
rc=$?
case $rc in
0) ;;
3)
	echo "FAIL: the smoke campaign found crashes (listed above)"
	exit 1
	;;
*)
	echo "FAIL: fuzz/run.sh exited with $rc"
	exit 1
	;;
esac
done_execs=$(sed -n 's/^execs_done *: *//p' "$FUZZ_OUT/main/fuzzer_stats" 2>/dev/null)
if [ -z "$done_execs" ] || [ "$done_execs" -eq 0 ]; then
	echo "FAIL: no executions recorded in $FUZZ_OUT/main/fuzzer_stats"
	exit 1
fi
echo "fuzz-smoke: $harness ran $done_execs inputs in ${secs}s, no crash"
