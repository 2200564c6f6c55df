#!/bin/sh
# Checks that every C file of the project is formatted per .clang-format
# (clang-format 14, Debian 12). Used by `meson test` (test "format"); fix
# with: clang-format -i $(git ls-files '*.c' '*.h' | grep -v '^tests/linux/')
# Exit 0 clean, 1 with the offending files listed, 77 without clang-format.
set -u
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null 2>&1 \
	|| { echo "SKIP: clang-format not found (install clang-format)"; exit 77; }
files=$(find hv hal sim tests/unit guests -name '*.[ch]' | sort)
bad=''
for f in $files; do
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
if [ -n "$bad" ]; then
	echo "not formatted per .clang-format:$bad"
	echo "fix: clang-format -i$bad"
	exit 1
fi
echo "format: $(echo "$files" | wc -w) files clean"
