#!/bin/bash
# The whole test suite: installs what is missing, builds twice (plain, and
# with AddressSanitizer + UndefinedBehaviorSanitizer), runs every unit and
# integration test under ctest in both builds, then the acceptance suite
# (../shared/conformance) on both builds.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
deploy/install-deps.sh
jobs=2

build () {   # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
}

build build
build build-asan -DFUNDCHAIN_SANITIZE=ON

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
echo "== ctest (plain build)"
ctest --test-dir build --output-on-failure -j"$jobs" || status=1
echo "== ctest (ASan + UBSan build)"
ctest --test-dir build-asan --output-on-failure -j"$jobs" || status=1
echo "== fuzz targets, a minute each (tests/fuzz/run.sh)"
bash tests/fuzz/run.sh 60 || status=1

conform="$top/../shared/conformance/conform.py"
if [ -f "$conform" ]; then
  for mode in --city-only "" --kill-city --restart-hub; do
    echo "== conformance ${mode:-(plain)} (plain build)"
    python3 "$conform" --bin build/bin $mode || status=1
  done
  for mode in --city-only ""; do
    echo "== conformance ${mode:-(plain)} (ASan + UBSan build)"
    python3 "$conform" --bin build-asan/bin --timeout 120 $mode || status=1
  done
else
  echo "conformance suite not found at $conform"; status=1
fi
if [ $status -eq 0 ]; then echo "ALL TESTS PASSED"; else echo "SOME TESTS FAILED"; fi
exit $status
