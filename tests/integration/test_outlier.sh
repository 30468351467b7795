#!/bin/bash
# Integration test of the outlier warning (SPEC 9.3): a real agent sends
# two generated 36-month series to a real city (loopback, real LMDB). In
# one, month 30's income is planted ten times too high; the other is clean.
# The planted value is found (item, value, median, score), nowhere else in
# either series is there an outlier, fewer than 4 earlier months give no
# verdict, and a higher --outlier-z lets it pass. Never a rejection.
set -uo pipefail
bin=$(cd "$1" && pwd)
tmp=$(mktemp -d)
pids=()
fail=0
cleanup () { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"; }
trap cleanup EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Two series of 36 months, without anomalies: each figure runs through a
# cycle of 11 offsets (a spread like a real one, no drift), the two units
# out of step; 510402's 2023-06 income is planted ten times too high.
python3 - "$tmp" <<'PY'
import sys
tmp = sys.argv[1]
for unit, shift in (("510402", 0), ("510403", 4)):
    for i in range(36):
        period = "%d-%02d" % (2021 + i // 12, i % 12 + 1)
        k = i + shift
        income = 1000000 + 20000 * ((k * 7) % 11 - 5)
        if unit == "510402" and period == "2023-06":
            income *= 10
        expense = 950000 + 15000 * ((k * 4) % 11 - 5)
        sat = 90 + ((k * 3) % 11) * 0.5
        with open("%s/%s-%s.csv" % (tmp, unit, period), "w") as f:
            f.write("unit,period,fund,item,value,unit_of_measure,target\n")
            f.write("%s,%s,resident,income.premium,%d.00,yuan,\n" % (unit, period, income))
            f.write("%s,%s,resident,income.total,%d.00,yuan,\n" % (unit, period, income))
            f.write("%s,%s,resident,expense.total,%d.00,yuan,\n" % (unit, period, expense))
            f.write("%s,%s,resident,ind.satisfaction,%.1f,%%,\n" % (unit, period, sat))
PY
printf 'code,name\n510400,攀枝花市\n510402,东区\n510403,西区\n' >"$tmp/units.csv"
mkdir -p "$tmp/allow"
start_city () {
  ep="tcp://127.0.0.1:$(port)"
  "$bin/city-aggregator" run --city 510400 --name 攀枝花市 --data "$tmp/city" --bind "$ep" \
    --pub "tcp://127.0.0.1:$(port)" --insecure --allow "$tmp/allow" --units "$tmp/units.csv" "$@" \
    2>>"$tmp/city.log" & city=$!; pids+=($city)
}
start_city
for u in 510402 510403; do
  "$bin/county-agent" submit --unit $u --data "$tmp/agent-$u" "$tmp"/$u-*.csv >/dev/null 2>&1
  "$bin/county-agent" run --unit $u --data "$tmp/agent-$u" --city "$ep" --insecure 2>"$tmp/agent-$u.log" &
  pids+=($!)
done
acked () { "$bin/county-agent" status --data "$tmp/agent-$1" --format json 2>/dev/null |
  python3 -c 'import json,sys; print(sum(r["state"] == "acked" for r in json.load(sys.stdin)["reports"]))'; }
for i in $(seq 1 150); do [ "$(acked 510402)" = 36 ] && [ "$(acked 510403)" = 36 ] && break; sleep 0.2; done
check "all 72 monthly reports are acknowledged (an outlier is never a rejection)" \
  '[ "$(acked 510402)" = 36 ] && [ "$(acked 510403)" = 36 ]'

# outliers UNIT: "period item" of every outlier warning the city shows.
outliers () {
  for m in $(seq 0 35); do
    p=$(printf '%d-%02d' $((2021 + m / 12)) $((m % 12 + 1)))
    "$bin/city-aggregator" show --data "$tmp/city" --unit "$1" --period "$p" --fund resident --format json |
      python3 -c "
import json,sys
for w in json.load(sys.stdin)['warnings']:
    if w['code'] == 'outlier': print('$p', w['message'])"
  done
}
outliers 510402 >"$tmp/o402"
outliers 510403 >"$tmp/o403"
check "the planted income of 2023-06 is found" \
  'grep -q "^2023-06 income.total 10[0-9]\{6\}\.00 is far from its history: median [0-9]*\.[0-9]* over 29 earlier periods, modified z-score [0-9]*\.[0-9][0-9] (limit 3.5)" "$tmp/o402"'
check "income.premium, the same figure, is found too, and nothing else" \
  '[ "$(cut -d" " -f1,2 "$tmp/o402" | sort | tr "\n" " ")" = "2023-06 income.premium 2023-06 income.total " ]' ||
  cat "$tmp/o402"
check "the clean series has no outlier" '[ ! -s "$tmp/o403" ]' || cat "$tmp/o403"

# A higher threshold lets it pass (stored in the city's configuration).
kill -TERM $city; wait $city
start_city --outlier-z 1000
sleep 1
check "--outlier-z 1000 lets the planted value pass" '[ -z "$(outliers 510402)" ]'
exit $fail
