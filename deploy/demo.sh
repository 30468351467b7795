#!/bin/bash
# Demo on loopback: installs what is missing, builds, makes CURVE keys, and
# runs the whole chain: a province hub (四川省), two city aggregators (攀枝花市
# and 巴中市) and the agents of two reporting units. It submits the figures
# of two of the seed evaluation reports (deploy/sample), shows what the
# agents and the cities made of them, and ends with the provincial ranking,
# asked of the hub over its CURVE query endpoint as a city bureau would.
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
keys="$demo/keys"

echo "== keys (CURVE), each bound to its administrative code"
for code in 510000 510400 511900 511902; do "$bin/county-agent" keygen --out "$keys" --name $code; done
mkdir -p "$demo/allow-510000" "$demo/allow-510400" "$demo/allow-511900"
cp "$keys/510400.pub" "$keys/511900.pub" "$demo/allow-510000/"
cp "$keys/510400.pub" "$demo/allow-510400/"
cp "$keys/511902.pub" "$demo/allow-511900/"

hub_ep="tcp://127.0.0.1:$(port)"; query_ep="tcp://127.0.0.1:$(port)"
echo "== province-hub run (四川省)"
"$bin/province-hub" run --province 510000 --name 四川省 --data "$demo/hub" --bind "$hub_ep" \
  --query-bind "$query_ep" --key "$keys/510000.key" --allow "$demo/allow-510000" 2>"$demo/hub.log" &
pids+=($!)
declare -A city_ep
for city in 510400:攀枝花市 511900:巴中市; do
  code=${city%%:*}; name=${city#*:}
  city_ep[$code]="tcp://127.0.0.1:$(port)"
  echo "== city-aggregator run ($name)"
  "$bin/city-aggregator" run --city $code --name $name --data "$demo/city-$code" \
    --bind "${city_ep[$code]}" --pub "tcp://127.0.0.1:$(port)" --key "$keys/$code.key" \
    --allow "$demo/allow-$code" --units deploy/sample/units-$code.csv \
    --province "$hub_ep" --province-pub "$keys/510000.pub" 2>"$demo/city-$code.log" &
  pids+=($!)
done
for unit in 510400:510400 511902:511900; do
  code=${unit%%:*}; city=${unit#*:}
  echo "== county-agent run ($code)"
  "$bin/county-agent" run --unit $code --data "$demo/agent-$code" --city "${city_ep[$city]}" \
    --city-pub "$keys/$city.pub" --key "$keys/$code.key" 2>"$demo/agent-$code.log" &
  pids+=($!)
done
sleep 0.5

echo; echo "== county-agent submit: the figures printed in the seed reports"
"$bin/county-agent" submit --unit 510400 --data "$demo/agent-510400" deploy/sample/510400-2023-resident.csv
"$bin/county-agent" submit --unit 511902 --data "$demo/agent-511902" deploy/sample/511902-2019-resident.csv
for i in $(seq 1 100); do
  "$bin/province-hub" show --data "$demo/hub" --unit 511900 --period 2019 --fund resident --format json \
    >/dev/null 2>&1 && "$bin/province-hub" show --data "$demo/hub" --unit 510400 --period 2023 \
    --fund resident --format json >/dev/null 2>&1 && break
  sleep 0.2
done

echo; echo "== county-agent status (510400)"
"$bin/county-agent" status --data "$demo/agent-510400"
echo; echo "== city-aggregator show: 攀枝花市 市本级 2023 (its declared 95 points are checked)"
"$bin/city-aggregator" show --data "$demo/city-510400" --unit 510400 --period 2023 --fund resident
echo; echo "== city-aggregator status (巴中市)"
"$bin/city-aggregator" status --data "$demo/city-511900"
echo; echo "== province-hub show --unit 511902 (巴州区 2019, as the province stored it)"
"$bin/province-hub" show --data "$demo/hub" --unit 511902 --period 2019 --fund resident
echo; echo "== provincial ranking, asked over the hub's CURVE query endpoint with 攀枝花市's key"
"$bin/province-hub" rank --query "$query_ep" --query-pub "$keys/510000.pub" --key "$keys/510400.key" \
  --period 2023 --fund resident --level city --by total
"$bin/province-hub" rank --query "$query_ep" --query-pub "$keys/510000.pub" --key "$keys/510400.key" \
  --period 2019 --fund resident --level county --by months_payable
echo; echo "demo data and logs kept in $demo"
