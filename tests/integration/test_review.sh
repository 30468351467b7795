#!/bin/bash
# Integration test of review and locking at the city (SPEC 9.3): real
# agents and a real city over CURVE on loopback, real LMDB. A revision of an
# approved report is refused and the agent shows who approved it and when;
# the pool is approved only when every known unit is; unapproval goes
# top-down; approvals survive a SIGKILL of the city; --lock-after refuses a
# closed period naming the day it closed until an unlock; history shows the
# exact item-level changes of three revisions, the sending key, and every
# approval, unapproval, unlock and refusal.
set -uo pipefail
bin=$(cd "$1" && pwd)
tmp=$(mktemp -d)
pids=()
fail=0
cleanup () { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"; }
trap cleanup EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
py () { python3 -c "$1"; }
wait_for () { for i in $(seq 1 100); do eval "$1" && return 0; sleep 0.1; done; return 1; }

for c in 510400 510402 510403; do "$bin/county-agent" keygen --out "$tmp/keys" --name $c >/dev/null; done
mkdir -p "$tmp/allow" && cp "$tmp/keys/510402.pub" "$tmp/keys/510403.pub" "$tmp/allow/"
printf 'code,name\n510402,东区\n510403,西区\n' >"$tmp/units.csv"
# report UNIT PERIOD INCOME SATISFACTION -> a small valid CSV
report () {
  cat <<CSV
unit,period,fund,item,value,unit_of_measure,target
$1,$2,resident,income.premium,$3,yuan,
$1,$2,resident,income.total,$3,yuan,
$1,$2,resident,expense.total,1000.00,yuan,
$1,$2,resident,budget.income,2000.00,yuan,
$1,$2,resident,ind.satisfaction,$4,%,>=90
CSV
}
ep="tcp://127.0.0.1:$(port)"
city_cmd=("$bin/city-aggregator" run --city 510400 --name 攀枝花市 --data "$tmp/city" --bind "$ep"
          --pub "tcp://127.0.0.1:$(port)" --key "$tmp/keys/510400.key" --allow "$tmp/allow"
          --units "$tmp/units.csv" --lock-after month=1)
"${city_cmd[@]}" 2>>"$tmp/city.log" & city=$!; pids+=($city)
for u in 510402 510403; do
  "$bin/county-agent" run --unit $u --data "$tmp/agent-$u" --city "$ep" --city-pub "$tmp/keys/510400.pub" \
    --key "$tmp/keys/$u.key" 2>"$tmp/agent-$u.log" & pids+=($!)
done
state () {   # state UNIT PERIOD REVISION -> its state and reason at the agent
  "$bin/county-agent" status --data "$tmp/agent-$1" --format json 2>/dev/null | py "
import json,sys
for r in json.load(sys.stdin)['reports']:
    if r['period'] == '$2' and r['revision'] == $3: print(r['state'] + ' ' + r['reason'])"
}
submit () {  # submit UNIT PERIOD INCOME SATISFACTION REVISION: waits for the answer
  report "$1" "$2" "$3" "$4" >"$tmp/r.csv"
  "$bin/county-agent" submit --unit "$1" --data "$tmp/agent-$1" "$tmp/r.csv" >/dev/null 2>&1
  wait_for "state $1 $2 $5 | grep -qE '^(acked|rejected)'"
}
review () { "$bin/city-aggregator" "$@" --data "$tmp/city" --period 2023 --fund resident; }

# Three revisions of 510402, then one of 510403: all taken.
submit 510402 2023 1500.00 91 1
submit 510402 2023 1600.00 91 2
submit 510402 2023 1600.00 95 3
submit 510403 2023 1700.00 92 1
check "three revisions are acknowledged" '[ "$(state 510402 2023 3 | cut -d" " -f1)" = acked ]'

# The pool cannot be approved while a known unit is not.
review approve --unit 510400 --pool --by 市局审核员 >/dev/null 2>"$tmp/pool.err"
check "the pool is refused while units are unapproved, naming them" \
  '[ $? -eq 2 ] && grep -q "2 not approved: 510402 510403" "$tmp/pool.err"'
review approve --unit 510402 --by 审核员甲 >"$tmp/approve.out"
check "approve records who and when" '[ $? -eq 0 ] && grep -q "approve 510402 2023 resident by 审核员甲" "$tmp/approve.out"'
review approve --unit 510402 >/dev/null 2>&1
check "approving twice is refused" '[ $? -eq 2 ]'

# A new revision of the approved report is refused with who and when.
submit 510402 2023 1700.00 95 4
check "the agent shows the revision of an approved report rejected, naming who approved it" \
  '[ "$(state 510402 2023 4 | cut -d" " -f1)" = rejected ] && state 510402 2023 4 | grep -q "approved by 审核员甲 at 20" &&
   state 510402 2023 4 | grep -q "city-aggregator unapprove --unit 510402"'
"$bin/city-aggregator" show --data "$tmp/city" --unit 510402 --period 2023 --fund resident --format json >"$tmp/show.json"
check "the city still holds revision 3's figures" "py 'import json; assert json.load(open(\"$tmp/show.json\"))[\"items\"][\"income.total\"] == \"1600.00\"'"

# The approval survives a SIGKILL of the city.
kill -9 $city; wait $city 2>/dev/null
"${city_cmd[@]}" 2>>"$tmp/city.log" & city=$!; pids+=($city)
submit 510402 2023 1800.00 95 5
check "after a SIGKILL and a restart the approval still refuses revisions" \
  '[ "$(state 510402 2023 5 | cut -d" " -f1)" = rejected ] && state 510402 2023 5 | grep -q 审核员甲'

# The pool: approved once every unit is; then unapproval goes top-down.
review approve --unit 510403 --by 审核员乙 >/dev/null
review approve --unit 510400 --pool --by 市局审核员 >/dev/null
check "the pool is approved once every known unit is" '[ $? -eq 0 ]'
"$bin/city-aggregator" status --data "$tmp/city" --format json >"$tmp/status.json"
"$bin/city-aggregator" show --data "$tmp/city" --unit 510402 --period 2023 --fund resident --format json >"$tmp/show2.json"
"$bin/city-aggregator" pool --data "$tmp/city" --period 2023 --fund resident >"$tmp/pool.txt"
check "status, show and pool say who approved what and when" "py '
import json
st = json.load(open(\"$tmp/status.json\"))
pool = [p for p in st[\"pools\"] if p[\"period\"] == \"2023\"][0]
assert pool[\"approval\"][\"city\"][\"by\"] == \"市局审核员\", pool
r = [r for r in st[\"reports\"] if r[\"unit\"] == \"510402\" and r[\"period\"] == \"2023\"][0]
assert r[\"approval\"][\"city\"][\"by\"] == \"审核员甲\" and r[\"approval\"][\"province\"] is None, r
sh = json.load(open(\"$tmp/show2.json\"))
assert sh[\"approval\"][\"city\"][\"by\"] == \"审核员甲\" and sh[\"approval\"][\"city\"][\"at\"].endswith(\"Z\")' &&
  grep -q \"approved by 市局审核员\" \"$tmp/pool.txt\""
review unapprove --unit 510402 >/dev/null 2>"$tmp/order.err"
check "a unit cannot be unapproved while its pool is approved" \
  '[ $? -eq 2 ] && grep -q "unapprove the pool first" "$tmp/order.err"'
submit 510403 2023 1750.00 92 2
check "a revision of a unit of an approved pool is refused naming the pool's approval" \
  'state 510403 2023 2 | grep -q "the pool of 510400 2023 resident was approved by 市局审核员"'
review unapprove --unit 510400 --pool >/dev/null && review unapprove --unit 510402 >/dev/null
check "unapproving the pool, then the unit, succeeds" '[ $? -eq 0 ]'
submit 510402 2023 1900.00 96 6
check "once unapproved, a new revision is taken" '[ "$(state 510402 2023 6 | cut -d" " -f1)" = acked ]'
report 510402 2023 1900.00 96 | grep -v ind.satisfaction >"$tmp/r.csv"
"$bin/county-agent" submit --unit 510402 --data "$tmp/agent-510402" "$tmp/r.csv" >/dev/null 2>&1
wait_for "state 510402 2023 7 | grep -qE '^(acked|rejected)'"
check "a revision that drops an item is taken" '[ "$(state 510402 2023 7 | cut -d" " -f1)" = acked ]'

# --lock-after month=1: a month of 2023 closed long ago.
submit 510403 2023-05 500.00 92 1
check "a locked period is refused at the agent naming the day it closed" \
  'state 510403 2023-05 1 | grep -q "period 2023-05 closed on 2023-05-31" && state 510403 2023-05 1 | grep -q "city-aggregator unlock"'
tomorrow=$(date -u -d tomorrow +%F)
"$bin/city-aggregator" unlock --data "$tmp/city" --unit 510403 --period 2023-05 --fund resident --until "$tomorrow" --by 市局 >/dev/null
check "unlock grants an exception" '[ $? -eq 0 ]'
submit 510403 2023-05 500.00 92 2
check "an unlocked period takes the revision" '[ "$(state 510403 2023-05 2 | cut -d" " -f1)" = acked ]'
"$bin/city-aggregator" unlock --data "$tmp/city" --unit 510403 --period 2023-05 --fund resident --until 2020-01-01 >/dev/null 2>&1
check "an unlock into the past is refused" '[ $? -eq 2 ]'
SUDO_USER=值班员 "$bin/city-aggregator" unlock --data "$tmp/city" --unit 510402 --period 2023-06 --fund resident --until "$tomorrow" >/dev/null 2>&1
"$bin/city-aggregator" history --data "$tmp/city" --unit 510402 --period 2023-06 --fund resident --format json >"$tmp/by.json"
check "without --by, the trail names who ran the command (sudo's user first)" \
  "py 'import json; e = json.load(open(\"$tmp/by.json\"))[\"entries\"]; assert [(x[\"kind\"], x[\"by\"]) for x in e] == [(\"unlock\", \"值班员\")], e'"

# The trail: every revision with its exact changes, the key, every review.
review history --unit 510402 --format json >"$tmp/history.json"
key=$(sed -n 's/.*public-key = "\(.*\)"/\1/p' "$tmp/keys/510402.pub")
check "history lists every revision, refusal and review in order" "py '
import json
e = json.load(open(\"$tmp/history.json\"))[\"entries\"]
kinds = [(x[\"kind\"], x.get(\"revision\")) for x in e]
assert kinds == [(\"revision\", 1), (\"revision\", 2), (\"revision\", 3), (\"approve\", None),
                 (\"refused\", 4), (\"refused\", 5), (\"unapprove\", None), (\"revision\", 6),
                 (\"revision\", 7)], kinds
assert e[3][\"by\"] == \"审核员甲\" and e[3][\"level\"] == \"unit\"
assert \"approved by 审核员甲\" in e[4][\"reason\"]'"
check "history shows the exact item-level changes of three revisions" "py '
import json
e = json.load(open(\"$tmp/history.json\"))[\"entries\"]
assert len(e[0][\"changes\"]) == 5 and all(c[\"old\"] is None for c in e[0][\"changes\"])
assert e[1][\"changes\"] == [{\"item\": \"income.premium\", \"old\": \"1500.00 yuan\", \"new\": \"1600.00 yuan\"},
                             {\"item\": \"income.total\", \"old\": \"1500.00 yuan\", \"new\": \"1600.00 yuan\"}], e[1]
assert e[2][\"changes\"] == [{\"item\": \"ind.satisfaction\", \"old\": \"91 %\", \"new\": \"95 %\"}], e[2]
assert e[7][\"changes\"] == [{\"item\": \"income.premium\", \"old\": \"1600.00 yuan\", \"new\": \"1900.00 yuan\"},
                             {\"item\": \"income.total\", \"old\": \"1600.00 yuan\", \"new\": \"1900.00 yuan\"},
                             {\"item\": \"ind.satisfaction\", \"old\": \"95 %\", \"new\": \"96 %\"}], e[7]
assert e[8][\"changes\"] == [{\"item\": \"ind.satisfaction\", \"old\": \"96 %\", \"new\": None}], e[8]'"
check "history names the key that sent each revision" \
  "py 'import json; e = json.load(open(\"$tmp/history.json\"))[\"entries\"]; assert all(x[\"sender\"] == \"$key\" for x in e if \"sender\" in x), e'"
review history --unit 510400 --pool --format json >"$tmp/pool-history.json"
check "the pool's approval and unapproval are in the city's own trail" "py '
import json
e = json.load(open(\"$tmp/pool-history.json\"))[\"entries\"]
assert [(x[\"kind\"], x[\"level\"]) for x in e] == [(\"approve\", \"pool\"), (\"unapprove\", \"pool\")], e'"
review history --unit 510402 >"$tmp/history.txt"
check "history as a table shows old and new values" 'grep -q "1500.00 yuan *1600.00 yuan" "$tmp/history.txt"'
exit $fail
