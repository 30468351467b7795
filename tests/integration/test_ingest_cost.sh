#!/bin/bash
# Integration test (issue 8): tests/tools/ingest_cost, the city's per-report
# CPU without network and evaluation, runs on a real LMDB for both
# workloads, takes every message, and prints sane figures (a positive cost
# for each part; never a speed: that is the benchmark's to measure).
set -uo pipefail
bin=$(cd "$1" && pwd)
tool="$bin/../tests/tools/ingest_cost"
tmp=$(mktemp -d)
fail=0
trap 'rm -rf "$tmp"' EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
H=unit,period,fund,item,value,unit_of_measure,target
{ echo "$H"
  echo "510402,2023-01,resident,income.premium,1000.00,yuan,"
  echo "510402,2023-01,resident,income.total,1000.00,yuan,"
  echo "510402,2023-01,resident,ind.satisfaction,85,%,>=90"; } >"$tmp/r.csv"
[ -x "$tool" ]; check "the tool is built ($tool)" "[ $? -eq 0 ]"
for mode in revisions periods; do
  "$tool" --csv "$tmp/r.csv" --unit 510402 --data "$tmp/$mode" --mode $mode --reports 2500 \
    --batch 1000 >"$tmp/out" 2>"$tmp/err"
  check "$mode: exit 0 (every message taken and committed)" "[ $? -eq 0 ] && [ ! -s '$tmp/err' ]"
  check "$mode: one line of figures" \
    "grep -Eqx '$mode reports 2500 examine [0-9.]+ us accept [0-9.]+ us total [0-9.]+ us cpu/report, [0-9]+/s wall' '$tmp/out'"
  check "$mode: each part costs something" \
    "awk '{ exit !(\$5 > 0 && \$8 > 0 && \$11 >= \$5) }' '$tmp/out'"
done
"$tool" --csv "$tmp/r.csv" --unit 510402 --data "$tmp/x" --mode sideways >/dev/null 2>&1
check "a bad mode: exit 2" "[ $? -eq 2 ]"
sed 's/2023-01/2099-01/' "$tmp/r.csv" >"$tmp/future.csv"
"$tool" --csv "$tmp/future.csv" --unit 510402 --data "$tmp/y" --reports 10 >/dev/null 2>"$tmp/err"
check "a refused message (a period not begun): exit 1, with the city's reason" \
  "[ $? -eq 1 ] && grep -q 'has not begun' '$tmp/err'"
exit $fail
