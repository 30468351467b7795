#!/bin/bash
# Integration test of refused links (issue 7, item 8): real daemons over CURVE
# on loopback. A client whose handshake fails must say why, once, naming the
# endpoint: an agent whose key the city's allow directory lacks, an agent with
# a wrong --city-pub, an agent running --insecure against a CURVE city, an
# agent with nothing listening, a city whose key the hub lacks, and a remote
# rank with a key the hub does not allow. county-agent status shows the
# condition, and the refused agent recovers on its own once its key is allowed.
set -uo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
report="$here/../data/refused/report.csv"
tmp=$(mktemp -d)
pids=()
fail=0
cleanup () { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
alive () { kill -0 "$1" 2>/dev/null; }
# Waits (up to $3 s, default 10) until the log file has a line matching the pattern.
waitlog () { for _ in $(seq 1 $((${3:-10} * 5))); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done; return 1; }
stop () { local p; rcs=""; kill -TERM "$@" 2>/dev/null
  for p in "$@"; do
    for _ in $(seq 1 150); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
    if kill -0 $p 2>/dev/null; then rcs="$rcs hung"; kill -9 $p; else wait $p; rcs="$rcs $?"; fi
  done; rcs=${rcs# }; }
# A member of the JSON of county-agent status of unit $1: its path in $2... (e.g. link state).
status () { local u=$1; shift; "$bin/county-agent" status --data "$tmp/agent/$u" --format json | python3 -c "
import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1:]: d=d[int(k)] if k.isdigit() else d[k]
print(d)" "$@" 2>/dev/null; }
# Waits (up to 10 s) until the agent u's saved link is in state $2: run
# saves it in its loop, a moment after it logs the change.
waitlink () { for _ in $(seq 1 100); do [ "$(status "$1" link state)" = "$2" ] && return 0; sleep 0.1; done; return 1; }

for c in 510402 510403 510404 510405 510406; do "$bin/county-agent" keygen --out "$tmp/keys" --name $c >/dev/null; done
"$bin/city-aggregator" keygen --out "$tmp/keys" --name 510400 >/dev/null
"$bin/city-aggregator" keygen --out "$tmp/keys" --name 510500 >/dev/null
"$bin/province-hub" keygen --out "$tmp/hubkeys" --name 510000 >/dev/null
# The city allows 510403, 510404 and 510406, not 510402; the hub allows 510500, not 510400.
mkdir -p "$tmp/allow" "$tmp/hallow"
cp "$tmp/keys/510403.pub" "$tmp/keys/510404.pub" "$tmp/keys/510406.pub" "$tmp/allow/"
cp "$tmp/keys/510500.pub" "$tmp/hallow/"

ep="tcp://127.0.0.1:$(port)"; pub="tcp://127.0.0.1:$(port)"
hub_ep="tcp://127.0.0.1:$(port)"; query_ep="tcp://127.0.0.1:$(port)"; nobody="tcp://127.0.0.1:$(port)"
"$bin/province-hub" run --province 510000 --name 四川省 --data "$tmp/hub" --bind "$hub_ep" \
  --query-bind "$query_ep" --key "$tmp/hubkeys/510000.key" --allow "$tmp/hallow" 2>"$tmp/hub.log" &
hub=$!; pids+=($hub)
start_city () {
  "$bin/city-aggregator" run --city 510400 --name 攀枝花市 --data "$tmp/city" --bind "$ep" --pub "$pub" \
    --key "$tmp/keys/510400.key" --allow "$tmp/allow" --province "$hub_ep" \
    --province-pub "$tmp/hubkeys/510000.pub" 2>>"$tmp/city.log" &
  city=$!; pids+=($city); }
start_city
waitlog "$tmp/hub.log" "receiving on" && waitlog "$tmp/city.log" "receiving on"
check "the hub and the city start" "alive $hub && alive $city"

for u in 510402 510403 510404 510405 510406; do
  sed "s/^UNIT/$u/" "$report" >"$tmp/$u.csv"
  "$bin/county-agent" submit --unit $u --data "$tmp/agent/$u" "$tmp/$u.csv" >/dev/null 2>&1
done
agent () { # unit, extra flags...: starts county-agent run, its log in UNIT.log
  local u=$1; shift
  "$bin/county-agent" run --unit $u --data "$tmp/agent/$u" "$@" 2>>"$tmp/$u.log" &
  pids+=($!); }
agent 510402 --city "$ep" --city-pub "$tmp/keys/510400.pub" --key "$tmp/keys/510402.key"
a402=$!
agent 510403 --city "$ep" --city-pub "$tmp/keys/510500.pub" --key "$tmp/keys/510403.key"
agent 510404 --city "$ep" --insecure
agent 510405 --city "$nobody" --city-pub "$tmp/keys/510400.pub" --key "$tmp/keys/510405.key"
agent 510406 --city "$ep" --city-pub "$tmp/keys/510400.pub" --key "$tmp/keys/510406.key"

# ---- a key the city's allow directory lacks ----
check "unlisted key: the agent logs that the city refused its key, naming the endpoint and the file to allow" \
  "waitlog '$tmp/510402.log' 'WARN .*$ep: the city refused our key: is $tmp/keys/510402.pub in the city.s allow directory?'"
waitlink 510402 key_refused
check "unlisted key: county-agent status shows the refusal (JSON link)" \
  "[ \"\$(status 510402 link state) \$(status 510402 link endpoint)\" = 'key_refused $ep' ] && status 510402 link message | grep -q 'refused our key'"
check "unlisted key: county-agent status shows it in its table too, with the time" \
  "\"$bin/county-agent\" status --data '$tmp/agent/510402' | grep -q \"^link to $ep: the city refused our key: .* (since 20[0-9-]*T[0-9:]*Z)\$\""
check "unlisted key: the report is not acknowledged" "[ \"\$(status 510402 reports 0 state)\" != acked ]"

# ---- a wrong --city-pub: libzmq retries every 100 ms, the log says it once ----
check "wrong --city-pub: the agent logs that the city's public key does not match" \
  "waitlog '$tmp/510403.log' \"WARN .*$ep: handshake failed: the city's public key (--city-pub $tmp/keys/510500.pub) does not match\""
sleep 2
check "wrong --city-pub: logged once, not once per retry" "[ \$(grep -c 'handshake failed' '$tmp/510403.log') = 1 ]"
waitlink 510403 server_key_mismatch
check "wrong --city-pub: county-agent status shows it" \
  "[ \"\$(status 510403 link state)\" = server_key_mismatch ]"

# ---- --insecure against a CURVE city ----
check "--insecure against CURVE: the agent logs the mismatch" \
  "waitlog '$tmp/510404.log' 'WARN .*$ep: handshake failed: the city uses CURVE and we run --insecure: give --key and --city-pub instead'"
waitlink 510404 security_mismatch
check "--insecure against CURVE: county-agent status shows it" \
  "[ \"\$(status 510404 link state)\" = security_mismatch ]"

# ---- nothing listening ----
check "nothing listening: the agent logs it once" \
  "waitlog '$tmp/510405.log' 'WARN .*$nobody: cannot connect: nothing accepts connections there' && sleep 1 && [ \$(grep -c 'cannot connect' '$tmp/510405.log') = 1 ]"

# ---- control: an allowed agent is connected and acknowledged, and says so ----
for _ in $(seq 1 50); do [ "$(status 510406 reports 0 state)" = acked ] && break; sleep 0.2; done
check "control: the allowed agent is acknowledged, logs no problem, status says connected" \
  "[ \"\$(status 510406 reports 0 state) \$(status 510406 link state)\" = 'acked connected' ] && ! grep -q WARN '$tmp/510406.log'"

# ---- the city's link to the hub ----
check "the city logs that the hub refused its key" \
  "waitlog '$tmp/city.log' \"WARN .*$hub_ep: the hub refused our key: is $tmp/keys/510400.pub in the hub's allow directory?\""
citystatus=""
for _ in $(seq 1 50); do
  citystatus=$("$bin/city-aggregator" status --data "$tmp/city" --format json 2>/dev/null)
  grep -q key_refused <<<"$citystatus" && break; sleep 0.1
done
check "city-aggregator status shows that the hub refused the city's key (JSON link and table)" \
  "python3 -c 'import json,sys; l=json.loads(sys.argv[1])[\"link\"]; assert l[\"state\"]==\"key_refused\" and l[\"endpoint\"]==\"$hub_ep\", l' \"\$citystatus\" && \"$bin/city-aggregator\" status --data '$tmp/city' | grep -q \"^link to $hub_ep: the hub refused our key\""

# ---- rank --query with a key the hub does not allow: a clear message, exit 1, at once ----
t0=$(date +%s)
"$bin/province-hub" rank --query "$query_ep" --query-pub "$tmp/hubkeys/510000.pub" --key "$tmp/keys/510402.key" \
  --period 2023 --fund resident >"$tmp/rank.out" 2>"$tmp/rank.err"; rc=$?
t1=$(date +%s)
check "rank --query with an unlisted key: exit 1 with the reason, before its 10 s timeout ($((t1 - t0)) s)" \
  "[ $rc -eq 1 ] && [ $((t1 - t0)) -lt 9 ] && grep -q \"no answer from $query_ep: the hub refused our key: is $tmp/keys/510402.pub in the hub's allow directory?\" '$tmp/rank.err' && [ ! -s '$tmp/rank.out' ]"
"$bin/province-hub" show --query "$query_ep" --query-pub "$tmp/keys/510400.pub" --key "$tmp/keys/510500.key" \
  --unit 510400 --period 2023 --fund resident >/dev/null 2>"$tmp/show.err"; rc=$?
check "show --query with a wrong --query-pub: exit 1, saying the key does not match" \
  "[ $rc -eq 1 ] && grep -q \"the hub's public key (--query-pub $tmp/keys/510400.pub) does not match\" '$tmp/show.err'"
"$bin/province-hub" rank --query "$query_ep" --query-pub "$tmp/hubkeys/510000.pub" --key "$tmp/keys/510500.key" \
  --period 2023 --fund resident >/dev/null 2>"$tmp/rank-ok.err"; rc=$?
check "control: rank --query with an allowed key is answered (exit $rc)" \
  "[ $rc -ne 1 ] && ! grep -q 'no answer' '$tmp/rank-ok.err'"

# ---- the refused agent recovers once its key is allowed (the city restarted) ----
cp "$tmp/keys/510402.pub" "$tmp/allow/"
stop $city
start_city
for _ in $(seq 1 150); do [ "$(status 510402 reports 0 state)" = acked ] && break; sleep 0.2; done
check "once allowed, the refused agent reconnects by itself and is acknowledged" \
  "[ \"\$(status 510402 reports 0 state)\" = acked ] && alive $a402"
check "... logs that it is connected, and status keeps the last problem" \
  "grep -q 'INFO .*$ep: connected to the city' '$tmp/510402.log' && [ \"\$(status 510402 link state)\" = connected ] && status 510402 link last_problem | grep -q 'refused our key'"
check "... the table says connected, with the last problem and its time" \
  "\"$bin/county-agent\" status --data '$tmp/agent/510402' | grep -q \"^link to $ep: connected to the city (since .*); last problem, at 20.*Z: the city refused our key\""

check "every daemon still runs" "alive $hub && alive $city && alive $a402"
stop $city $hub
check "the city and the hub exit 0 on SIGTERM ($rcs)" "[ '$rcs' = '0 0' ]"
exit $fail
