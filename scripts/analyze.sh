#!/usr/bin/env bash
# Static analysis of the core (hv/) and both HALs (hal/sim, hal/baremetal)
# with three tools (docs/analysis.md):
#   gcc -fanalyzer   host gcc for hv/ and hal/sim, the aarch64 cross gcc
#                    for hal/baremetal (its inline assembly is aarch64)
#   clang-tidy       checks and their exclusions in .clang-tidy; the
#                    bare-metal HAL with --target=aarch64-linux-gnu
#   cppcheck         warning, style, performance and portability
# Compile flags are given here explicitly (the bare-metal HAL is built by
# custom targets, so it is not in meson's compile_commands.json); they
# mirror hv/meson.build, hal/sim/meson.build and meson/cross/meson.build.
#
# usage: scripts/analyze.sh [--tool gcc|clang-tidy|cppcheck]... [--jobs N]
#                           [--out DIR]
# Runs every tool unless --tool is given. Prints each finding, then one
# summary line per tool. Exit: 0 clean, 1 on any finding or tool failure,
# 77 (meson's "skipped") when nothing was found but a tool is missing.
# Run by `ninja -C build analyze` and by `meson test --suite analyze`.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

tools=()
jobs=$(nproc 2>/dev/null || echo 2)
out=''
while [ $# -gt 0 ]; do
	case "$1" in
	--tool) tools+=("$2"); shift 2 ;;
	--jobs) jobs="$2"; shift 2 ;;
	--out) out="$2"; shift 2 ;;
	-h | --help) sed -n '2,19p' "$0"; exit 0 ;;
	*) echo "analyze: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ ${#tools[@]} -eq 0 ] && tools=(gcc clang-tidy cppcheck)
keep=' (kept)'
if [ -z "$out" ]; then
	out=$(mktemp -d)
	keep=' (removed; --out DIR keeps them)'
	trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

HV_SRC=(hv/src/*.c)
SIM_SRC=(hal/sim/*.c)
BM_SRC=(hal/baremetal/*.c)

# libfdt.h for the aarch64 sources: the copy scripts/setup.sh unpacks,
# else the host's (libfdt.h is architecture-independent; libfdt_env.h then
# takes <stdlib.h> from the cross sysroot), as meson/cross/meson.build does.
BM_FDT_INC=/usr/include
[ -f .deps/aarch64/usr/include/libfdt.h ] && BM_FDT_INC=$ROOT/.deps/aarch64/usr/include

HV_FLAGS=(-std=c11 -ffreestanding -I"$ROOT/hv/include")
SIM_FLAGS=(-std=c11 -I"$ROOT/hv/include" -I"$ROOT/hal/sim")
BM_FLAGS=(-std=c11 -ffreestanding -fno-pie -mgeneral-regs-only
	-I"$ROOT/hv/include" -I"$ROOT/hal/trace" -I"$ROOT/hal/baremetal"
	-idirafter "$BM_FDT_INC")
CROSS_CC=${CROSS_CC:-aarch64-linux-gnu-gcc}

# Findings accepted in files this script's owners may not annotate (a
# NOLINT or cppcheck-suppress comment at the line is preferred): one ERE
# per finding, matched against "file:line:col: kind: message [check]",
# each with its reason. Keep this list short.
SUPPRESS=(
	# out[] is a length-delimited line buffer, sent with put(out, o) and
	# never read as a C string: the "cellvisor-trace: " prefix is copied
	# without its NUL on purpose.
	'^hal/baremetal/trace_ring\.c:[0-9]+:[0-9]+: warning: the result from calling .memcpy. is not null-terminated \[bugprone-not-null-terminated-result\]$'
)

missing=()
failed=()
summary=()

# Prints the distinct findings of a log: lines "file:line:col: kind: ...",
# compiler and tool errors included, each once (headers recur per file).
findings() {
	grep -E '^[^ :]+:[0-9]+:[0-9]+: (warning|error|style|performance|portability):' "$@" |
		sed "s|^$ROOT/||" | sort -u |
		grep -v -E -f <(printf '%s\n' "${SUPPRESS[@]}")
}

# One command per file, $jobs at a time: run_each LOG CMD... ::: FILES...
# "{}" in CMD stands for the file; each file's output goes to LOG.d/.
run_each() {
	local log="$1"
	shift
	local cmd=()
	while [ "$1" != ::: ]; do cmd+=("$1"); shift; done
	shift
	rm -rf "$log.d"
	mkdir -p "$log.d"
	printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c \
		'd="$1"; f="$2"; shift 2; l="$d/$(echo "$f" | tr / _).log"
		"$@" > "$l" 2>&1 || echo "$f:0:0: error: $1 exited $?" >> "$l"' \
		sh "$log.d" {} "${cmd[@]}"
	cat "$log.d"/*.log > "$log" 2>/dev/null
}

report() { # report TOOL LOG NOTE
	local n
	n=$(findings "$2" | wc -l)
	findings "$2"
	summary+=("$(printf '%-14s %3d finding(s)%s' "$1:" "$n" "$3")")
	[ "$n" -eq 0 ] || failed+=("$1")
}

run_gcc() {
	local log="$out/gcc-fanalyzer.log" note=''
	: > "$log"
	if ! command -v gcc > /dev/null; then
		missing+=("gcc (install gcc)")
		return
	fi
	# -S to /dev/null: the analyzer runs on GIMPLE; no object is needed.
	run_each "$log.hv" gcc -O2 -fanalyzer "${HV_FLAGS[@]}" -S -o /dev/null {} \
		::: "${HV_SRC[@]}"
	run_each "$log.sim" gcc -O2 -fanalyzer "${SIM_FLAGS[@]}" -S -o /dev/null {} \
		::: "${SIM_SRC[@]}"
	cat "$log.hv" "$log.sim" > "$log"
	if command -v "$CROSS_CC" > /dev/null; then
		run_each "$log.bm" "$CROSS_CC" -O2 -fanalyzer "${BM_FLAGS[@]}" \
			-mno-outline-atomics -S -o /dev/null {} ::: "${BM_SRC[@]}"
		cat "$log.bm" >> "$log"
	else
		note=" (hal/baremetal skipped: no $CROSS_CC)"
		missing+=("$CROSS_CC (install gcc-aarch64-linux-gnu)")
	fi
	report "gcc -fanalyzer" "$log" "$note"
}

run_tidy() {
	local log="$out/clang-tidy.log"
	: > "$log"
	if ! command -v clang-tidy > /dev/null; then
		missing+=("clang-tidy (install clang-tidy)")
		return
	fi
	# Configuration: .clang-tidy (found from each file's directory).
	# "clang-tidy FILE -- FLAGS": explicit flags, no compile database.
	run_each "$log.hv" clang-tidy --quiet {} -- "${HV_FLAGS[@]}" \
		::: "${HV_SRC[@]}"
	run_each "$log.sim" clang-tidy --quiet {} -- "${SIM_FLAGS[@]}" \
		::: "${SIM_SRC[@]}"
	run_each "$log.bm" clang-tidy --quiet {} -- \
		--target=aarch64-linux-gnu "${BM_FLAGS[@]}" ::: "${BM_SRC[@]}"
	cat "$log.hv" "$log.sim" "$log.bm" > "$log"
	report clang-tidy "$log" ''
}

run_cppcheck() {
	local log="$out/cppcheck.log"
	: > "$log"
	if ! command -v cppcheck > /dev/null; then
		missing+=("cppcheck (install cppcheck)")
		return
	fi
	local common=(--enable=warning,style,performance,portability
		--inline-suppr --std=c11 --quiet -j "$jobs"
		--template='{file}:{line}:{column}: {severity}: {message} [{id}]'
		# variableScope: the project declares a function's variables at
		# the top of the block (kernel style); narrowing their scope is
		# style advice, not a defect.
		--suppress=variableScope
		# badBitmaskCheck: fires on `x | NAMED_CONSTANT` when the named
		# constant happens to be 0 (HV_VERSION_MINOR, flag sets); the
		# name documents the field, so the OR is intended.
		--suppress=badBitmaskCheck
		# comparePointers: bm_pool_end - bm_pool_start subtracts two
		# linker-script symbols delimiting one region (hal_mem_pool).
		--suppress=comparePointers:hal/baremetal/hal.c)
	# All #ifdef configurations of the core (HV_INJECT_BUG included).
	cppcheck "${common[@]}" --platform=unix64 -Ihv/include "${HV_SRC[@]}" \
		> "$log.hv" 2>&1 || failed+=("cppcheck (exit $?)")
	cppcheck "${common[@]}" --platform=unix64 -Ihv/include -Ihal/sim \
		"${SIM_SRC[@]}" > "$log.sim" 2>&1 || failed+=("cppcheck (exit $?)")
	cppcheck "${common[@]}" --platform=unix64 -D__aarch64__ -Ihv/include \
		-Ihal/trace -Ihal/baremetal "${BM_SRC[@]}" > "$log.bm" 2>&1 ||
		failed+=("cppcheck (exit $?)")
	cat "$log.hv" "$log.sim" "$log.bm" > "$log"
	report cppcheck "$log" ''
}

for t in "${tools[@]}"; do
	case "$t" in
	gcc) run_gcc ;;
	clang-tidy) run_tidy ;;
	cppcheck) run_cppcheck ;;
	*) echo "analyze: unknown tool '$t' (gcc, clang-tidy, cppcheck)" >&2; exit 2 ;;
	esac
done

echo "--- analyze: ${#HV_SRC[@]} hv/, ${#SIM_SRC[@]} hal/sim, ${#BM_SRC[@]} hal/baremetal files; logs in $out$keep"
for s in "${summary[@]}"; do echo "$s"; done
for m in "${missing[@]}"; do echo "missing:       $m"; done
if [ ${#failed[@]} -gt 0 ]; then
	echo "analyze: FAILED (${failed[*]})"
	exit 1
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "SKIP: analyze incomplete, missing ${missing[*]}"
	exit 77
fi
echo "analyze: clean"
