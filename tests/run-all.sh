#!/bin/bash
# The whole test suite: installs what is missing, builds three times with
# warnings as errors (-DFUNDCHAIN_WERROR=ON): gcc RelWithDebInfo (build/),
# gcc Release (-O3, whose warnings differ; with -g) with AddressSanitizer +
# UndefinedBehaviorSanitizer (build-asan/) and clang Release (build-clang/);
# the fuzz build adds clang with the sanitizers. Runs every unit and
# integration test under ctest in the first two, the unit tests in the
# clang build, the fuzz targets for a minute each, then the acceptance suite
# (../shared/conformance) on the first two when that folder exists (it is
# not part of this repository; without it the suite is skipped, not failed).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
deploy/install-deps.sh
jobs=2

build () {   # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DFUNDCHAIN_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
}

echo "== build (gcc, RelWithDebInfo)"
CC=gcc build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== build (gcc, Release, ASan + UBSan)"
CC=gcc build build-asan -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g -DFUNDCHAIN_SANITIZE=ON
echo "== build (clang, Release)"
CC=clang build build-clang -DCMAKE_BUILD_TYPE=Release

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
echo "== ctest (plain build)"
ctest --test-dir build --output-on-failure -j"$jobs" || status=1
pkg_skip=""   # the package test installs and purges packages for real
command -v dpkg >/dev/null || pkg_skip="dpkg is missing"
[ "$(id -u)" -eq 0 ] || pkg_skip="not root (it installs the packages with dpkg)"
if [ -z "$pkg_skip" ]; then
  echo "== Debian packages: build, install, upgrade, run, remove, purge (plain build)"
  bash tests/package/test_package.sh build || status=1
else
  echo "== Debian packages: SKIPPED, $pkg_skip"
fi
echo "== ctest (ASan + UBSan build)"
ctest --test-dir build-asan --output-on-failure -j"$jobs" || status=1
echo "== ctest unit tests (clang build)"
ctest --test-dir build-clang --output-on-failure -j"$jobs" -R '^unit\.' || status=1
echo "== fuzz targets, a minute each (tests/fuzz/run.sh)"
bash tests/fuzz/run.sh 60 || status=1

suite="$(dirname "$top")/shared/conformance"
conform="$suite/conform.py"
if [ -d "$suite" ]; then
  for mode in --city-only "" --kill-city --restart-hub; do
    echo "== conformance ${mode:-(plain)} (plain build)"
    python3 "$conform" --bin build/bin $mode || status=1
  done
  for mode in --city-only ""; do
    echo "== conformance ${mode:-(plain)} (ASan + UBSan build)"
    python3 "$conform" --bin build-asan/bin --timeout 120 $mode || status=1
  done
else
  echo "== conformance: SKIPPED, $suite does not exist"
  echo "   (the acceptance suite is not part of this repository; ctest above ran everything that is)"
fi
if [ $status -eq 0 ]; then echo "ALL TESTS PASSED"; else echo "SOME TESTS FAILED"; fi
exit $status
