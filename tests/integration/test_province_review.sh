#!/bin/bash
# Integration test of the province's approval of a city's pool (SPEC 9.3):
# a real agent, city and hub on loopback, real LMDB, and SIGKILLs of the
# city and the hub in between. The province approves only what the city
# approved; the approval reaches the city while the city was down when it
# was given; a revision is then refused at the agent naming the province;
# the city cannot withdraw its approval first; the province's unapproval
# given just before the hub is killed still reaches the city; an approval
# of figures the city re-approved since is refused with the reason; after
# every restart both levels agree.
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
wait_for () { for i in $(seq 1 150); do eval "$1" && return 0; sleep 0.2; done; return 1; }

mkdir -p "$tmp/allow"
printf 'code,name\n510402,东区\n' >"$tmp/units.csv"
report () {
  cat <<CSV
unit,period,fund,item,value,unit_of_measure,target
510402,2023,resident,income.premium,$1,yuan,
510402,2023,resident,income.total,$1,yuan,
510402,2023,resident,expense.total,1000.00,yuan,
510402,2023,resident,ind.satisfaction,93,%,>=90
CSV
}
hub_ep="tcp://127.0.0.1:$(port)"; city_ep="tcp://127.0.0.1:$(port)"
hub_cmd=("$bin/province-hub" run --province 510000 --name 四川省 --data "$tmp/hub" --bind "$hub_ep"
         --query-bind "tcp://127.0.0.1:$(port)" --insecure --allow "$tmp/allow")
city_cmd=("$bin/city-aggregator" run --city 510400 --name 攀枝花市 --data "$tmp/city" --bind "$city_ep"
          --pub "tcp://127.0.0.1:$(port)" --insecure --allow "$tmp/allow" --units "$tmp/units.csv"
          --province "$hub_ep")
"${hub_cmd[@]}" 2>>"$tmp/hub.log" & hub=$!; pids+=($hub)
"${city_cmd[@]}" 2>>"$tmp/city.log" & city=$!; pids+=($city)
"$bin/county-agent" run --unit 510402 --data "$tmp/agent" --city "$city_ep" --insecure 2>"$tmp/agent.log" &
pids+=($!)

state () { "$bin/county-agent" status --data "$tmp/agent" --format json 2>/dev/null | py "
import json,sys
for r in json.load(sys.stdin)['reports']:
    if r['revision'] == $1: print(r['state'] + ' ' + r['reason'])"; }
submit () { report "$1" >"$tmp/r.csv"; "$bin/county-agent" submit --unit 510402 --data "$tmp/agent" "$tmp/r.csv" >/dev/null 2>&1
            wait_for "state $2 | grep -qE '^(acked|rejected)'"; }
# The approval of the pool at each level: "city-by province-by" ("-" when none).
hub_view () { "$bin/province-hub" show --data "$tmp/hub" --unit 510400 --period 2023 --fund resident --format json 2>/dev/null |
  py 'import json,sys; a=json.load(sys.stdin)["approval"]; print((a["city"] or {}).get("by","-"), (a["province"] or {}).get("by","-"))'; }
city_view () { "$bin/city-aggregator" status --data "$tmp/city" --format json 2>/dev/null |
  py 'import json,sys; a=[p for p in json.load(sys.stdin)["pools"] if p["period"]=="2023"][0]["approval"]; print((a["city"] or {}).get("by","-"), (a["province"] or {}).get("by","-"))'; }
papprove () { "$bin/province-hub" "$1" --data "$tmp/hub" --unit 510400 --period 2023 --fund resident --by 省审核员; }
capprove () { "$bin/city-aggregator" "$1" --data "$tmp/city" --unit "$2" --period 2023 --fund resident ${3:-} --by 市审核员; }

submit 1500.00 1
wait_for '[ "$(hub_view)" = "- -" ]'
check "the hub holds the pool, approved by nobody" '[ "$(hub_view)" = "- -" ]'
papprove approve >/dev/null 2>"$tmp/early.err"
check "the province cannot approve a pool the city has not" '[ $? -eq 2 ] && grep -q "the city has not approved this pool" "$tmp/early.err"'

capprove approve 510402 >/dev/null && capprove approve 510400 --pool >/dev/null
wait_for '[ "$(hub_view)" = "市审核员 -" ]'
check "the city's approval reaches the hub with the pool" '[ "$(hub_view)" = "市审核员 -" ]'

# The province approves while the city is down (SIGKILL): it reaches the city once it is back.
kill -9 $city; wait $city 2>/dev/null
papprove approve >"$tmp/approve.out"
check "the province's approval is pending until the city locks" '[ $? -eq 0 ] && grep -q "pending until the city locks" "$tmp/approve.out"'
"${city_cmd[@]}" 2>>"$tmp/city.log" & city=$!; pids+=($city)
wait_for '[ "$(hub_view)" = "市审核员 省审核员" ] && [ "$(city_view)" = "市审核员 省审核员" ]'
check "after the city's restart both levels hold the province's approval" \
  '[ "$(hub_view)" = "市审核员 省审核员" ] && [ "$(city_view)" = "市审核员 省审核员" ]'

# Now the pool is locked at the city by the province.
submit 1600.00 2
check "a revision is refused at the agent, naming the province's approval" \
  'state 2 | grep -q "^rejected the province approved the pool of 510400 2023 resident (by 省审核员"'
capprove unapprove 510400 --pool >/dev/null 2>"$tmp/first.err"
check "the city cannot withdraw its approval while the province's stands" \
  '[ $? -eq 2 ] && grep -q "the province unapproves first" "$tmp/first.err"'

# The province withdraws its approval, and the hub is SIGKILLed at once.
papprove unapprove >/dev/null
kill -9 $hub; wait $hub 2>/dev/null
"${hub_cmd[@]}" 2>>"$tmp/hub.log" & hub=$!; pids+=($hub)
wait_for '[ "$(hub_view)" = "市审核员 -" ] && [ "$(city_view)" = "市审核员 -" ]'
check "after the hub's SIGKILL and restart the unapproval reached the city: both agree" \
  '[ "$(hub_view)" = "市审核员 -" ] && [ "$(city_view)" = "市审核员 -" ]'

# An approval of figures the city has re-approved since is refused with the reason.
kill -9 $city; wait $city 2>/dev/null
papprove approve >/dev/null
capprove unapprove 510400 --pool >/dev/null
sleep 1.1 # a new approval, one second later
capprove approve 510400 --pool >/dev/null
"${city_cmd[@]}" 2>>"$tmp/city.log" & city=$!; pids+=($city)
wait_for 'grep -q "refused the province.s approval of the pool 2023 resident: the city.s approval of this pool changed" "$tmp/city.log" &&
          grep -q "the city refused the province.s approval" "$tmp/hub.log"'
check "a stale approval is refused by the city, with the reason, and the hub records it" \
  'grep -q "the city refused the province.s approval: the city.s approval of this pool changed" "$tmp/hub.log"'
sleep 1
check "both levels agree that the province has not approved" \
  '[ "$(hub_view)" = "市审核员 -" ] && [ "$(city_view)" = "市审核员 -" ]'

# Top-down unapproval at the city, then the revision is taken.
capprove unapprove 510400 --pool >/dev/null && capprove unapprove 510402 >/dev/null
submit 1700.00 3
check "once unapproved at every level, a revision is taken" '[ "$(state 3 | cut -d" " -f1)" = acked ]'
"$bin/city-aggregator" history --data "$tmp/city" --unit 510400 --pool --period 2023 --fund resident --format json >"$tmp/h.json"
check "the pool's trail holds the province's approval and unapproval" "py '
import json
e = json.load(open(\"$tmp/h.json\"))[\"entries\"]
levels = [(x[\"kind\"], x[\"level\"]) for x in e]
assert (\"approve\", \"province\") in levels and (\"unapprove\", \"province\") in levels, levels'"
exit $fail
