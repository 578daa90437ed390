#!/bin/bash
# Install what the build and the tests need (Debian 12, as root), build
# with -Werror, run every test, then again under ASan+UBSan, then the static
# and documentation checks and a short fuzzing run. The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install-deps.sh --tests

jobs=$(nproc)
echo "== build (-Werror)"
cmake -S . -B build/ci -DOPS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/ci -j "$jobs"
echo "== tests"
(cd build/ci && ctest --output-on-failure -j "$jobs")

echo "== build and tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build/asan -DOPS_WERROR=ON -DOPS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/asan -j "$jobs"
(cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j "$jobs")

# variableScope is off: declarations at the top of a function are the
# house style (style(9)), which that check argues against.
echo "== cppcheck"
cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
	--inline-suppr --std=c11 -D_GNU_SOURCE -DOPS_VERSION='"ci"' \
	--suppress=missingIncludeSystem \
	--suppress=variableScope -I lib lib cmd tests/agent-sim tests/unit

echo "== man pages (groff -wall)"
for page in dharmic-ops.1 man/*.[15]; do
	out=$(groff -wall -man -Tutf8 -z "$page" 2>&1) || { echo "$page: groff failed"; exit 1; }
	[ -z "$out" ] || { echo "$page:"; echo "$out"; exit 1; }
done

if command -v clang >/dev/null; then
	echo "== fuzzing (libFuzzer, 20 s per harness)"
	CC=clang cmake -S . -B build/fuzz -DOPS_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build/fuzz -j "$jobs"
	for f in build/fuzz/tests/fuzz_*; do
		[ -x "$f" ] || continue
		corpus=tests/fuzz/corpus/$(basename "$f")
		mkdir -p "build/fuzz/corpus-$(basename "$f")"
		"$f" -max_total_time=20 -timeout=5 "build/fuzz/corpus-$(basename "$f")" \
			$( [ -d "$corpus" ] && echo "$corpus" ) 2>&1 | tail -2
	done
fi
echo "== all checks passed"
