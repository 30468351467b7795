#!/bin/bash
# Runs every fuzz target for SECONDS each (default 60), two at a time, from
# its committed seed corpus (tests/fuzz/corpus/<target>, never modified):
# new inputs go to a scratch directory, crashes to its crashes/ directory.
# Fails when any target finds a crash, a leak, undefined behaviour or a
# timeout. Builds the fuzz configuration first when needed (clang).
#
#   bash tests/fuzz/run.sh [SECONDS]
#
# Settings (environment): FUZZ_BUILD  build directory (default build-fuzz)
#                         FUZZ_WORK   scratch directory, kept (default: a
#                                     temporary one, removed when all pass)
#                         FUZZ_JOBS   targets run at once (default 2)
#                         FUZZ_TARGETS  names to run (default: all)
#                         FUZZ_WERROR ON (default): warnings are errors
#                                     in the fuzz build; OFF: they are not
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
build="${FUZZ_BUILD:-$top/build-fuzz}"
jobs="${FUZZ_JOBS:-2}"
all="csvimport decimal report_decode evaluation_decode city_ingest hub_ingest hub_query
     envelope_ack outbox_entry framework"
targets="${FUZZ_TARGETS:-$all}"
case "$seconds" in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

if ! command -v clang >/dev/null; then
  echo "FAIL fuzz: clang is not installed (deploy/install-deps.sh installs it)"; exit 1
fi
echo "== fuzz build ($build)"
CC=clang cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFUNDCHAIN_FUZZ=ON -DFUNDCHAIN_SANITIZE=ON -DFUNDCHAIN_WERROR="${FUZZ_WERROR:-ON}" >/dev/null
if ! log="$(cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' $targets) 2>&1)"; then
  printf '%s\n' "$log" | grep -v '^\[' | tail -40
  echo "FAIL fuzz: the fuzz build failed ($build)"; exit 1
fi

keep=1
if [ -z "${FUZZ_WORK:-}" ]; then
  FUZZ_WORK="$(mktemp -d "${TMPDIR:-/tmp}/fundchain-fuzz.XXXXXX")"
  keep=0
fi
work="$FUZZ_WORK"
mkdir -p "$work/crashes"
touch "$work/started"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1:print_stacktrace=1"

# Runs one target; its log goes to $work/NAME.log, its exit status to $work/NAME.rc.
fuzz_one () {
  local name="fuzz_$1" dict=()
  rm -f "$work/$name.rc" "$work/$name.log"
  mkdir -p "$work/corpus/$name"
  [ -f "$top/tests/fuzz/$name.dict" ] && dict=(-dict="$top/tests/fuzz/$name.dict")
  set +e
  "$build/fuzz/$name" "$work/corpus/$name" "$top/tests/fuzz/corpus/$name" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/crashes/$name-" >"$work/$name.log" 2>&1
  echo $? >"$work/$name.rc"
}

echo "== fuzzing ${seconds}s per target, $jobs at a time (scratch: $work)"
for t in $targets; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_one "$t" &
done
wait

status=0
for t in $targets; do
  name="fuzz_$t"
  rc="$(cat "$work/$name.rc" 2>/dev/null || echo 1)"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$work/$name.log" | tail -1)"
  if [ "$rc" = 0 ]; then
    echo "ok   $name (${runs:-?} runs, ${cov:-cov: ?})"
  else
    echo "FAIL $name (exit $rc): log $work/$name.log"
    grep -E -A12 'ERROR: |runtime error|check failed' "$work/$name.log" | head -40 || true
    status=1
  fi
done
find "$work/crashes" -type f -newer "$work/started" | sed 's|^|found: |'
if [ $status -eq 0 ] && [ $keep -eq 0 ]; then rm -rf "$work"; fi
[ $status -eq 0 ] || echo "fuzz: failures kept in $work"
exit $status
