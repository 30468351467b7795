#!/bin/bash
# Demo on loopback: installs what is missing, builds, makes CURVE keys, starts
# a city aggregator (攀枝花市) and the agent of its 市本级, submits the 2023
# figures of the city's own evaluation report (deploy/sample), and shows what
# the city made of them. Everything lives in a temporary directory.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 >/dev/null
bin="$top/build/bin"
demo=$(mktemp -d /tmp/fundchain-demo.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== keys (CURVE, each bound to its administrative code)"
"$bin/county-agent" keygen --out "$demo/keys" --name 510400
mkdir -p "$demo/allow" && cp "$demo/keys/510400.pub" "$demo/allow/"

city_ep="tcp://127.0.0.1:$(port)"; feed="tcp://127.0.0.1:$(port)"
echo "== city-aggregator run (攀枝花市) on $city_ep"
"$bin/city-aggregator" run --city 510400 --name 攀枝花市 --data "$demo/city" --bind "$city_ep" \
  --pub "$feed" --key "$demo/keys/510400.key" --allow "$demo/allow" \
  --units deploy/sample/units-510400.csv 2>"$demo/city.log" &
pids+=($!)
echo "== county-agent run (市本级 510400)"
"$bin/county-agent" run --unit 510400 --data "$demo/agent" --city "$city_ep" \
  --city-pub "$demo/keys/510400.pub" --key "$demo/keys/510400.key" 2>"$demo/agent.log" &
pids+=($!)
sleep 0.5

echo "== county-agent submit deploy/sample/510400-2023-resident.csv"
"$bin/county-agent" submit --unit 510400 --data "$demo/agent" deploy/sample/510400-2023-resident.csv || true
for i in $(seq 1 50); do
  "$bin/county-agent" status --data "$demo/agent" --format json | grep -q '"acked"' && break
  sleep 0.2
done
echo; echo "== county-agent status"
"$bin/county-agent" status --data "$demo/agent"
echo; echo "== city-aggregator show --unit 510400 (the 市本级's own evaluation)"
"$bin/city-aggregator" show --data "$demo/city" --unit 510400 --period 2023 --fund resident
echo; echo "== city-aggregator pool (攀枝花市 2023 resident)"
"$bin/city-aggregator" pool --data "$demo/city" --period 2023 --fund resident
echo; echo "== city-aggregator status"
"$bin/city-aggregator" status --data "$demo/city"
echo; echo "demo data and logs kept in $demo"
