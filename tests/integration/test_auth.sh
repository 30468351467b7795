#!/bin/bash
# Integration test of authentication and authorisation (issue 4, part 1):
# real daemons over CURVE on loopback, and a hostile client (tests/tools/hostile)
# that connects with keys of our choosing. Each point of the issue is its own
# check: keys missing from the allow directory, keys reporting for another
# unit, units of another city, cities of another province, plain-text
# clients, ZAP on every CURVE socket, --insecure off loopback, the modes of
# keys and databases, and secret keys others may read.
set -uo pipefail
bin=$(cd "$1" && pwd)
hostile="$bin/../tests/tools/hostile"
here=$(cd "$(dirname "$0")" && pwd)
scen="$here/../data/scenario-basic/data"
tmp=$(mktemp -d)
pids=()
fail=0
cleanup () { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mode () { stat -c %a "$1"; }
alive () { kill -0 "$1" 2>/dev/null; }
# Waits (up to 10 s) until the log file has a line matching the pattern.
waitlog () { for _ in $(seq 1 50); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done; return 1; }
# Sends SIGTERM to the processes and waits (up to 15 s) for each to exit;
# sets rcs to their exit codes, or "hung" for one that did not stop.
stop () { local p; rcs=""; kill -TERM "$@" 2>/dev/null
  for p in "$@"; do
    for _ in $(seq 1 150); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
    if kill -0 $p 2>/dev/null; then rcs="$rcs hung"; kill -9 $p; else wait $p; rcs="$rcs $?"; fi
  done; rcs=${rcs# }; }
[ -x "$hostile" ] || { echo "FAIL the hostile tool is not built at $hostile"; exit 1; }

# ---- keys: keygen of every binary, under umask 0 so that nothing but the
# ---- program decides the modes.
(umask 0
 for c in 513322 513331 513336 510402; do "$bin/county-agent" keygen --out "$tmp/keys" --name $c >/dev/null; done
 for c in 513300 510400 520100; do "$bin/city-aggregator" keygen --out "$tmp/keys" --name $c >/dev/null; done
 "$bin/province-hub" keygen --out "$tmp/hubkeys" --name 510000 >/dev/null)
modes_ok=1
for d in "$tmp/keys" "$tmp/hubkeys"; do
  [ "$(mode "$d")" = 700 ] || modes_ok=0
  for k in "$d"/*.key; do [ "$(mode "$k")" = 600 ] || modes_ok=0; done
  for p in "$d"/*.pub; do [ "$(mode "$p")" = 644 ] || modes_ok=0; done
done
check "keygen (all three binaries, umask 0): secret keys 0600 in 0700 directories, public keys 0644" \
  "[ $modes_ok = 1 ] && [ \$(ls $tmp/keys/*.key | wc -l) = 7 ]"

# The city allows 513322 and 510402 (a unit of another city) under their own
# keys, and 513331 under a public-key file edited to bind it to 513322.
# 513336 is not allowed at all.
mkdir -p "$tmp/allow" "$tmp/hallow"
cp "$tmp/keys/513322.pub" "$tmp/keys/510402.pub" "$tmp/allow/"
sed 's/code = "513331"/code = "513322"/' "$tmp/keys/513331.pub" >"$tmp/allow/513331.pub"
check "the edited allow file binds 513331's key to 513322" "grep -q 'code = \"513322\"' '$tmp/allow/513331.pub'"
# The hub allows the cities 513300, 510400 and 520100 (of another province).
cp "$tmp/keys/513300.pub" "$tmp/keys/510400.pub" "$tmp/keys/520100.pub" "$tmp/hallow/"
printf 'code,name\n513300,甘孜藏族自治州\n513322,泸定县\n513331,白玉县\n513336,乡城县\n' >"$tmp/units.csv"

ep="tcp://127.0.0.1:$(port)"; pub="tcp://127.0.0.1:$(port)"
hub_ep="tcp://127.0.0.1:$(port)"; query_ep="tcp://127.0.0.1:$(port)"
(umask 0; exec "$bin/province-hub" run --province 510000 --name 四川省 --data "$tmp/hub/db" --bind "$hub_ep" \
  --query-bind "$query_ep" --key "$tmp/hubkeys/510000.key" --allow "$tmp/hallow") 2>"$tmp/hub.log" &
hub=$!; pids+=($hub)
(umask 0; exec "$bin/city-aggregator" run --city 513300 --name 甘孜藏族自治州 --data "$tmp/city/db" --bind "$ep" \
  --pub "$pub" --key "$tmp/keys/513300.key" --allow "$tmp/allow" --units "$tmp/units.csv" \
  --province "$hub_ep" --province-pub "$tmp/hubkeys/510000.pub") 2>"$tmp/city.log" &
city=$!; pids+=($city)
for u in 513322 513331 513336; do
  (umask 0; exec "$bin/county-agent" run --unit $u --data "$tmp/agent/$u" --city "$ep" \
    --city-pub "$tmp/keys/513300.pub" --key "$tmp/keys/$u.key") 2>"$tmp/$u.log" &
  pids+=($!)
done
waitlog "$tmp/city.log" "receiving on" && waitlog "$tmp/hub.log" "receiving on"
check "the daemons start" "alive $city && alive $hub"

(umask 0
 "$bin/county-agent" submit --unit 513322 --data "$tmp/agent/513322" "$scen/513322.csv" >/dev/null 2>&1
 "$bin/county-agent" submit --unit 513331 --data "$tmp/agent/513331" "$scen/513331.csv" >/dev/null 2>&1
 "$bin/county-agent" submit --unit 513336 --data "$tmp/agent/513336" "$scen/513336.csv" >/dev/null 2>&1)
state () { "$bin/county-agent" status --data "$tmp/agent/$1" --format json | python3 -c "
import json,sys; d=json.load(sys.stdin); print(' '.join(r['state'] for r in d['reports']))"; }
field () { "$bin/county-agent" status --data "$tmp/agent/$1" --format json | python3 -c "
import json,sys; d=json.load(sys.stdin); print(d['reports'][0]['$2'])"; }
for _ in $(seq 1 50); do
  [ "$(state 513322)" = acked ] && [ "$(state 513331)" = rejected ] && break; sleep 0.2
done
check "the allowed agent is acknowledged" "[ \"\$(state 513322)\" = acked ]"

# ---- 1. a key missing from the allow directory is refused ----
out=$("$hostile" --connect "$ep" --key "$tmp/keys/513336.key" --server-pub "$tmp/keys/513300.pub" \
  --send report --csv "$scen/513336.csv" --wait 500)
check "unlisted key: the handshake is refused by ZAP (status 400)" "grep -q 'handshake refused: auth 400' <<<\"\$out\""
check "unlisted key: nothing gets through, no answer" "grep -q 'no answer' <<<\"\$out\" && ! grep -q '^ack' <<<\"\$out\""
check "unlisted key: the city logs the refusal and its reason" \
  "waitlog '$tmp/city.log' 'refused a key that is not in the allow directory (ZAP status 400)'"
check "unlisted key: the real agent 513336 is never acknowledged, the city never stores it" \
  "[ \"\$(state 513336)\" != acked ] && ! grep -q ' 513336 ' '$tmp/city.log'"

# ---- 2. an allowed key reporting for another unit is refused with a reason ----
out=$("$hostile" --connect "$ep" --key "$tmp/keys/513322.key" --server-pub "$tmp/keys/513300.pub" \
  --send report --csv "$scen/513331.csv" --unit 513331)
check "another unit's report under an allowed key: rejected with the jurisdiction reason" \
  "grep -q 'ack rejected kind=report unit=513331 .*reason=unit 513331 may not be reported with the key of 513322 (jurisdiction)' <<<\"\$out\""
check "another unit's report: the city logs the rejection and its reason" \
  "grep -q 'rejected 513331 2023 resident revision 1: unit 513331 may not be reported with the key of 513322' '$tmp/city.log'"
check "the agent whose allow file binds its key to another unit records 'rejected'" "[ \"\$(state 513331)\" = rejected ]"
check "... and the reason, in county-agent status" \
  "[ \"\$(field 513331 reason)\" = 'unit 513331 may not be reported with the key of 513322 (jurisdiction)' ]"
check "... also in the table of county-agent status" \
  "\"$bin/county-agent\" status --data '$tmp/agent/513331' | grep -q 'rejected  unit 513331 may not be reported'"

# ---- 3. a unit of another city, a city of another province ----
out=$("$hostile" --connect "$ep" --key "$tmp/keys/510402.key" --server-pub "$tmp/keys/513300.pub" \
  --send report --csv "$scen/510904.csv" --unit 510402)
check "a unit of another city, under its own allowed key: rejected by the city" \
  "grep -q 'ack rejected .*reason=unit 510402 is not inside city 513300 (jurisdiction)' <<<\"\$out\""
out=$("$hostile" --connect "$hub_ep" --key "$tmp/keys/520100.key" --server-pub "$tmp/hubkeys/510000.pub" \
  --send evaluation --code 520100 --city 520100 --level pool)
check "a city of another province, under its own allowed key: rejected by the hub" \
  "grep -q 'ack rejected kind=evaluation .*reason=520100 is not inside province 510000 (jurisdiction)' <<<\"\$out\""
out=$("$hostile" --connect "$hub_ep" --key "$tmp/keys/513300.key" --server-pub "$tmp/hubkeys/510000.pub" \
  --send evaluation --code 510402 --city 510400)
check "a city sending another city's evaluation: rejected by the hub" \
  "grep -q 'ack rejected .*reason=city 513300 may not send the evaluations of city 510400 (jurisdiction)' <<<\"\$out\""
out=$("$hostile" --connect "$hub_ep" --key "$tmp/keys/513300.key" --server-pub "$tmp/hubkeys/510000.pub" \
  --send evaluation --code 510402 --city 513300)
check "a city sending a unit of another city as its own: rejected by the hub" \
  "grep -q 'ack rejected .*reason=unit 510402 is not inside city 513300 (jurisdiction)' <<<\"\$out\""
check "the hub logs the rejections and their reasons" \
  "grep -q 'rejected 520100 2023 resident version 1: 520100 is not inside province 510000' '$tmp/hub.log' && grep -q 'rejected 510402 2023 resident version 1: city 513300 may not send' '$tmp/hub.log'"

# ---- 4. a plain-text client against a CURVE endpoint gets nothing through ----
plain_ok=1
for target in "$ep" "$hub_ep" "$query_ep"; do
  out=$("$hostile" --connect "$target" --send report --csv "$scen/513322.csv" --wait 500)
  grep -q 'handshake failed' <<<"$out" && grep -q 'no answer' <<<"$out" && ! grep -q '^ack\|^reply' <<<"$out" || plain_ok=0
done
check "plain text against the city, the hub and the hub's query endpoint: handshake fails, no answer" "[ $plain_ok = 1 ]"
check "plain text: the city logs why it dropped the connection" \
  "waitlog '$tmp/city.log' 'dropped a peer without CURVE\\|ended before its handshake completed'"
check "plain text: the hub logs why it dropped the connections" \
  "waitlog '$tmp/hub.log' 'dropped a peer without CURVE\\|ended before its handshake completed'"

# ---- 5. no CURVE socket runs without its ZAP handler: an unlisted key on every one ----
zap_ok=1
for target in "$ep|$tmp/keys/513300.pub" "$hub_ep|$tmp/hubkeys/510000.pub" "$query_ep|$tmp/hubkeys/510000.pub"; do
  out=$("$hostile" --connect "${target%%|*}" --key "$tmp/keys/513336.key" --server-pub "${target##*|}" \
    --send query --wait 500)
  grep -q 'handshake refused: auth 400' <<<"$out" && ! grep -q '^ack\|^reply' <<<"$out" || zap_ok=0
done
check "ZAP answers on every CURVE socket (city, hub, hub queries): an unlisted key is refused" "[ $zap_ok = 1 ]"
out=$("$hostile" --connect "$query_ep" --key "$tmp/keys/513300.key" --server-pub "$tmp/hubkeys/510000.pub" --send query)
check "control: a listed key is answered on the query endpoint" "grep -q 'handshake ok' <<<\"\$out\" && grep -q '^reply exit=' <<<\"\$out\""
# The remote rank of an unlisted key: checked at the end.
"$bin/province-hub" rank --query "$query_ep" --query-pub "$tmp/hubkeys/510000.pub" --key "$tmp/keys/513336.key" \
  --period 2023 --fund resident >"$tmp/rank.out" 2>"$tmp/rank.err" &
rank=$!; pids+=($rank)

# ---- 6. --insecure is refused for non-loopback endpoints ----
insecure_refused () { # command... : exits non-zero at once, saying why
  timeout 10 "$@" >/dev/null 2>"$tmp/insecure.err"; local rc=$?
  [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'only allowed on loopback or ipc' "$tmp/insecure.err"; }
p=$(port)
check "--insecure: county-agent run refuses tcp://0.0.0.0" \
  "insecure_refused '$bin/county-agent' run --insecure --unit 513322 --data '$tmp/ins/a' --city tcp://0.0.0.0:$p"
check "--insecure: city-aggregator run refuses --bind tcp://*" \
  "insecure_refused '$bin/city-aggregator' run --insecure --city 513300 --name x --data '$tmp/ins/c' --bind 'tcp://*:$p' --pub tcp://127.0.0.1:$(port)"
check "--insecure: city-aggregator run refuses --bind tcp://0.0.0.0" \
  "insecure_refused '$bin/city-aggregator' run --insecure --city 513300 --name x --data '$tmp/ins/c' --bind tcp://0.0.0.0:$p --pub tcp://127.0.0.1:$(port)"
check "--insecure: city-aggregator run refuses a non-loopback --province" \
  "insecure_refused '$bin/city-aggregator' run --insecure --city 513300 --name x --data '$tmp/ins/c' --bind tcp://127.0.0.1:$(port) --pub tcp://127.0.0.1:$(port) --province tcp://0.0.0.0:$p"
check "--insecure: province-hub run refuses --bind tcp://*" \
  "insecure_refused '$bin/province-hub' run --insecure --province 510000 --name x --data '$tmp/ins/h' --bind 'tcp://*:$p' --query-bind tcp://127.0.0.1:$(port)"
check "--insecure: province-hub run refuses --query-bind tcp://0.0.0.0" \
  "insecure_refused '$bin/province-hub' run --insecure --province 510000 --name x --data '$tmp/ins/h' --bind tcp://127.0.0.1:$(port) --query-bind tcp://0.0.0.0:$p"
check "--insecure: province-hub rank refuses --query tcp://0.0.0.0" \
  "insecure_refused '$bin/province-hub' rank --insecure --query tcp://0.0.0.0:$p --period 2023 --fund resident"
"$bin/city-aggregator" run --insecure --city 513300 --name x --data "$tmp/ins/ok" --bind "tcp://127.0.0.1:$(port)" \
  --pub "tcp://127.0.0.1:$(port)" 2>"$tmp/ins-ok.log" &
ins=$!; pids+=($ins)
check "control: --insecure on loopback starts (with its warning)" "waitlog '$tmp/ins-ok.log' 'links are plain text' && alive $ins"
stop $ins

# ---- 7. databases: 0600 files in 0700 directories (created under umask 0) ----
db_ok=1
for d in "$tmp/agent/513322" "$tmp/agent/513331" "$tmp/city/db" "$tmp/hub/db" "$tmp/city" "$tmp/hub" "$tmp/agent"; do
  [ "$(mode "$d")" = 700 ] || { db_ok=0; echo "  $d: $(mode "$d")"; }
done
for f in "$tmp"/agent/*/*.mdb "$tmp"/city/db/*.mdb "$tmp"/hub/db/*.mdb; do
  [ "$(mode "$f")" = 600 ] || { db_ok=0; echo "  $f: $(mode "$f")"; }
done
check "LMDB of agent, city and hub: data.mdb and lock.mdb 0600, directories 0700" \
  "[ $db_ok = 1 ] && [ \$(ls $tmp/agent/*/data.mdb $tmp/city/db/data.mdb $tmp/hub/db/data.mdb | wc -l) = 5 ]"

# ---- 8. a secret key others (or the group) may read is refused at start ----
cp -p "$tmp/keys/513322.key" "$tmp/keys/loose.key"; chmod 0644 "$tmp/keys/loose.key"
cp -p "$tmp/keys/513300.key" "$tmp/keys/loose-city.key"; chmod 0644 "$tmp/keys/loose-city.key"
cp -p "$tmp/hubkeys/510000.key" "$tmp/hubkeys/loose.key"; chmod 0640 "$tmp/hubkeys/loose.key"
key_refused () { # command... : exits non-zero at once, naming the mode
  timeout 10 "$@" >/dev/null 2>"$tmp/key.err"; local rc=$?
  [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'lets group or others read the secret key' "$tmp/key.err"; }
check "county-agent run refuses a secret key of mode 0644" \
  "key_refused '$bin/county-agent' run --unit 513322 --data '$tmp/loose/a' --city tcp://127.0.0.1:$(port) --city-pub '$tmp/keys/513300.pub' --key '$tmp/keys/loose.key'"
check "city-aggregator run refuses a secret key of mode 0644" \
  "key_refused '$bin/city-aggregator' run --city 513300 --name x --data '$tmp/loose/c' --bind tcp://127.0.0.1:$(port) --pub tcp://127.0.0.1:$(port) --key '$tmp/keys/loose-city.key' --allow '$tmp/allow'"
check "province-hub run refuses a secret key of mode 0640" \
  "key_refused '$bin/province-hub' run --province 510000 --name x --data '$tmp/loose/h' --bind tcp://127.0.0.1:$(port) --query-bind tcp://127.0.0.1:$(port) --key '$tmp/hubkeys/loose.key' --allow '$tmp/hallow'"
check "province-hub rank --query refuses a client secret key of mode 0644" \
  "key_refused '$bin/province-hub' rank --query '$query_ep' --query-pub '$tmp/hubkeys/510000.pub' --key '$tmp/keys/loose-city.key' --period 2023 --fund resident"
check "the refused daemons left no database behind" "[ ! -e '$tmp/loose/c/data.mdb' ] && [ ! -e '$tmp/loose/h/data.mdb' ]"

wait $rank; rc_rank=$?
check "province-hub rank --query with an unlisted key gets no answer (exit 1), and says the hub refused the key" \
  "[ $rc_rank -eq 1 ] && grep -q 'no answer from .*: the hub refused our key' '$tmp/rank.err' && [ ! -s '$tmp/rank.out' ]"

check "the city and the hub are still running" "alive $city && alive $hub"
stop $city $hub
check "the city and the hub exit 0 on SIGTERM within 15 s ($rcs)" "[ '$rcs' = '0 0' ]"
exit $fail
