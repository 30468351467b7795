#!/bin/bash
# Integration test of a reinstalled agent (issue 7, items 7 and 9): real
# county-agent and city-aggregator processes over CURVE on loopback, real
# LMDB files. The city holds revision 3 of a report; the agent is installed
# again with a new data directory and submits corrected figures, which go as
# revision 1. The agent must not show acked for figures the city did not
# store, must say how to make the correction win, and its next submit must
# win; county-agent sync must teach a fresh agent the city's revisions. A
# period that has not begun is refused at submit with exit 2.
set -uo pipefail
bin=$(cd "$1" && pwd)
tmp=$(mktemp -d)
pids=()
fail=0
cleanup () { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
unit=513322
for c in 513300 $unit; do "$bin/county-agent" keygen --out "$tmp/keys" --name $c >/dev/null; done
mkdir -p "$tmp/allow"
cp "$tmp/keys/$unit.pub" "$tmp/allow/"
ep="tcp://127.0.0.1:$(port)"; pub="tcp://127.0.0.1:$(port)"

# A report of the unit for period $1 whose income.total is $2 yuan.
csv () { printf 'unit,period,fund,item,value,unit_of_measure,target\n%s,%s,resident,income.premium,%s,yuan,\n%s,%s,resident,income.total,%s,yuan,\n' \
  $unit "$1" "$2" $unit "$1" "$2" > "$3"; }
submit () { "$bin/county-agent" submit --unit $unit --data "$tmp/$1" "$2"; }
agent () { "$bin/county-agent" run --unit $unit --data "$tmp/$1" --city "$ep" \
  --city-pub "$tmp/keys/513300.pub" --key "$tmp/keys/$unit.key" 2>>"$tmp/$1.log" & pids+=($!); last=$!; }
# The "state revision" of each report of (period) in the agent's outbox, and its reasons.
rows () { "$bin/county-agent" status --data "$tmp/$1" --format json | python3 -c "
import json,sys; d=json.load(sys.stdin)
print(' '.join('%s:%d' % (r['state'], r['revision']) for r in d['reports'] if r['period']=='$2'))"; }
reason () { "$bin/county-agent" status --data "$tmp/$1" --format json | python3 -c "
import json,sys; d=json.load(sys.stdin)
print([r['reason'] for r in d['reports'] if r['period']=='$2' and r['revision']==$3][0])"; }
# Waits (up to 20 s) until no report of the agent is queued or sent.
settle () { for _ in $(seq 1 100); do
  "$bin/county-agent" status --data "$tmp/$1" --format json | grep -q '"queued"\|"sent"' || return 0
  sleep 0.2; done; return 1; }
held () { "$bin/city-aggregator" show --data "$tmp/city" --unit $unit --period "$1" --fund resident \
  --format json | python3 -c "import json,sys; print(json.load(sys.stdin)['items']['income.total'])"; }

"$bin/city-aggregator" run --city 513300 --name 甘孜藏族自治州 --data "$tmp/city" --bind "$ep" \
  --pub "$pub" --key "$tmp/keys/513300.key" --allow "$tmp/allow" 2>"$tmp/city.log" &
pids+=($!)

# ---- the first installation: three revisions of 2023, one of 2022 and 2021.
for v in 100.00 200.00 300.00; do csv 2023 $v "$tmp/a-$v.csv"; submit a "$tmp/a-$v.csv" >/dev/null; done
csv 2022 50.00 "$tmp/a-2022.csv"; submit a "$tmp/a-2022.csv" >/dev/null
csv 2021 70.00 "$tmp/a-2021.csv"; submit a "$tmp/a-2021.csv" >/dev/null
agent a; first=$last
settle a
check "the first installation is acknowledged" "[ \"\$(rows a 2023)\" = 'acked:1 acked:2 acked:3' ]"
check "the city holds revision 3" "[ \"\$(held 2023)\" = 300.00 ]"
kill -TERM $first; wait $first

# ---- a reinstalled agent (new data directory) sends a correction as revision 1,
# ---- other figures as revision 1 of 2022, and the same figures of 2021.
csv 2023 999.00 "$tmp/b-2023.csv"; submit b "$tmp/b-2023.csv" >/dev/null
csv 2022 55.00 "$tmp/b-2022.csv"; submit b "$tmp/b-2022.csv" >/dev/null
csv 2021 70.00 "$tmp/b-2021.csv"; submit b "$tmp/b-2021.csv" >/dev/null
agent b; second=$last
settle b
check "a correction older than the city's revision is not shown acked" "[ \"\$(rows b 2023)\" = 'rejected:1' ]"
check "its reason names the city's revision and the revision to send" \
  "reason b 2023 1 | grep -q 'holds revision 3.*submit again to send revision 4'"
check "the same revision with other figures is not shown acked" "[ \"\$(rows b 2022)\" = 'rejected:1' ]"
check "its reason says the city holds other figures" "reason b 2022 1 | grep -q 'other figures.*revision 2'"
check "the same revision with the same figures is acked" "[ \"\$(rows b 2021)\" = 'acked:1' ]"
check "the city kept what it held" "[ \"\$(held 2023)\" = 300.00 ] && [ \"\$(held 2022)\" = 50.00 ]"
submit b "$tmp/b-2023.csv" >"$tmp/b.out"
check "the next submit numbers after the city's revision" "grep -q 'revision 4' '$tmp/b.out'"
settle b
check "the correction sent again is acked" "[ \"\$(rows b 2023)\" = 'rejected:1 acked:4' ]"
check "the city holds the corrected figures" "[ \"\$(held 2023)\" = 999.00 ]"
kill -TERM $second; wait $second

# ---- recovering from nothing: sync learns the city's revisions before a submit.
"$bin/county-agent" sync --unit $unit --data "$tmp/c" --city "$ep" --city-pub "$tmp/keys/513300.pub" \
  --key "$tmp/keys/$unit.key" >"$tmp/sync.out" 2>"$tmp/sync.err"
check "sync exits 0" "[ $? -eq 0 ]"
check "sync reports the city's revisions" "grep -q '2023 resident.*revision 4' '$tmp/sync.out'"
csv 2023 1234.00 "$tmp/c-2023.csv"; submit c "$tmp/c-2023.csv" >"$tmp/c.out"
check "after sync the next submit numbers after the city's revision" "grep -q 'revision 5' '$tmp/c.out'"
agent c; third=$last
settle c
check "after sync the correction is acked" "[ \"\$(rows c 2023)\" = 'acked:5' ]"
check "after sync the city holds the corrected figures" "[ \"\$(held 2023)\" = 1234.00 ]"

# ---- a period that has not begun is refused at submit, as the city would.
future=$(( $(date -u +%Y) + 2 ))
csv $future 1.00 "$tmp/future.csv"
submit c "$tmp/future.csv" >/dev/null 2>"$tmp/future.err"
check "a period that has not begun is refused with exit 2" "[ $? -eq 2 ]"
check "the refusal names file, line and field" "grep -q 'future.csv:2:2.*has not begun' '$tmp/future.err'"
check "nothing of it was queued" "[ -z \"\$(rows c $future)\" ]"
kill -TERM $third; wait $third
exit $fail
