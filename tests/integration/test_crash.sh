#!/bin/bash
# Integration test (issue 4, crash safety): a province hub, two cities and
# three agents per city (the 市本级 included) over CURVE on loopback. Many
# small valid reports (12 months x 2 funds per unit, some revised several
# times) are submitted over about 45 s while a killer SIGKILLs a random
# agent, city or the hub at random moments and restarts it, 30 times or
# more. Then everything drains, and the test checks that every agent's
# outbox is empty, that the city and the hub hold every submitted
# (unit, period, fund) exactly once at its last revision, and that every
# pool at the hub (and at the city) equals a recomputation, made here from
# the generated CSVs, of SPEC 3's consolidation with intra-pool elimination.
#
# FUNDCHAIN_CRASH_SEED=N replays one run; FUNDCHAIN_CRASH_SECONDS sets the
# length of the chaos (default 45).
set -uo pipefail
bin=$(cd "$1" && pwd)
tmp=$(mktemp -d)
cleanup () {
  if [ -f "$tmp/pids" ]; then
    while read -r p; do kill -9 "$p" 2>/dev/null; done <"$tmp/pids"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
python3 - "$bin" "$tmp" <<'PYTHON'
import json, os, random, signal, socket, subprocess, sys, time

BIN, TMP = sys.argv[1], sys.argv[2]
SEED = int(os.environ.get("FUNDCHAIN_CRASH_SEED") or time.time_ns() % 1000000007)
CHAOS = float(os.environ.get("FUNDCHAIN_CRASH_SECONDS") or 45)
DRAIN = 110.0   # the senders back off up to 60 s after repeated losses
rng = random.Random(SEED)
failures = []
print("seed %d (FUNDCHAIN_CRASH_SEED=%d replays this run)" % (SEED, SEED), flush=True)

def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + detail),
          flush=True)
    if not ok:
        failures.append(what)
    return ok

def port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def run(*argv, timeout=60):
    return subprocess.run([os.path.join(BIN, argv[0])] + list(argv[1:]), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)

# ---- topology ---------------------------------------------------------------
PROVINCE = "510000"
CITIES = {"510400": ["510400", "510402", "510403"], "511900": ["511900", "511902", "511903"]}
UNITS = [u for us in CITIES.values() for u in us]
CITY_OF = {u: c for c, us in CITIES.items() for u in us}
PERIODS = ["2023-%02d" % m for m in range(1, 13)]
FUNDS = ["resident", "employee"]

keys = os.path.join(TMP, "keys")
for code in [PROVINCE] + UNITS:
    r = run("county-agent", "keygen", "--out", keys, "--name", code)
    if r.returncode != 0:
        sys.exit("keygen failed: " + r.stderr)
def allow(name, codes):
    d = os.path.join(TMP, "allow-" + name)
    os.makedirs(d)
    for c in codes:
        with open(os.path.join(keys, c + ".pub"), "rb") as src, \
             open(os.path.join(d, c + ".pub"), "wb") as dst:
            dst.write(src.read())
    return d

# ---- daemons ----------------------------------------------------------------
class Daemon:
    def __init__(self, name, argv):
        self.name, self.argv, self.proc = name, argv, None
        self.log = os.path.join(TMP, name + ".log")
        self.kills = 0
        self.unexpected = 0
    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=log)
        with open(os.path.join(TMP, "pids"), "a") as f:
            f.write("%d\n" % self.proc.pid)
    def alive(self):
        return self.proc is not None and self.proc.poll() is None
    def kill(self):
        if self.proc is None:
            return
        try:
            self.proc.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None
        self.kills += 1
    def tail(self):
        with open(self.log, errors="replace") as f:
            return "".join(f.readlines()[-5:])

hub_ep, query_ep = "tcp://127.0.0.1:%d" % port(), "tcp://127.0.0.1:%d" % port()
hub_data = os.path.join(TMP, "hub")
daemons = {}
daemons["hub"] = Daemon("hub", [os.path.join(BIN, "province-hub"), "run", "--province", PROVINCE,
    "--name", "四川省", "--data", hub_data, "--bind", hub_ep, "--query-bind", query_ep,
    "--key", os.path.join(keys, PROVINCE + ".key"), "--allow", allow(PROVINCE, list(CITIES))])
city_ep = {}
for city, units in CITIES.items():
    city_ep[city] = "tcp://127.0.0.1:%d" % port()
    units_csv = os.path.join(TMP, "units-%s.csv" % city)
    with open(units_csv, "w") as f:
        f.write("code,name\n" + "".join("%s,单位%s\n" % (u, u) for u in units))
    daemons["city-" + city] = Daemon("city-" + city, [os.path.join(BIN, "city-aggregator"), "run",
        "--city", city, "--name", "城市" + city, "--data", os.path.join(TMP, "city-" + city),
        "--bind", city_ep[city], "--pub", "tcp://127.0.0.1:%d" % port(),
        "--key", os.path.join(keys, city + ".key"), "--allow", allow(city, units),
        "--units", units_csv, "--province", hub_ep,
        "--province-pub", os.path.join(keys, PROVINCE + ".pub")])
for u in UNITS:
    daemons["agent-" + u] = Daemon("agent-" + u, [os.path.join(BIN, "county-agent"), "run",
        "--unit", u, "--data", os.path.join(TMP, "agent-" + u), "--city", city_ep[CITY_OF[u]],
        "--city-pub", os.path.join(keys, CITY_OF[u] + ".pub"),
        "--key", os.path.join(keys, u + ".key")])

# ---- reports ----------------------------------------------------------------
def yuan(fen):
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)

def make_report(unit, period, fund):
    """Returns {item: fen} of one valid report: totals equal their children,
    the balance identity holds; transfers inside the pool as SPEC 3 names them."""
    own = unit in CITIES
    R = lambda lo, hi: rng.randint(lo, hi)
    m = {}
    m["income.premium"] = R(1000000, 90000000)
    m["income.subsidy"] = R(1000000, 90000000)
    m["income.interest"] = R(1000, 900000)
    m["income.lower_remit" if own else "income.upper_grant"] = R(10000, 5000000)
    m["income.total"] = sum(m.values())
    m["expense.benefit.inpatient"] = R(1000000, 60000000)
    m["expense.benefit.outpatient_general"] = R(100000, 20000000)
    m["expense.benefit"] = m["expense.benefit.inpatient"] + m["expense.benefit.outpatient_general"]
    m["expense.other"] = R(0, 100000)
    m["expense.lower_grant" if own else "expense.upper_remit"] = R(10000, 5000000)
    if own and rng.random() < 0.5:
        m["expense.upper_remit"] = R(10000, 900000)   # to the province: stays in the pool
    m["expense.total"] = sum(v for k, v in m.items()
                             if k.startswith("expense.") and k.count(".") == 1)
    m["balance.opening"] = R(-5000000, 500000000)
    m["balance.closing"] = m["balance.opening"] + m["income.total"] - m["expense.total"]
    m["budget.income"] = R(1000000, 200000000)
    m["budget.expense"] = R(1000000, 200000000)
    extra = {"stat.enrolled": (str(R(1000, 900000)), "person", ""),
             "ind.satisfaction": ("%d.%02d" % (R(80, 99), R(0, 99)), "%", ">=90")}
    return m, extra

def csv_text(unit, reports):
    lines = ["unit,period,fund,item,value,unit_of_measure,target"]
    for (period, fund), (money, extra) in reports:
        for item, fen in money.items():
            lines.append("%s,%s,%s,%s,%s,yuan," % (unit, period, fund, item, yuan(fen)))
        for item, (value, uom, target) in extra.items():
            lines.append("%s,%s,%s,%s,%s,%s,%s" % (unit, period, fund, item, value, uom, target))
    return "\n".join(lines) + "\n"

# Every (unit, period, fund) once, then revisions of a third of them, all cut
# into files of 1 to 6 reports of one unit, shuffled so that revisions arrive
# while other units still send their first ones.
firsts = [(u, p, f) for u in UNITS for p in PERIODS for f in FUNDS]
rng.shuffle(firsts)
revisions = [k for k in firsts if rng.random() < 0.35 for _ in range(rng.randint(1, 2))]
rng.shuffle(revisions)
files = []
for batch in (firsts, revisions):
    pending = {u: [k for k in batch if k[0] == u] for u in UNITS}
    while any(pending.values()):
        u = rng.choice([u for u in UNITS if pending[u]])
        n = rng.randint(1, 6)
        chunk, rest, seen = [], [], set()
        for k in pending[u]:
            if len(chunk) < n and k[1:] not in seen:
                chunk.append(k)
                seen.add(k[1:])
            else:
                rest.append(k)
        pending[u] = rest
        files.append((u, chunk))

expected = {}     # (unit, period, fund) -> (revision, money, extra) of the last submission
submitted = 0
def submit(index, unit, keys_):
    global submitted
    reports = [((p, f), make_report(unit, p, f)) for (_, p, f) in keys_]
    path = os.path.join(TMP, "in-%03d-%s.csv" % (index, unit))
    with open(path, "w") as f:
        f.write(csv_text(unit, reports))
    r = run("county-agent", "submit", "--unit", unit, "--data",
            os.path.join(TMP, "agent-" + unit), path)
    if r.returncode != 0:
        check("submit %s (%d reports)" % (os.path.basename(path), len(reports)), False,
              r.stderr.strip())
        return
    revs = {}
    for line in r.stdout.splitlines():   # queued UNIT PERIOD FUND revision N
        w = line.split()
        if len(w) == 6 and w[0] == "queued":
            revs[(w[1], w[2], w[3])] = int(w[5])
    for (period, fund), (money, extra) in reports:
        k = (unit, period, fund)
        last = expected.get(k, (0,))[0]
        if revs.get(k) != last + 1:
            check("submit numbers the revisions of %s %s %s" % k, False,
                  "got %s after %d" % (revs.get(k), last))
        expected[k] = (revs.get(k, last + 1), money, extra)
        submitted += 1

# ---- chaos ------------------------------------------------------------------
for d in daemons.values():
    d.start()
time.sleep(0.5)
names = sorted(daemons)
agents = [n for n in names if n.startswith("agent-")]
cities = [n for n in names if n.startswith("city-")]
restart_at = {}                  # name -> monotonic time of its restart
start = time.monotonic()
next_kill = start + rng.uniform(0.2, 1.2)
next_file, kills = 0, 0
submit_gap = CHAOS * 0.9 / max(1, len(files))
next_submit = start
while True:
    now = time.monotonic()
    if now - start >= CHAOS and next_file >= len(files) and kills >= 30:
        break
    if now - start > CHAOS * 2:
        break
    for n in names:   # a daemon that died by itself is a failure; it is restarted
        d = daemons[n]
        if n not in restart_at and not d.alive():
            d.unexpected += 1
            check("%s keeps running (it exited by itself)" % n, False, d.tail())
            restart_at[n] = now
    for n, when in list(restart_at.items()):
        if now >= when:
            daemons[n].start()
            del restart_at[n]
    if next_file < len(files) and now >= next_submit:
        u, chunk = files[next_file]
        submit(next_file, u, chunk)
        next_file += 1
        next_submit = now + rng.uniform(0, 2 * submit_gap)
    if now >= next_kill:
        r = rng.random()
        pool = agents if r < 0.5 else cities if r < 0.8 else ["hub"]
        victims = [n for n in pool if n not in restart_at]
        if victims:
            n = rng.choice(victims)
            daemons[n].kill()
            kills += 1
            restart_at[n] = now + rng.choice([0, rng.uniform(0, 0.5), rng.uniform(0.5, 2.5)])
        next_kill = now + rng.uniform(0.3, 1.6)
    time.sleep(0.02)
for n, when in restart_at.items():
    daemons[n].start()
restart_at.clear()
by_kind = {k: sum(d.kills for n, d in daemons.items() if n.startswith(k))
           for k in ("agent", "city", "hub")}
print("chaos: %.0f s, %d kills (agents %d, cities %d, hub %d), %d files, %d reports submitted"
      % (time.monotonic() - start, kills, by_kind["agent"], by_kind["city"], by_kind["hub"],
         len(files), submitted), flush=True)
check("at least 30 kills, of agents, cities and the hub",
      kills >= 30 and all(by_kind.values()), str(by_kind))

# ---- expectations -----------------------------------------------------------
COUNTY_INTRA = {"expense.upper_remit": "expense.total", "income.upper_grant": "income.total"}
CITY_INTRA = {"income.lower_remit": "income.total", "expense.lower_grant": "expense.total"}

def expected_pool(city, period, fund):
    """SPEC 3: sum every money item over the units, then drop the intra-pool
    transfers and take them out of the totals they are part of."""
    items, removed = {}, {}
    units = sorted(u for u in CITIES[city] if (u, period, fund) in expected)
    for u in units:
        intra = CITY_INTRA if u == city else COUNTY_INTRA
        for item, fen in expected[(u, period, fund)][1].items():
            if item in intra:
                removed[intra[item]] = removed.get(intra[item], 0) + fen
            else:
                items[item] = items.get(item, 0) + fen
    for total, fen in removed.items():
        items[total] -= fen
    return units, {k: yuan(v) for k, v in items.items()}

def show_json(*argv):
    r = run(*argv, "--format", "json")
    if r.returncode != 0:
        return None
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None

def agent_states(u):
    doc = show_json("county-agent", "status", "--data", os.path.join(TMP, "agent-" + u))
    return [r["state"] for r in doc["reports"]] if doc else ["unreadable"]

pairs = [(c, p, f) for c in CITIES for p in PERIODS for f in FUNDS]
want_pool = {k: expected_pool(*k) for k in pairs}

def hub_pool_done(key):
    city, period, fund = key
    doc = show_json("province-hub", "show", "--data", hub_data, "--unit", city,
                    "--period", period, "--fund", fund)
    units, items = want_pool[key]
    return doc is not None and doc.get("units") == units and doc.get("items") == items

# ---- drain ------------------------------------------------------------------
deadline = time.monotonic() + DRAIN
drained, converged = set(), set()
while time.monotonic() < deadline:
    for n in names:
        if not daemons[n].alive():
            check("%s keeps running while draining" % n, False, daemons[n].tail())
            daemons[n].start()
    for u in UNITS:
        if u not in drained and all(s == "acked" for s in agent_states(u)):
            drained.add(u)
    if len(drained) == len(UNITS):
        for key in pairs:
            if key not in converged and hub_pool_done(key):
                converged.add(key)
        if len(converged) == len(pairs):
            break
    time.sleep(0.5)
print("drained after %.0f s" % (time.monotonic() - start - CHAOS), flush=True)

# ---- checks -----------------------------------------------------------------
for u in UNITS:
    states = agent_states(u)
    n_expected = sum(e[0] for k, e in expected.items() if k[0] == u)
    check("agent %s: all %d submitted revisions acknowledged, none queued, sent, rejected or dead"
          % (u, n_expected), len(states) == n_expected and set(states) == {"acked"},
          "%d entries, states %s" % (len(states), sorted(set(states))))

for city in CITIES:
    doc = show_json("city-aggregator", "status", "--data", os.path.join(TMP, "city-" + city))
    rows = doc["reports"] if doc else []
    seen = [(r["unit"], r["period"], r["fund"]) for r in rows]
    want = sorted(k for k in expected if CITY_OF[k[0]] == city)
    check("city %s holds every submitted (unit, period, fund) exactly once" % city,
          sorted(seen) == want, "%d rows for %d expected" % (len(seen), len(want)))
    bad = [(r["unit"], r["period"], r["fund"], r["revision"]) for r in rows
           if (r["unit"], r["period"], r["fund"]) in expected
           and r["revision"] != expected[(r["unit"], r["period"], r["fund"])][0]]
    check("city %s holds the last revision of each" % city, not bad, str(bad[:5]))

def money_of(key):
    return {k: yuan(v) for k, v in expected[key][1].items()}

wrong = []
for key in sorted(expected):
    u, period, fund = key
    if u in CITIES:   # the 市本级's own evaluation is at the city; the hub shows the pool
        doc = show_json("city-aggregator", "show", "--data", os.path.join(TMP, "city-" + u),
                        "--unit", u, "--period", period, "--fund", fund)
    else:
        doc = show_json("province-hub", "show", "--data", hub_data, "--unit", u,
                        "--period", period, "--fund", fund)
    if doc is None or doc.get("items") != money_of(key):
        wrong.append(key)
check("the hub (counties) and the cities (市本级) show the last revision's figures of all %d"
      % len(expected), not wrong, "%d wrong, e.g. %s" % (len(wrong), wrong[:3]))

dups = []
for period in PERIODS:
    for fund in FUNDS:
        for level, want in (("county", sorted(u for u in UNITS if u not in CITIES)),
                            ("city", sorted(CITIES))):
            doc = show_json("province-hub", "rank", "--data", hub_data, "--period", period,
                            "--fund", fund, "--level", level)
            codes = sorted(r["code"] for r in doc["rows"]) if doc else None
            if codes != want:
                dups.append((period, fund, level, codes))
check("the hub ranks every county and city exactly once in every period and fund", not dups,
      str(dups[:3]))

bad_pools, city_differs = [], []
for key in pairs:
    city, period, fund = key
    hub = show_json("province-hub", "show", "--data", hub_data, "--unit", city,
                    "--period", period, "--fund", fund)
    units, items = want_pool[key]
    if hub is None or hub.get("units") != units or hub.get("items") != items \
       or hub.get("complete") is not True:
        bad_pools.append(key)
        continue
    mine = show_json("city-aggregator", "pool", "--data", os.path.join(TMP, "city-" + city),
                     "--period", period, "--fund", fund)
    fields = ("code", "units", "complete", "items", "indicators", "scores", "total", "grade")
    if mine is None or any(mine.get(f) != hub.get(f) for f in fields):
        city_differs.append(key)
check("every pool at the hub equals the recomputation from the accepted reports (%d pools)"
      % len(pairs), not bad_pools, "e.g. %s" % (bad_pools[:3],))
check("every city's pool equals the hub's", not city_differs, str(city_differs[:3]))

stopped = []
for n in names:
    d = daemons[n]
    d.proc.send_signal(signal.SIGTERM)
    try:
        rc = d.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        rc = "timeout"
    if rc != 0:
        stopped.append("%s: %s" % (n, rc))
check("every daemon stops with 0 on SIGTERM after the chaos", not stopped, str(stopped))
if failures:
    print("seed %d; logs were in %s" % (SEED, TMP))
sys.exit(1 if failures else 0)
PYTHON
