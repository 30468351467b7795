#!/bin/bash
# Integration test of the whole chain with the province hub: real processes,
# CURVE on loopback, real LMDB. Checks forwarding of versioned evaluations,
# ranking (levels, ties, ascending, history), show of a pool, the remote
# query endpoint (allowed key answered, unlisted key not), and that a hub
# that was down loses nothing.
set -uo pipefail
bin=$(cd "$1" && pwd)
tmp=$(mktemp -d)
pids=()
fail=0
cleanup () { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
py () { python3 -c "$1"; }

for c in 510000 510400 510402 511900 511902 520100; do
  "$bin/county-agent" keygen --out "$tmp/keys" --name $c >/dev/null
done
mkdir -p "$tmp/allow-hub" "$tmp/allow-510400" "$tmp/allow-511900"
cp "$tmp/keys/510400.pub" "$tmp/keys/511900.pub" "$tmp/allow-hub/"
cp "$tmp/keys/510400.pub" "$tmp/keys/510402.pub" "$tmp/allow-510400/"
cp "$tmp/keys/511902.pub" "$tmp/allow-511900/"

# report UNIT PERIOD INCOME EXPENSE_OTHER SATISFACTION -> a small valid CSV
report () {
  cat <<CSV
unit,period,fund,item,value,unit_of_measure,target
$1,$2,resident,income.premium,$3,yuan,
$1,$2,resident,income.total,$3,yuan,
$1,$2,resident,expense.benefit,1000.00,yuan,
$1,$2,resident,expense.other,$4,yuan,
$1,$2,resident,budget.income,2000.00,yuan,
$1,$2,resident,ind.satisfaction,$5,%,>=90
CSV
}
report 510400 2023 1800.00 10.00 91 >"$tmp/510400.csv"
report 510402 2023 2000.00 10.00 95 >"$tmp/510402.csv"
report 511902 2023 2000.00 20.00 88 >"$tmp/511902.csv"
report 511902 2022 1500.00 20.00 88 >"$tmp/511902-2022.csv"
report 510402 2023 1000.00 10.00 95 >"$tmp/510402-rev2.csv"

hub_ep="tcp://127.0.0.1:$(port)"; query_ep="tcp://127.0.0.1:$(port)"
hub_cmd=("$bin/province-hub" run --province 510000 --name 四川省 --data "$tmp/hub" --bind "$hub_ep"
         --query-bind "$query_ep" --key "$tmp/keys/510000.key" --allow "$tmp/allow-hub")
"${hub_cmd[@]}" 2>>"$tmp/hub.log" & hub=$!; pids+=($hub)
declare -A ep
for cn in 510400:攀枝花市 511900:巴中市; do
  c=${cn%%:*}; ep[$c]="tcp://127.0.0.1:$(port)"
  "$bin/city-aggregator" run --city $c --name ${cn#*:} --data "$tmp/city-$c" --bind "${ep[$c]}" \
    --pub "tcp://127.0.0.1:$(port)" --key "$tmp/keys/$c.key" --allow "$tmp/allow-$c" \
    --province "$hub_ep" --province-pub "$tmp/keys/510000.pub" 2>"$tmp/city-$c.log" &
  pids+=($!)
done
for uc in 510400:510400 510402:510400 511902:511900; do
  u=${uc%%:*}; c=${uc#*:}
  "$bin/county-agent" run --unit $u --data "$tmp/agent-$u" --city "${ep[$c]}" \
    --city-pub "$tmp/keys/$c.pub" --key "$tmp/keys/$u.key" 2>"$tmp/agent-$u.log" &
  pids+=($!)
done
sleep 0.3
for u in 510400 510402 511902; do
  "$bin/county-agent" submit --unit $u --data "$tmp/agent-$u" "$tmp/$u.csv" >/dev/null 2>&1
done
"$bin/county-agent" submit --unit 511902 --data "$tmp/agent-511902" "$tmp/511902-2022.csv" >/dev/null 2>&1

rank () { "$bin/province-hub" rank --data "$tmp/hub" --period "${P:-2023}" --fund resident --format json "$@" 2>/dev/null; }
rows () { rank "$@" | py 'import json,sys; d=json.load(sys.stdin); print(" ".join("%s:%s:%s" % (r["rank"], r["code"], r["value"]) for r in d["rows"]))'; }
wait_for () {   # wait_for CONDITION: poll up to 20 s
  for i in $(seq 1 100); do eval "$1" && return 0; sleep 0.2; done; return 1
}
wait_for '[ "$(rows --level county --by income_budget_rate 2>/dev/null)" = "1:510402:100.0 1:511902:100.0" ]'
check "county ranking ties share rank 1 and exclude the 市本级" \
  '[ "$(rows --level county --by income_budget_rate)" = "1:510402:100.0 1:511902:100.0" ]'
wait_for '[ "$(rows --level city --by satisfaction 2>/dev/null)" = "1:511900:88.0 2:510400:91.0" ]' || true
check "city ranking by total lists both pools" '[ "$(rows --level city | wc -w)" = 2 ]'
check "other_expense_share ranks ascending" \
  '[ "$(rows --level county --by other_expense_share | cut -d" " -f1 | cut -d: -f2)" = 510402 ]'
check "a missing indicator ranks last with a null rank" \
  '[ "$(rows --level city --by interest_yield)" = "None:510400:None None:511900:None" ]'
check "ranking history: an earlier period" '[ "$(P=2022 rows --level county --by income_budget_rate)" = "1:511902:75.0" ]'
"$bin/province-hub" show --data "$tmp/hub" --unit 510400 --period 2023 --fund resident --format json >"$tmp/pool.json" 2>/dev/null
check "show of a city code gives the pool" "py 'import json; d=json.load(open(\"$tmp/pool.json\")); assert d[\"units\"]==[\"510400\",\"510402\"], d[\"units\"]; assert d[\"items\"][\"income.total\"]==\"3800.00\"'"

local_out=$(rank --level county)
remote_out=$("$bin/province-hub" rank --query "$query_ep" --query-pub "$tmp/keys/510000.pub" \
  --key "$tmp/keys/510400.key" --period 2023 --fund resident --level county --format json 2>&1)
[ "$local_out" = "$remote_out" ] || diff <(echo "$local_out") <(echo "$remote_out") | head -5
check "the query endpoint answers a city's key exactly like --data" '[ "$local_out" = "$remote_out" ] && [ -n "$local_out" ]'
# An indicator nobody knows (a typo) is bad usage, locally and remotely alike,
# and the message names the nearest code and the known ones.
"$bin/province-hub" rank --data "$tmp/hub" --period 2023 --fund resident --level county \
  --by Satisfaction >"$tmp/by.out" 2>"$tmp/by.err"
rc=$?
check "rank --by an unknown indicator exits 2 and names the known ones" \
  '[ $rc -eq 2 ] && [ ! -s "$tmp/by.out" ] && grep -q "did you mean satisfaction?" "$tmp/by.err" && grep -q "income_budget_rate, expense_budget_rate" "$tmp/by.err"'
"$bin/province-hub" rank --query "$query_ep" --query-pub "$tmp/keys/510000.pub" --key "$tmp/keys/510400.key" \
  --period 2023 --fund resident --level county --by Satisfaction >"$tmp/by-remote.out" 2>"$tmp/by-remote.err"
rc=$?
check "rank --query --by an unknown indicator exits 2 with the same message" \
  '[ $rc -eq 2 ] && [ ! -s "$tmp/by-remote.out" ] && cmp -s "$tmp/by.err" "$tmp/by-remote.err"'
"$bin/province-hub" show --query "$query_ep" --query-pub "$tmp/keys/510000.pub" \
  --key "$tmp/keys/510400.key" --unit 999999 --period 2023 --fund resident >/dev/null 2>&1
check "a remote show of an unknown unit exits 1" '[ $? -eq 1 ]'
timeout 30 "$bin/province-hub" rank --query "$query_ep" --query-pub "$tmp/keys/510000.pub" \
  --key "$tmp/keys/520100.key" --period 2023 --fund resident >"$tmp/stranger.out" 2>&1
rc=$?
check "a key missing from the hub's allow directory gets no answer" '[ $rc -ne 0 ] && ! grep -q 510402 "$tmp/stranger.out"'

# The hub goes down; a new revision is submitted; the hub comes back: nothing is lost.
kill -TERM $hub; wait $hub; rc=$?
check "the hub exits 0 on SIGTERM" '[ $rc -eq 0 ]'
"$bin/county-agent" submit --unit 510402 --data "$tmp/agent-510402" "$tmp/510402-rev2.csv" >/dev/null 2>&1
sleep 1
"${hub_cmd[@]}" 2>>"$tmp/hub.log" & hub=$!; pids+=($hub)
wait_for '[ "$(rows --level county --by income_budget_rate 2>/dev/null)" = "1:511902:100.0 2:510402:50.0" ]'
check "a revision sent while the hub was down reaches it after the restart" \
  '[ "$(rows --level county --by income_budget_rate)" = "1:511902:100.0 2:510402:50.0" ]'
"$bin/province-hub" history --data "$tmp/hub" --unit 510402 --period 2023 --fund resident --format json >"$tmp/hist.json" 2>&1
check "hub history keeps every version, the revision's change among them" "py '
import json
d = json.load(open(\"$tmp/hist.json\"))
e = d[\"entries\"]
assert d[\"level\"] == \"unit\" and len(e) >= 2, d
versions = [x[\"version\"] for x in e]
assert versions == sorted(versions) and len(set(versions)) == len(versions), versions
changes = [c for x in e for c in x[\"changes\"]]
assert {\"field\": \"items.income.total\", \"old\": \"2000.00\", \"new\": \"1000.00\"} in changes, changes'"
"$bin/province-hub" history --data "$tmp/hub" --unit 510400 --period 2023 --fund resident >"$tmp/hist.txt" 2>&1
check "hub history of a city code is its pool's" 'grep -q "items.income.total" "$tmp/hist.txt"'
"$bin/province-hub" history --data "$tmp/hub" --unit 510499 --period 2023 --fund resident >/dev/null 2>&1
check "hub history of a unit it never received exits 1" '[ $? -eq 1 ]'
"$bin/province-hub" rank --data "$tmp/hub" --period 2023 --fund resident --format table >"$tmp/table.out" 2>&1
check "table format names the cities" 'grep -q 攀枝花市 "$tmp/table.out"'
"$bin/province-hub" rank --data "$tmp/hub" --period 2023 --fund resident --format csv --level county >"$tmp/csv.out" 2>&1
check "csv format has a header and one row per county" '[ "$(wc -l <"$tmp/csv.out")" = 3 ]'
exit $fail
