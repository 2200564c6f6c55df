#!/usr/bin/env bash
# Coverage of the core (hv/) from every test that runs it on the host: the
# unit tests (fake HAL), the simulator scenarios and config checks (hvsim),
# and the fuzz regression replays when the fuzz suite exists
# (docs/analysis.md).
#
# usage: tests/coverage.sh [BUILD_DIR]        (default: build-cov)
#   1. configures BUILD_DIR with -Db_coverage=true --buildtype=debug
#      (unoptimized, so that line and branch counts match the source) unless
#      it exists, builds it and deletes old counters (*.gcda);
#   2. runs the suites unit, sim, config (and fuzz);
#   3. writes meson's lcov report of the whole tree (ninja coverage-html:
#      BUILD_DIR/meson-logs/coveragereport/index.html) and an hv/-only
#      report (BUILD_DIR/coverage-hv/index.html), and prints the hv/
#      summary: per file, then lines and branches.
# Exit: 0 when the tests pass and hv/ reaches the targets (COV_MIN_LINES,
# default 90, and COV_MIN_BRANCHES, default 80, percent); 1 otherwise;
# 77 without gcovr.
set -uo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
build=${1:-build-cov}
min_lines=${COV_MIN_LINES:-90}
min_branches=${COV_MIN_BRANCHES:-80}

command -v gcovr > /dev/null ||
	{ echo "SKIP: gcovr not found (install gcovr)"; exit 77; }

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Db_coverage=true --buildtype=debug || exit 1
elif ! meson introspect --buildoptions "$build" |
	python3 -c 'import json,sys; sys.exit(not any(o["name"] == "b_coverage" and o["value"] for o in json.load(sys.stdin)))'; then
	echo "coverage: $build exists without b_coverage; enabling it"
	meson configure "$build" -Db_coverage=true || exit 1
fi
status=0
# -k 0: a target that does not build (work in progress elsewhere) fails
# only the tests that need it.
ninja -C "$build" -k 0 ||
	{ echo "coverage: the build had errors; continuing with what was built"; status=1; }
find "$build" -name '*.gcda' -delete

suites=(--suite unit --suite sim --suite config)
if meson test -C "$build" --no-rebuild --list 2> /dev/null | grep -q '^cellvisor:fuzz '; then
	suites+=(--suite fuzz)
fi
meson test -C "$build" --no-rebuild --print-errorlogs "${suites[@]}" ||
	{ echo "coverage: some tests failed (counts below are still valid)"; status=1; }

if command -v lcov > /dev/null && command -v genhtml > /dev/null; then
	ninja -C "$build" coverage-html > "$build/meson-logs/coverage-html.log" 2>&1 ||
		{ echo "coverage: ninja coverage-html failed, see $build/meson-logs/coverage-html.log"; status=1; }
else
	echo "coverage: lcov/genhtml not found (install lcov): no whole-tree report"
fi

# hv/ only: lines and branches as gcov counts them at -O0.
gcovr_args=(-r "$src" "$build" --filter "$src/hv/")
mkdir -p "$build/coverage-hv"
gcovr "${gcovr_args[@]}" --html-details "$build/coverage-hv/index.html" > /dev/null || status=1
echo
echo "--- hv/ coverage (uncovered lines per file; branches: gcovr -b)"
gcovr "${gcovr_args[@]}" --sort-uncovered --print-summary |
	tee "$build/coverage-hv/summary.txt" || status=1
summary=$(tail -n 3 "$build/coverage-hv/summary.txt")
lines=$(echo "$summary" | sed -n 's/^lines: \([0-9.]*\)%.*/\1/p')
branches=$(echo "$summary" | sed -n 's/^branches: \([0-9.]*\)%.*/\1/p')
echo "reports: $build/coverage-hv/index.html (hv/), $build/meson-logs/coveragereport/index.html (all)"
if [ -z "$lines" ] || [ -z "$branches" ]; then
	echo "coverage: no summary from gcovr"
	exit 1
fi
if awk -v l="$lines" -v b="$branches" -v ml="$min_lines" -v mb="$min_branches" \
	'BEGIN { exit !(l >= ml && b >= mb) }'; then
	echo "coverage: hv/ lines $lines% >= $min_lines%, branches $branches% >= $min_branches%"
else
	echo "coverage: hv/ BELOW TARGET: lines $lines% (want $min_lines%), branches $branches% (want $min_branches%)"
	status=1
fi
exit $status
