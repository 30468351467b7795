#!/bin/bash
# Integration test of bad input on the wire (issue 4, part 2): a county agent,
# a city and the province hub over CURVE on loopback, and a hostile peer
# (tests/tools/hostile) that sends garbage bytes to every port, empty,
# multipart, oversize, truncated and bit-flipped messages, messages of the
# wrong type and absurd values. Every refusal must be logged with its
# reason, every daemon must keep serving the legitimate agent, and a message
# the receiver will never accept (larger than its limit, FUNDCHAIN_MAX_MSG
# lowered for the test) must go to the sender's dead state with its reason.
set -uo pipefail
bin=$(cd "$1" && pwd)
hostile="$bin/../tests/tools/hostile"
here=$(cd "$(dirname "$0")" && pwd)
scen="$here/../data/scenario-basic/data"
tmp=$(mktemp -d)
pids=()
fail=0
cleanup () { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
alive () { kill -0 "$1" 2>/dev/null; }
# Waits (up to $3 tenths of a second, default 100) for a line of the log.
waitlog () { for _ in $(seq 1 "${3:-100}"); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
count () { grep -c -- "$2" "$1" 2>/dev/null; }
# Sends SIGTERM to the processes and waits (up to 15 s) for each to exit;
# sets rcs to their exit codes, or "hung" for one that did not stop.
stop () { local p; rcs=""; kill -TERM "$@" 2>/dev/null
  for p in "$@"; do
    for _ in $(seq 1 150); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
    if kill -0 $p 2>/dev/null; then rcs="$rcs hung"; kill -9 $p; else wait $p; rcs="$rcs $?"; fi
  done; rcs=${rcs# }; }
[ -x "$hostile" ] || { echo "FAIL the hostile tool is not built at $hostile"; exit 1; }

for c in 513322 513331 513300; do "$bin/county-agent" keygen --out "$tmp/keys" --name $c >/dev/null; done
"$bin/province-hub" keygen --out "$tmp/keys" --name 510000 >/dev/null
mkdir -p "$tmp/allow" "$tmp/hallow"
cp "$tmp/keys/513322.pub" "$tmp/keys/513331.pub" "$tmp/allow/"
cp "$tmp/keys/513300.pub" "$tmp/hallow/"
printf 'code,name\n513300,甘孜藏族自治州\n513322,泸定县\n513331,白玉县\n' >"$tmp/units.csv"

ep="tcp://127.0.0.1:$(port)"; pub="tcp://127.0.0.1:$(port)"
hub_ep="tcp://127.0.0.1:$(port)"; query_ep="tcp://127.0.0.1:$(port)"
"$bin/province-hub" run --province 510000 --name 四川省 --data "$tmp/hub" --bind "$hub_ep" \
  --query-bind "$query_ep" --key "$tmp/keys/510000.key" --allow "$tmp/hallow" 2>"$tmp/hub.log" &
hub=$!; pids+=($hub)
"$bin/city-aggregator" run --city 513300 --name 甘孜藏族自治州 --data "$tmp/city" --bind "$ep" \
  --pub "$pub" --key "$tmp/keys/513300.key" --allow "$tmp/allow" --units "$tmp/units.csv" \
  --province "$hub_ep" --province-pub "$tmp/keys/510000.pub" 2>"$tmp/city.log" &
city=$!; pids+=($city)
"$bin/county-agent" run --unit 513322 --data "$tmp/agent" --city "$ep" \
  --city-pub "$tmp/keys/513300.pub" --key "$tmp/keys/513322.key" 2>"$tmp/agent.log" &
agent=$!; pids+=($agent)
waitlog "$tmp/city.log" "receiving on" && waitlog "$tmp/hub.log" "receiving on"
check "the daemons start" "alive $city && alive $hub && alive $agent"

# As an allowed county (513322) to the city, and as the allowed city (513300) to the hub.
county=(--connect "$ep" --key "$tmp/keys/513322.key" --server-pub "$tmp/keys/513300.pub")
tohub=(--connect "$hub_ep" --key "$tmp/keys/513300.key" --server-pub "$tmp/keys/510000.pub")
toquery=(--connect "$query_ep" --key "$tmp/keys/513300.key" --server-pub "$tmp/keys/510000.pub")
report=(--csv "$scen/513322.csv")

# ---- garbage bytes on every port (no ZMTP at all, and after a valid greeting) ----
raw_ok=1
for target in "$ep" "$pub" "$hub_ep" "$query_ep"; do
  for seed in 1 2; do
    "$hostile" --raw "$target" --size 100000 --seed $seed --wait 300 | grep -q '^raw: wrote 100000 bytes' || raw_ok=0
    "$hostile" --raw "$target" --size 3000 --seed $seed --greeting --wait 300 | grep -q '^raw: wrote 3000 bytes' || raw_ok=0
  done
done
check "garbage bytes written to the city's report and feed ports, the hub's and its query port" "[ $raw_ok = 1 ]"
check "after the garbage every daemon still runs" "alive $city && alive $hub && alive $agent"
for target in "$ep" "$pub"; do
  check "the city logs what it dropped on $target" "waitlog '$tmp/city.log' 'transport: $target: \\(dropped\\|a peer disconnected\\)'"
done
for target in "$hub_ep" "$query_ep"; do
  check "the hub logs what it dropped on $target" "waitlog '$tmp/hub.log' 'transport: $target: \\(dropped\\|a peer disconnected\\)'"
done
check "a greeting followed by garbage on a CURVE port is logged as not speaking ZMTP" \
  "grep -q 'transport: $ep: dropped a peer that does not speak ZMTP' '$tmp/city.log' && grep -q 'transport: $hub_ep: dropped a peer that does not speak ZMTP' '$tmp/hub.log'"

# ---- bad frames from an authenticated county, to the city ----
out=$("$hostile" "${county[@]}" --send garbage --seed 1 --wait 500)
check "random bytes from an allowed key: no answer" "grep -q 'handshake ok' <<<\"\$out\" && grep -q 'no answer' <<<\"\$out\""
check "random bytes: the city logs the drop and its reason" "waitlog '$tmp/city.log' 'dropped a message from 513322: malformed message of 256 bytes'"
out=$("$hostile" "${county[@]}" --send empty --wait 500)
check "a zero-length frame: no answer, logged as a message of no type" \
  "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/city.log' 'dropped a message from 513322: unexpected message type 0 (none)'"
out=$("$hostile" "${county[@]}" --send multipart "${report[@]}" --wait 500)
check "multipart junk: no answer, logged" \
  "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/city.log' 'dropped a message from 513322: malformed multipart message (3 frames)'"
# The limit is 4 MiB of message: ZMQ_MAXMSGSIZE has 64 bytes of slack for
# CURVE's framing, and the explicit check refuses what passes in the slack.
out=$("$hostile" "${county[@]}" --send garbage --size 4194304 --seed 3 --wait 1000)
check "a message of exactly 4 MiB reaches the city (CURVE's framing does not count)" \
  "! grep -q 'disconnected by the receiver' <<<\"\$out\" && waitlog '$tmp/city.log' 'dropped a message from 513322: malformed message of 4194304 bytes'"
out=$("$hostile" "${county[@]}" --send oversize --wait 1000)
check "a message of 4 MiB + 1: no answer, refused by the explicit check with its reason" \
  "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/city.log' 'dropped a message from 513322: message of 4194305 bytes is larger than 4194304'"
out=$("$hostile" "${county[@]}" --send oversize --size 5242880 --wait 1000)
check "a message of 5 MiB, over ZMQ_MAXMSGSIZE: the city drops the connection, no answer" \
  "grep -q 'disconnected by the receiver' <<<\"\$out\" && grep -q 'no answer' <<<\"\$out\""
check "a message over ZMQ_MAXMSGSIZE: the city logs the disconnection and its likely reason" \
  "waitlog '$tmp/city.log' 'transport: $ep: a peer disconnected: it closed the connection, or sent a message larger than 4194368 bytes'"

# Truncated and bit-flipped reports (of period 2022, away from the agent's
# 2023): each one is answered (a flip may leave a valid report) or dropped
# with a logged reason; none is lost without a trace.
for kind in truncated bitflip; do
  before=$(count "$tmp/city.log" 'dropped a message from 513322')
  out=$("$hostile" "${county[@]}" --send $kind "${report[@]}" --period 2022 --count 40 --seed 11 --wait 3000)
  sleep 0.3
  answered=$(grep -c '^ack ' <<<"$out")
  dropped=$(( $(count "$tmp/city.log" 'dropped a message from 513322') - before ))
  check "40 $kind reports: $answered answered + $dropped dropped with a logged reason = 40" \
    "[ $((answered + dropped)) -eq 40 ] && [ $dropped -gt 0 ]"
  check "40 $kind reports: every rejection carries its reason" \
    "! grep '^ack rejected' <<<\"\$out\" | grep -q 'reason=\$'"
done

# Messages of a type the city never accepts.
for t in "ack:2 (ack)" "query:4 (query)" "evaluation:3 (evaluation)"; do
  out=$("$hostile" "${county[@]}" --send "${t%%:*}" --wait 500)
  check "an Envelope($t) to the city: no answer, logged as unexpected" \
    "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/city.log' 'dropped a message from 513322: unexpected message type ${t#*:}: a city accepts reports and held queries only'"
done

# Absurd values: each rejected with its reason, in the answer and in the log.
absurd () { # name, expected reason, hostile flags...
  local name=$1 reason=$2 ok=0; shift 2
  local out; out=$("$hostile" "${county[@]}" --send report "${report[@]}" "$@")
  grep '^ack rejected ' <<<"$out" | grep -qF "reason=" && grep '^ack rejected ' <<<"$out" | grep -qF "$reason" &&
    grep ' WARN city-aggregator: rejected ' "$tmp/city.log" | grep -qF "$reason" && ok=1
  check "absurd value ($name): rejected, with the reason in the answer and the city's log" "[ $ok = 1 ]"
}
absurd "negative income" "income.premium 保险费收入 may not be negative (-5.00)" --set income.premium=-5.00
absurd "negative head count" "stat.enrolled 参保人数 may not be negative" --set stat.enrolled=-1:person
absurd "unit of 5 digits" "unit '12345' is not a 6-digit code" --unit 12345
absurd "unit with letters" "unit '51332x' is not a 6-digit code" --unit 51332x
absurd "month 13" "bad period '2023-13'" --period 2023-13
absurd "quarter 5" "bad period '2023-Q5'" --period 2023-Q5
absurd "a period not begun" "period 2999 has not begun" --period 2999
absurd "revision 0" "revision 0 is not a revision" --revision 0
absurd "a number that overflows" "too many digits" --set income.premium=99999999999999999999
absurd "an unknown fund" "unknown fund 'bogus'" --fund bogus

# ---- at the hub ----
out=$("$hostile" "${tohub[@]}" --send report "${report[@]}" --wait 500)
check "an Envelope(report) to the hub: no answer, logged as unexpected" \
  "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/hub.log' 'dropped a message from 513300: unexpected message type 1 (report): the hub accepts evaluations only'"
out=$("$hostile" "${tohub[@]}" --send garbage --seed 1 --wait 500)
check "random bytes to the hub: logged" "waitlog '$tmp/hub.log' 'dropped a message from 513300: malformed message of 256 bytes'"
out=$("$hostile" "${tohub[@]}" --send multipart "${report[@]}" --wait 500)
check "multipart junk to the hub: logged" "waitlog '$tmp/hub.log' 'dropped a message from 513300: malformed multipart message'"
out=$("$hostile" "${tohub[@]}" --send oversize --wait 1000)
check "a message of 4 MiB + 1 to the hub: no answer, refused by the explicit check with its reason" \
  "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/hub.log' 'dropped a message from 513300: message of 4194305 bytes is larger than 4194304'"
out=$("$hostile" "${tohub[@]}" --send oversize --size 5242880 --wait 1000)
check "a message of 5 MiB to the hub: the connection is dropped, no answer" \
  "grep -q 'disconnected by the receiver' <<<\"\$out\" && grep -q 'no answer' <<<\"\$out\""
out=$("$hostile" "${toquery[@]}" --send oversize --wait 1000)
check "a message of 4 MiB + 1 to the query endpoint: no answer, refused with its reason" \
  "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/hub.log' 'dropped a query from 513300: message of 4194305 bytes is larger than 4194304'"
out=$("$hostile" "${tohub[@]}" --send evaluation --code 513322 --city 513300 --period 2023-13 --wait 500)
check "an evaluation of an impossible period: dropped with its reason" \
  "waitlog '$tmp/hub.log' 'dropped a message from 513300: malformed evaluation: bad period'"
out=$("$hostile" "${tohub[@]}" --send evaluation --code 51332 --city 513300 --wait 500)
check "an evaluation of a 5-digit code: dropped with its reason" \
  "waitlog '$tmp/hub.log' 'dropped a message from 513300: malformed evaluation: bad unit or city code'"
out=$("$hostile" "${tohub[@]}" --send evaluation --code 513322 --city 513300 --version 0 --wait 500)
check "an evaluation of version 0: dropped with its reason" \
  "waitlog '$tmp/hub.log' 'dropped a message from 513300: malformed evaluation: no version'"
out=$("$hostile" "${tohub[@]}" --send evaluation --code 513322 --city 513300 --parts 10001)
check "an evaluation of 10001 indicators: rejected with its reason (answered, so never resent)" \
  "grep -q 'ack rejected .*reason=too many parts: 0 items, 10001 indicators' <<<\"\$out\" && grep -q 'rejected 513322 2023 resident version 1: too many parts' '$tmp/hub.log'"
out=$("$hostile" "${toquery[@]}" --send garbage --seed 1 --wait 500)
check "random bytes to the query endpoint: no answer, logged" \
  "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/hub.log' 'dropped a query from 513300: malformed message of 256 bytes'"
out=$("$hostile" "${toquery[@]}" --send report "${report[@]}" --wait 500)
check "an Envelope(report) to the query endpoint: no answer, logged as unexpected" \
  "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/hub.log' 'dropped a query from 513300: unexpected message type 1'"
out=$("$hostile" "${toquery[@]}" --send query --period 2023-13)
check "a query of an impossible period: answered with exit 2 and the reason" \
  "grep -q 'reply exit=2 .*month not 01 to 12' <<<\"\$out\""

# ---- reports with too many indicators ----
# A unit may report at most 200 ind.* items (VALIDATE_MAX_FREE): more would
# make the pool's indicators grow without bound (the hub takes 10000 parts at
# most, and consolidation costs grow with their square). The city refuses such
# a report for good, with the reason; the hub's own refusal of an evaluation
# with too many parts is checked above with hostile's evaluations.
for u in 513322 513331; do
  awk -v u=$u 'BEGIN { print "unit,period,fund,item,value,unit_of_measure,target"
    for (i = 1; i <= 200; i++) printf "%s,2021,resident,ind.k%s_%d,%d.5,%%,\n", u, u, i, i }' >"$tmp/many-$u.csv"
  "$hostile" --connect "$ep" --key "$tmp/keys/$u.key" --server-pub "$tmp/keys/513300.pub" \
    --send report --csv "$tmp/many-$u.csv" --set "ind.one_too_many=1:%" --wait 20000 >"$tmp/many-$u.out"
done
check "the city rejects reports of 201 indicators with the reason" \
  "grep -q 'more than 200 ind' '$tmp/many-513322.out' && grep -q 'more than 200 ind' '$tmp/many-513331.out' && ! grep -q '^ack accepted' '$tmp/many-513322.out'"

# ---- the message size limit, lowered for a second city and agent ----
out=$(FUNDCHAIN_MAX_MSG=12 "$hostile" "${county[@]}" --send oversize --size 10 --wait 200 2>&1)
check "FUNDCHAIN_MAX_MSG out of range is ignored with a warning" "grep -q 'FUNDCHAIN_MAX_MSG=12 ignored' <<<\"\$out\""
ep2="tcp://127.0.0.1:$(port)"
FUNDCHAIN_MAX_MSG=4096 "$bin/city-aggregator" run --city 513300 --name 甘孜藏族自治州 --data "$tmp/city2" \
  --bind "$ep2" --pub "tcp://127.0.0.1:$(port)" --key "$tmp/keys/513300.key" --allow "$tmp/allow" \
  --units "$tmp/units.csv" 2>"$tmp/city2.log" &
city2=$!; pids+=($city2)
FUNDCHAIN_MAX_MSG=4096 "$bin/county-agent" run --unit 513322 --data "$tmp/agent2" --city "$ep2" \
  --city-pub "$tmp/keys/513300.pub" --key "$tmp/keys/513322.key" 2>"$tmp/agent2.log" &
agent2=$!; pids+=($agent2)
waitlog "$tmp/city2.log" "receiving on"
to2=(--connect "$ep2" --key "$tmp/keys/513322.key" --server-pub "$tmp/keys/513300.pub")
out=$(FUNDCHAIN_MAX_MSG=4096 "$hostile" "${to2[@]}" --send oversize --wait 1000)
check "FUNDCHAIN_MAX_MSG=4096: a message of 4097 bytes is refused by the city's explicit check" \
  "grep -q 'no answer' <<<\"\$out\" && waitlog '$tmp/city2.log' 'message of 4097 bytes is larger than 4096'"
out=$(FUNDCHAIN_MAX_MSG=4096 "$hostile" "${to2[@]}" --send oversize --size 4200 --wait 1000)
check "FUNDCHAIN_MAX_MSG=4096: a message of 4200 bytes is over the city's ZMQ_MAXMSGSIZE" \
  "grep -q 'disconnected by the receiver' <<<\"\$out\" && grep -q 'no answer' <<<\"\$out\""
# A report of 2024 with 200 indicators (about 10 kB): more than the 4096 bytes.
{ echo "unit,period,fund,item,value,unit_of_measure,target"
  for i in $(seq 1 200); do echo "513322,2024,resident,ind.hostile_test_$i,$i.50,%,"; done; } >"$tmp/big.csv"
"$bin/county-agent" submit --unit 513322 --data "$tmp/agent2" "$scen/513322.csv" >/dev/null 2>&1
"$bin/county-agent" submit --unit 513322 --data "$tmp/agent2" "$tmp/big.csv" >/dev/null 2>&1
states () { "$bin/county-agent" status --data "$tmp/$1" --format json | python3 -c "
import json,sys; d=json.load(sys.stdin)
print(' '.join(r['period']+':'+r['state'] for r in d['reports']))"; }
for _ in $(seq 1 50); do [ "$(states agent2)" = "2023:acked 2024:dead" ] && break; sleep 0.2; done
check "a report the city can accept is acknowledged, the one over its limit is dead" \
  "[ \"\$(states agent2)\" = '2023:acked 2024:dead' ]"
check "county-agent status gives the dead report's reason" \
  "\"$bin/county-agent\" status --data '$tmp/agent2' --format json | grep 'bytes, larger than the 4096 bytes the receiver accepts' >/dev/null"
check "county-agent status (table) shows dead and why" \
  "\"$bin/county-agent\" status --data '$tmp/agent2' | grep '2024' | grep -q 'dead .*larger than the 4096 bytes'"
check "the agent logs the dead report" "grep -q 'dead' '$tmp/agent2.log'"
sleep 2.5   # past the first resend backoff (2 s)
check "a dead report is never sent again, the city never sees it" \
  "[ \"\$(states agent2)\" = '2023:acked 2024:dead' ] && ! grep -q '2024' '$tmp/city2.log' && [ \$(grep -c 'dead' '$tmp/agent2.log') -eq 1 ]"

# ---- after all that, everyone else is still served ----
"$bin/city-aggregator" watch --pub "$pub" --count 1 >"$tmp/watch.out" 2>/dev/null &
watch=$!; pids+=($watch)
sleep 0.5
"$bin/county-agent" submit --unit 513322 --data "$tmp/agent" "$scen/513322.csv" >/dev/null 2>&1
"$bin/county-agent" submit --unit 513322 --data "$tmp/agent" "$scen/513322.csv" >/dev/null 2>&1
for _ in $(seq 1 50); do [ "$(states agent)" = "2023:acked 2023:acked" ] && break; sleep 0.2; done
check "the legitimate agent's reports are acknowledged after the hostile traffic" "[ \"\$(states agent)\" = '2023:acked 2023:acked' ]"
check "the city stored its newest revision" "grep -q 'stored 513322 2023 resident revision 2' '$tmp/city.log'"
check "the feed still publishes to watch" "for _ in \$(seq 1 25); do [ -s '$tmp/watch.out' ] && break; sleep 0.2; done; grep -q '\"event\"' '$tmp/watch.out'"
check "the hub stored the city's pool" "waitlog '$tmp/hub.log' 'stored pool 513300 2023 resident'"
"$bin/province-hub" rank --query "$query_ep" --query-pub "$tmp/keys/510000.pub" --key "$tmp/keys/513300.key" \
  --period 2023 --fund resident --format json >"$tmp/rank.json" 2>"$tmp/rank.err"
check "the hub still answers a remote ranking" "grep -q '\"code\": \"513300\"' '$tmp/rank.json'"
check "every daemon is still running" "alive $city && alive $hub && alive $agent && alive $city2 && alive $agent2"
# Stopped while garbage keeps coming on every port: each exits 0, in time.
( while :; do for t in "$ep" "$pub" "$hub_ep" "$query_ep"; do
    "$hostile" --raw "$t" --size 2000 --wait 50 >/dev/null 2>&1; done; done ) &
flood=$!; pids+=($flood)
sleep 0.5
stop $city $hub $agent $city2 $agent2
kill $flood 2>/dev/null
check "they exit 0 on SIGTERM, under garbage traffic, within 15 s ($rcs)" "[ '$rcs' = '0 0 0 0 0' ]"
exit $fail
