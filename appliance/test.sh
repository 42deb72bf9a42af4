#!/usr/bin/env bash
# The test command: install what is missing, then build and run all of ctest
# three ways: the normal build (-Werror), an ASan+UBSan build, and a clang
# libFuzzer build that runs every fuzz target briefly from its seed corpus.
#   appliance/test.sh            everything (what CI runs)
#   appliance/test.sh --quick    normal build only
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
JOBS="$(nproc 2>/dev/null || echo 2)"

bash appliance/setup.sh

step() { printf '\n=== %s ===\n' "$*"; }

run_build() { # dir, extra cmake args...
  local dir="$1"; shift
  cmake -S "$ROOT" -B "$dir" -DSOC_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$JOBS"
}

step "build (RelWithDebInfo, -Wall -Wextra -Werror)"
run_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
step "ctest"
ctest --test-dir build --output-on-failure -j"$JOBS" -LE fuzz

if [ "$QUICK" = 1 ]; then exit 0; fi

step "build with AddressSanitizer + UndefinedBehaviorSanitizer"
run_build build-asan -DCMAKE_BUILD_TYPE=Debug -DSOC_SANITIZE=ON
step "ctest under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$JOBS" -LE fuzz

step "libFuzzer targets (clang), ${SOC_FUZZ_SECONDS:-60}s each"
run_build build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DSOC_FUZZ=ON \
  -DSOC_FUZZ_SECONDS="${SOC_FUZZ_SECONDS:-60}"
ctest --test-dir build-fuzz --output-on-failure -j"$JOBS" -L fuzz
