#!/bin/bash
# Integration test of the printed outputs (SPEC 9.2): real agents, two
# cities and the hub on loopback, real LMDB. The dossier a report is made
# from must hold exactly what pool, show and rank print; the hub answers
# report and narrative alike from --data and --query; the narrative of
# 攀枝花's 2023 figures (seed 003) says 100.64%, 98.31%, 7.44 and the
# computed total; the HTML opens offline in headless Chromium
# (tests/tools/browsercheck.py) when the machine has it.
set -uo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../data/reports"
tmp=$(mktemp -d)
pids=()
fail=0
cleanup () { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"; }
trap cleanup EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
py () { python3 -c "$1"; }
wait_for () { for i in $(seq 1 150); do eval "$1" && return 0; sleep 0.2; done; return 1; }

# report UNIT PERIOD INCOME SATISFACTION -> a small valid CSV
report () {
  cat <<CSV
unit,period,fund,item,value,unit_of_measure,target
$1,$2,resident,income.premium,$3,yuan,
$1,$2,resident,income.total,$3,yuan,
$1,$2,resident,expense.benefit,1000.00,yuan,
$1,$2,resident,expense.total,1000.00,yuan,
$1,$2,resident,budget.income,2000.00,yuan,
$1,$2,resident,ind.satisfaction,$4,%,>=90
CSV
}
printf 'code,name\n510400,攀枝花市\n510402,东区\n' >"$tmp/units-510400.csv"
printf 'code,name\n511900,巴中市\n511902,恩阳区\n511903,南江县<县>\n' >"$tmp/units-511900.csv"
report 510402 2022 1900.00 93 >"$tmp/510402-2022.csv"
report 511900 2023 2000.00 95 >"$tmp/511900-2023.csv"
report 511902 2023 1800.00 91 >"$tmp/511902-2023.csv"
report 511903 2023 2000.00 80 >"$tmp/511903-2023.csv"

hub_ep="tcp://127.0.0.1:$(port)"; query_ep="tcp://127.0.0.1:$(port)"
"$bin/province-hub" run --province 510000 --name 四川省 --data "$tmp/hub" --bind "$hub_ep" \
  --query-bind "$query_ep" --insecure --allow "$tmp/allow" 2>"$tmp/hub.log" &
pids+=($!)
mkdir -p "$tmp/allow"
declare -A ep
for cn in 510400:攀枝花市 511900:巴中市; do
  c=${cn%%:*}; ep[$c]="tcp://127.0.0.1:$(port)"
  "$bin/city-aggregator" run --city $c --name ${cn#*:} --data "$tmp/city-$c" --bind "${ep[$c]}" \
    --pub "tcp://127.0.0.1:$(port)" --insecure --allow "$tmp/allow" --units "$tmp/units-$c.csv" \
    --province "$hub_ep" 2>"$tmp/city-$c.log" &
  pids+=($!)
done
submit () { "$bin/county-agent" submit --unit "$1" --data "$tmp/agent-$1" "$2" >/dev/null 2>&1; }
for y in 2021 2022 2023 2026; do submit 510400 "$data/510400-$y.csv"; done
submit 510402 "$tmp/510402-2022.csv"
for u in 511900 511902 511903; do submit $u "$tmp/$u-2023.csv"; done
for uc in 510400:510400 510402:510400 511900:511900 511902:511900 511903:511900; do
  u=${uc%%:*}; c=${uc#*:}
  "$bin/county-agent" run --unit $u --data "$tmp/agent-$u" --city "${ep[$c]}" --insecure \
    2>"$tmp/agent-$u.log" &
  pids+=($!)
done
counties () { "$bin/province-hub" rank --data "$tmp/hub" --period "$1" --fund resident --level county \
  --format json 2>/dev/null | py 'import json,sys; print(len(json.load(sys.stdin)["rows"]))'; }
wait_for '[ "$(counties 2023 2>/dev/null)" = 2 ] && [ "$(counties 2026 2>/dev/null)" = 0 ] &&
          "$bin/province-hub" show --data "$tmp/hub" --unit 510400 --period 2026 --fund resident >/dev/null 2>&1 &&
          "$bin/province-hub" show --data "$tmp/hub" --unit 511903 --period 2023 --fund resident >/dev/null 2>&1 &&
          "$bin/province-hub" show --data "$tmp/hub" --unit 510400 --period 2021 --fund resident >/dev/null 2>&1'
sleep 1 # the last versions settle (each city evaluates, then forwards)

city=(--data "$tmp/city-510400" --period 2023 --fund resident)
# --- the city's dossier holds what pool and show print ---------------------------
"$bin/city-aggregator" report "${city[@]}" --format json --out "$tmp/city.json"
check "city report --format json writes the dossier" '[ $? -eq 0 ] && [ -s "$tmp/city.json" ]'
"$bin/city-aggregator" pool "${city[@]}" --format json >"$tmp/pool.json"
"$bin/city-aggregator" show "${city[@]}" --unit 510400 --format json >"$tmp/show.json"
check "the dossier's pool is the pool command's JSON" "py '
import json
d = json.load(open(\"$tmp/city.json\")); p = json.load(open(\"$tmp/pool.json\"))
pool = dict(d[\"pools\"][0]); pool.pop(\"city\")
assert pool == p, (pool, p)'"
check "the dossier's units are the show command's JSON" "py '
import json
d = json.load(open(\"$tmp/city.json\")); s = json.load(open(\"$tmp/show.json\"))
u = dict(d[\"units\"][0])
assert u.pop(\"seat\") is True and u.pop(\"city\") == \"510400\"
assert u.pop(\"on_time\") is False and u.pop(\"received_at\").endswith(\"Z\")
assert u == s, (u, s)
assert len(d[\"units\"]) == 1'"
check "timeliness: on time, late and missing cells over the stored years" "py '
import json
d = json.load(open(\"$tmp/city.json\"))
assert d[\"periods\"] == [\"2021\", \"2022\", \"2023\", \"2026\"], d[\"periods\"]
cells = {r[\"code\"]: r[\"cells\"] for r in d[\"timeliness\"]}
assert cells[\"510400\"] == {\"2021\": \"late\", \"2022\": \"late\", \"2023\": \"late\", \"2026\": \"on_time\"}, cells
assert cells[\"510402\"] == {\"2021\": \"missing\", \"2022\": \"late\", \"2023\": \"missing\", \"2026\": \"missing\"}, cells'"
check "the trend of months_payable follows the reports" "py '
import json
d = json.load(open(\"$tmp/city.json\"))
s = d[\"trend\"][\"series\"]
assert d[\"trend\"][\"indicator\"] == \"months_payable\"
assert s[0][\"values\"] == {\"2021\": 9.1, \"2022\": 8.02, \"2023\": 7.44, \"2026\": 5.5}, s[0]'"
check "the composition holds the pool's items per unit, transfers reconciled" "py '
import json
d = json.load(open(\"$tmp/city.json\")); c = d[\"composition\"]
items = {i[\"code\"]: i for i in c[\"items\"]}
assert items[\"income.total\"][\"pool\"] == \"703250200.00\"
assert items[\"income.total\"][\"units\"] == {\"510400\": \"703250200.00\"}
assert c[\"reconciled\"] is True and len(c[\"transfers\"]) == 4'"
"$bin/city-aggregator" report "${city[@]}" --format json --indicator total | py '
import json,sys; d=json.load(sys.stdin); print(d["trend"]["series"][0]["values"]["2023"])' >"$tmp/trend-total"
check "--indicator total draws the totals' trend" \
  '[ "$(cat "$tmp/trend-total")" = "$(py "import json; print(json.load(open(\"$tmp/pool.json\"))[\"total\"])")" ]'

# --- the narrative of the seed's figures ------------------------------------------
total=$(py "import json; print('%.2f' % json.load(open('$tmp/pool.json'))['total'])")
"$bin/city-aggregator" narrative "${city[@]}" --unit 510400 --out "$tmp/narrative.html"
check "narrative writes HTML" '[ $? -eq 0 ] && grep -q "<html" "$tmp/narrative.html"'
for figure in 100.64% 98.31% 7.44 "$total" 申报的自评总分为95.00分 尚未报送的单位1个：东区（510402） \
    "此项自评扣5分，不得分。参保率为88.56%，低于95%的标准值" 此项为单位自评项目 三级风险预警 一、预算绩效管理概况 二、预算编制及执行情况 评价结论 存在的问题; do
  check "the narrative says $figure" 'grep -qF -- "$figure" "$tmp/narrative.html"'
done
"$bin/city-aggregator" narrative "${city[@]}" --unit 510400 --format md >"$tmp/narrative.md"
check "narrative --format md is Markdown with the same figures" \
  'grep -q "^# " "$tmp/narrative.md" && grep -qF 100.64% "$tmp/narrative.md" && ! grep -q "<html" "$tmp/narrative.md"'
"$bin/city-aggregator" narrative "${city[@]}" --unit 510499 --out "$tmp/none.html" 2>"$tmp/none.err"
check "a narrative of a unit with no report exits 1 and writes nothing" \
  '[ $? -eq 1 ] && [ ! -e "$tmp/none.html" ] && [ ! -e "$tmp/none.html.tmp" ] && grep -q 510499 "$tmp/none.err"'
"$bin/city-aggregator" report "${city[@]}" --format pdf --out "$tmp/x.pdf" 2>"$tmp/fmt.err"
check "an unknown --format exits 2 and names the formats" '[ $? -eq 2 ] && grep -q "html or json" "$tmp/fmt.err"'
"$bin/city-aggregator" report "${city[@]}" --out "$tmp/no/such/dir/r.html" 2>"$tmp/dir.err"
check "an --out that cannot be written exits 1 naming it" '[ $? -eq 1 ] && grep -q "no/such/dir/r.html" "$tmp/dir.err"'
"$bin/city-aggregator" report --data "$tmp/city-510400" --period 2019 --fund resident --out "$tmp/r2019.html" 2>"$tmp/2019.err"
check "a period nothing was reported for exits 1 and writes nothing" \
  '[ $? -eq 1 ] && [ ! -e "$tmp/r2019.html" ] && grep -q "nothing is reported" "$tmp/2019.err"'

# --- the hub: --data and --query give the same dossier; ranks agree ---------------
hub=(--period 2023 --fund resident)
q=(--query "$query_ep" --insecure)
"$bin/province-hub" report --data "$tmp/hub" "${hub[@]}" --format json --out "$tmp/hub.json"
check "hub report --data writes the dossier" '[ $? -eq 0 ] && [ -s "$tmp/hub.json" ]'
"$bin/province-hub" report "${q[@]}" "${hub[@]}" --format json --out "$tmp/hub-q.json"
check "hub report --query writes the same dossier" "py '
import json
a = json.load(open(\"$tmp/hub.json\")); b = json.load(open(\"$tmp/hub-q.json\"))
for d in (a, b): d.pop(\"made_at\"); d.pop(\"source\")
assert a == b'"
for level in city county; do
  "$bin/province-hub" rank --data "$tmp/hub" "${hub[@]}" --level $level --format json >"$tmp/rank-$level.json"
  check "the hub dossier's $level ranking is rank's" "py '
import json
d = json.load(open(\"$tmp/hub.json\")); r = json.load(open(\"$tmp/rank-$level.json\"))
assert d[\"rank\"][\"$level\"] == r, (d[\"rank\"][\"$level\"], r)
assert len(r[\"rows\"]) == {\"city\": 2, \"county\": 2}[\"$level\"]'"
done
check "the hub dossier names the province and every pool and unit" "py '
import json
d = json.load(open(\"$tmp/hub.json\"))
assert (d[\"level\"], d[\"code\"], d[\"name\"]) == (\"province\", \"510000\", \"四川省\"), d[\"name\"]
assert [p[\"code\"] for p in d[\"pools\"]] == [\"510400\", \"511900\"]
assert [u[\"code\"] for u in d[\"units\"]] == [\"510400\", \"511900\", \"511902\", \"511903\"]
assert [u[\"seat\"] for u in d[\"units\"]] == [True, True, False, False]
assert d[\"composition\"] is None
cells = {r[\"code\"]: r[\"cells\"] for r in d[\"timeliness\"]}
assert cells[\"510400\"][\"2026\"] == \"on_time\" and cells[\"511902\"][\"2021\"] == \"missing\"'"
"$bin/province-hub" narrative "${q[@]}" "${hub[@]}" --unit 510400 --format md --out "$tmp/hub-narrative.md"
check "hub narrative --query of a city code is its pool's, as at the city" \
  'diff "$tmp/hub-narrative.md" "$tmp/narrative.md"'
"$bin/province-hub" narrative --data "$tmp/hub" "${hub[@]}" --unit 511903 --out "$tmp/n511903.html"
check "a county's name is escaped in the narrative" \
  'grep -qF "南江县&lt;县&gt;" "$tmp/n511903.html" && ! grep -qF "南江县<县>" "$tmp/n511903.html"'
"$bin/province-hub" report "${q[@]}" "${hub[@]}" --format md 2>"$tmp/qfmt.err" >/dev/null
check "a bad --format is refused before asking" '[ $? -eq 2 ] && grep -q "html or json" "$tmp/qfmt.err"'

# --- workbooks: read back with openpyxl, cell by cell against the JSON ----------------
xc () { /usr/bin/python3 "$here/../tools/xlsxcheck.py" "$@" >"$tmp/xc.out" 2>&1 || { cat "$tmp/xc.out"; return 1; }; }
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
  for cmd in pool show; do
    u=(); [ $cmd = show ] && u=(--unit 510400)
    "$bin/city-aggregator" $cmd "${city[@]}" "${u[@]}" --format xlsx --out "$tmp/$cmd.xlsx"
    check "city $cmd --format xlsx equals its JSON" '[ $? -eq 0 ] && xc eval "$tmp/$cmd.xlsx" "$tmp/$cmd.json"'
  done
  "$bin/city-aggregator" status --data "$tmp/city-510400" --format json >"$tmp/status.json"
  "$bin/city-aggregator" status --data "$tmp/city-510400" --format xlsx --out "$tmp/status.xlsx"
  check "city status --format xlsx equals its JSON" 'xc city-status "$tmp/status.xlsx" "$tmp/status.json"'
  for src in data query; do
    if [ $src = data ]; then s=(--data "$tmp/hub"); else s=("${q[@]}"); fi
    "$bin/province-hub" rank "${s[@]}" "${hub[@]}" --format xlsx --out "$tmp/rank-$src.xlsx"
    check "hub rank --$src --format xlsx holds both levels as rank prints them" \
      'xc rank "$tmp/rank-$src.xlsx" "$tmp/rank-city.json" "$tmp/rank-county.json"'
    "$bin/province-hub" show "${s[@]}" "${hub[@]}" --unit 511900 --format json >"$tmp/hshow.json"
    "$bin/province-hub" show "${s[@]}" "${hub[@]}" --unit 511900 --format xlsx --out "$tmp/hshow-$src.xlsx"
    check "hub show --$src --format xlsx equals its JSON" 'xc eval "$tmp/hshow-$src.xlsx" "$tmp/hshow.json"'
  done
  "$bin/province-hub" rank --data "$tmp/hub" "${hub[@]}" --by satisfaction --format json >"$tmp/rs-city.json"
  "$bin/province-hub" rank --data "$tmp/hub" "${hub[@]}" --by satisfaction --level county --format json >"$tmp/rs-county.json"
  "$bin/province-hub" rank --data "$tmp/hub" "${hub[@]}" --by satisfaction --format xlsx --out "$tmp/rs.xlsx"
  check "a ranking by a rate shows percentages" 'xc rank "$tmp/rs.xlsx" "$tmp/rs-city.json" "$tmp/rs-county.json"'
  "$bin/county-agent" status --data "$tmp/agent-510400" --format json >"$tmp/astatus.json"
  "$bin/county-agent" status --data "$tmp/agent-510400" --format xlsx --out "$tmp/astatus.xlsx"
  check "agent status --format xlsx equals its JSON" 'xc agent-status "$tmp/astatus.xlsx" "$tmp/astatus.json"'
  # The checker must see a wrong figure.
  py "import json; d=json.load(open('$tmp/pool.json')); d['items']['income.total']='703250200.01'; json.dump(d, open('$tmp/pool-bad.json','w'))"
  check "xlsxcheck fails a workbook one fen off its JSON" '! xc eval "$tmp/pool.xlsx" "$tmp/pool-bad.json" >/dev/null'
else
  echo "FAIL python3-openpyxl is not installed: deploy/install-deps.sh installs it"; fail=1
fi
"$bin/city-aggregator" pool "${city[@]}" --format xlsx 2>"$tmp/noout.err"
check "--format xlsx without --out exits 2" '[ $? -eq 2 ] && grep -q "needs --out" "$tmp/noout.err"'
"$bin/province-hub" rank --data "$tmp/hub" "${hub[@]}" --format xlsx --out "$tmp/no/dir/r.xlsx" 2>"$tmp/nodir.err"
check "a workbook that cannot be written exits 1 naming it, leaving nothing" \
  '[ $? -eq 1 ] && grep -q "no/dir/r.xlsx" "$tmp/nodir.err" && [ ! -e "$tmp/no" ]'
"$bin/county-agent" status --data "$tmp/agent-510400" --format csv --out "$tmp/astatus.csv"
check "--out writes a text format to the file" '[ $? -eq 0 ] && head -1 "$tmp/astatus.csv" | grep -q "^unit,period"'

# --- the HTML in a real browser ------------------------------------------------------
"$bin/city-aggregator" report "${city[@]}" --out "$tmp/city.html"
"$bin/province-hub" report "${q[@]}" "${hub[@]}" --out "$tmp/hub.html"
check "reports are written as HTML" 'grep -q "<svg" "$tmp/city.html" && grep -q "<svg" "$tmp/hub.html"'
for f in city hub narrative; do
  check "$f.html names no address outside the file" \
    '! grep -Eiq "https?:|src=|url\(|<script|<link" "$tmp/$f.html"'
done
if /usr/bin/python3 -c 'import selenium' 2>/dev/null && [ -x /usr/bin/chromedriver ]; then
  for f in city hub; do
    /usr/bin/python3 "$here/../tools/dossierexpect.py" "$tmp/$f.json" >"$tmp/$f.expect.json"
    /usr/bin/python3 "$here/../tools/browsercheck.py" "$tmp/$f.html" --expect "$tmp/$f.expect.json" \
      --screenshot "$tmp/$f.png" --pdf "$tmp/$f.pdf" >"$tmp/$f.browser" 2>&1
    rc=$?
    check "chromium: the $f report renders offline, ranks and marks as the dossier says" '[ $rc -eq 0 ]'
    [ $rc -eq 0 ] || cat "$tmp/$f.browser"
  done
  /usr/bin/python3 "$here/../tools/browsercheck.py" "$tmp/narrative.html" --screenshot "$tmp/n.png" \
    --pdf "$tmp/n.pdf" >"$tmp/n.browser" 2>&1
  rc=$?
  check "chromium: the narrative renders offline and prints on A4" '[ $rc -eq 0 ]'
  [ $rc -eq 0 ] || cat "$tmp/n.browser"
  # The checker itself must see a request that leaves the file and a script error.
  sed 's|</style>|</style><img src="https://example.com/x.png"><script>console.error("boom")</script>|' \
    "$tmp/hub.html" >"$tmp/leaky.html"
  /usr/bin/python3 "$here/../tools/browsercheck.py" "$tmp/leaky.html" >"$tmp/leaky.out" 2>&1
  check "browsercheck fails a page that fetches an address and logs an error" \
    '[ $? -eq 1 ] && grep -q "requests outside the file" "$tmp/leaky.out" && grep -q boom "$tmp/leaky.out"'
  if [ -n "${FUNDCHAIN_SCREENSHOTS:-}" ]; then
    cp "$tmp/city.png" "$FUNDCHAIN_SCREENSHOTS/city-report.png"
    cp "$tmp/hub.png" "$FUNDCHAIN_SCREENSHOTS/province-report.png"
    cp "$tmp/n.png" "$FUNDCHAIN_SCREENSHOTS/narrative.png"
  fi
else
  echo "FAIL headless chromium (chromium-driver, python3-selenium) is not installed: deploy/install-deps.sh installs it"
  fail=1
fi
exit $fail
