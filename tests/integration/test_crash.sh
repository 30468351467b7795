#!/bin/bash
# Integration test (issue 4, crash safety): a province hub, two cities and
# three agents per city (the 市本级 included) over CURVE on loopback. Many
# small valid reports (12 months x 2 funds per unit, half of them revised up
# to three times) are submitted over about 45 s while a killer SIGKILLs a
# random agent, city or the hub at random moments (some aimed just after a
# submission, while the report travels up) and restarts it, 30 times or
# more. Then everything drains, and the test checks that every agent's
# outbox is empty, that the city and the hub hold every submitted
# (unit, period, fund) exactly once at its last revision, and that every
# pool at the hub (and at the city) equals a recomputation, made here from
# the generated CSVs, of SPEC 3's consolidation with intra-pool elimination.
#
# FUNDCHAIN_CRASH_SEED=N replays one run; FUNDCHAIN_CRASH_SECONDS sets the
# length of the chaos (default 45); FUNDCHAIN_KEEP=1 keeps the logs.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" <<'PYTHON'
import os, random, sys, time
from fundtest import Chain, Checker, csv_text, expected_pool, make_report, yuan

BIN, TMP = sys.argv[1], sys.argv[2]
SEED = int(os.environ.get("FUNDCHAIN_CRASH_SEED") or time.time_ns() % 1000000007)
CHAOS = float(os.environ.get("FUNDCHAIN_CRASH_SECONDS") or 45)
DRAIN = 110.0   # a sender backs off up to 60 s after repeated losses
rng = random.Random(SEED)
t = Checker()
check = t.check
print("seed %d (FUNDCHAIN_CRASH_SEED=%d replays this run)" % (SEED, SEED), flush=True)

CITIES = {"510400": ["510400", "510402", "510403"], "511900": ["511900", "511902", "511903"]}
PERIODS = ["2023-%02d" % m for m in range(1, 13)]
FUNDS = ["resident", "employee"]
chain = Chain(BIN, TMP, CITIES)
UNITS, CITY_OF, daemons = chain.units, chain.city_of, chain.daemons

# Every (unit, period, fund) once, then one to three revisions of half of
# them, all cut into files of one unit (mostly 1 to 6 reports, some up to 24),
# shuffled so that revisions arrive while other units send their first ones.
firsts = [(u, p, f) for u in UNITS for p in PERIODS for f in FUNDS]
rng.shuffle(firsts)
revisions = [k for k in firsts if rng.random() < 0.5 for _ in range(rng.randint(1, 3))]
rng.shuffle(revisions)
files = []
for batch in (firsts, revisions):
    pending = {u: [k for k in batch if k[0] == u] for u in UNITS}
    while any(pending.values()):
        u = rng.choice([u for u in UNITS if pending[u]])
        n = rng.randint(1, 6) if rng.random() < 0.8 else rng.randint(7, 24)
        chunk, rest, seen = [], [], set()
        for k in pending[u]:
            if len(chunk) < n and k[1:] not in seen:
                chunk.append(k)
                seen.add(k[1:])
            else:
                rest.append(k)
        pending[u] = rest
        files.append((u, chunk))
        if batch is revisions and rng.random() < 0.25:
            files.append((u, list(chunk)))   # a twin: the same reports again at once

expected = {}     # (unit, period, fund) -> (revision, money) of its last submission
submitted = 0
def submit(index, unit, keys):
    global submitted
    reports = [((p, f), make_report(rng, unit, unit in CITIES)) for (_, p, f) in keys]
    path = os.path.join(TMP, "in-%03d-%s.csv" % (index, unit))
    with open(path, "w") as f:
        f.write(csv_text(unit, reports))
    rc, revs, err = chain.submit(unit, path)
    if rc != 0:
        check("submit %s (%d reports)" % (os.path.basename(path), len(reports)), False, err)
        return
    for (period, fund), (money, _) in reports:
        k = (unit, period, fund)
        last = expected.get(k, (0,))[0]
        if revs.get(k) != last + 1:
            check("submit numbers the revisions of %s %s %s" % k, False,
                  "got %s after %d" % (revs.get(k), last))
        expected[k] = (revs.get(k, last + 1), money)
        submitted += 1

# ---- chaos ------------------------------------------------------------------
chain.start()
time.sleep(0.5)
names = sorted(daemons)
agents = [n for n in names if n.startswith("agent-")]
cities = [n for n in names if n.startswith("city-")]
restart_at = {}                  # name -> monotonic time of its restart
start = time.monotonic()
next_kill = start + rng.uniform(0.2, 1.2)
next_file, kills = 0, 0
aimed = None                     # (time, name): a kill aimed at a report in flight
submit_gap = CHAOS * 0.9 / max(1, len(files))
next_submit = start
while True:
    now = time.monotonic()
    if now - start >= CHAOS and next_file >= len(files) and kills >= 30:
        break
    if now - start > CHAOS * 2:
        break
    for n in names:   # a daemon that died by itself is a failure; it is restarted
        if n not in restart_at and not daemons[n].alive():
            check("%s keeps running (it exited by itself)" % n, False, daemons[n].tail())
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
        twin = next_file < len(files) and files[next_file] == (u, chunk)
        if twin:
            # Kill the city while the first revision travels and send the
            # next one at once: the first, sent again after its backoff,
            # reaches the city after the second (the city must keep the newest).
            next_submit = now + rng.uniform(0.3, 0.6)
            aimed = (now + rng.uniform(0.05, 0.25), "city-" + CITY_OF[u])
        elif aimed is None and rng.random() < 0.4:   # hit the report on its way up
            aimed = (now + rng.uniform(0, 0.4),
                     rng.choice(["agent-" + u, "city-" + CITY_OF[u], "hub"]))
    victim = None
    if aimed and now >= aimed[0]:
        victim, aimed = aimed[1], None
    elif now >= next_kill:
        r = rng.random()
        victim = rng.choice(agents if r < 0.5 else cities if r < 0.8 else ["hub"])
        next_kill = now + rng.uniform(0.3, 1.6)
    if victim and victim not in restart_at:
        daemons[victim].kill()
        kills += 1
        restart_at[victim] = now + rng.choice([0, rng.uniform(0, 0.5), rng.uniform(0.5, 2.5)])
    time.sleep(0.02)
for n in restart_at:
    daemons[n].start()
by_kind = {k: sum(d.kills for n, d in daemons.items() if n.startswith(k))
           for k in ("agent", "city", "hub")}
print("chaos: %.0f s, %d kills (agents %d, cities %d, hub %d), %d files, %d reports submitted"
      % (time.monotonic() - start, kills, by_kind["agent"], by_kind["city"], by_kind["hub"],
         len(files), submitted), flush=True)
check("at least 30 kills, of agents, cities and the hub",
      kills >= 30 and all(by_kind.values()), by_kind)

# ---- drain ------------------------------------------------------------------
pairs = [(c, p, f) for c in CITIES for p in PERIODS for f in FUNDS]
want_pool = {(c, p, f): expected_pool(c, {u: expected[(u, p, f)][1] for u in CITIES[c]
                                          if (u, p, f) in expected})
             for (c, p, f) in pairs}

def hub_pool(key):
    city, period, fund = key
    return chain.json("province-hub", "show", "--data", chain.hub_data, "--unit", city,
                      "--period", period, "--fund", fund)

def hub_pool_done(key):
    doc = hub_pool(key)
    units, items = want_pool[key]
    return doc is not None and doc.get("units") == units and doc.get("items") == items

drain_start = time.monotonic()
drained, converged = set(), set()
while time.monotonic() < drain_start + DRAIN:
    for n in names:
        if not daemons[n].alive():
            check("%s keeps running while draining" % n, False, daemons[n].tail())
            daemons[n].start()
    drained |= {u for u in UNITS if u not in drained and chain.delivered(u)[0]}
    if len(drained) == len(UNITS):
        converged |= {k for k in pairs if k not in converged and hub_pool_done(k)}
        if len(converged) == len(pairs):
            break
    time.sleep(0.5)
print("drained in %.0f s" % (time.monotonic() - drain_start), flush=True)

# ---- checks -----------------------------------------------------------------
for u in UNITS:
    ok, states = chain.delivered(u)
    n_expected = sum(e[0] for k, e in expected.items() if k[0] == u)
    #  An older revision that reached the city after the agent's own later one
    #  (a kill between send and acknowledgement) is refused as superseded: the
    #  city did not store it, so the agent may not show it acked.
    check("agent %s: all %d submitted revisions acknowledged (or superseded by the agent's own "
          "later revision), none queued, sent or dead" % (u, n_expected),
          len(states) == n_expected and ok,
          "%d entries, states %s" % (len(states), sorted(set(states))))

for city in CITIES:
    doc = chain.json("city-aggregator", "status", "--data", chain.city_dir(city))
    rows = doc["reports"] if doc else []
    seen = [(r["unit"], r["period"], r["fund"]) for r in rows]
    want = sorted(k for k in expected if CITY_OF[k[0]] == city)
    check("city %s holds every submitted (unit, period, fund) exactly once" % city,
          sorted(seen) == want, "%d rows for %d expected" % (len(seen), len(want)))
    bad = [k + (r["revision"],) for r in rows for k in [(r["unit"], r["period"], r["fund"])]
           if k in expected and r["revision"] != expected[k][0]]
    check("city %s holds the last revision of each" % city, not bad, bad[:5])

# Each revision has its own figures: equal figures mean the last revision.
wrong = []
for key in sorted(expected):
    u, period, fund = key
    if u in CITIES:   # the 市本级's own evaluation is at the city; the hub shows the pool
        doc = chain.json("city-aggregator", "show", "--data", chain.city_dir(u), "--unit", u,
                         "--period", period, "--fund", fund)
    else:
        doc = chain.json("province-hub", "show", "--data", chain.hub_data, "--unit", u,
                         "--period", period, "--fund", fund)
    if doc is None or doc.get("items") != {k: yuan(v) for k, v in expected[key][1].items()}:
        wrong.append(key)
check("the hub (counties) and the cities (市本级) show the last revision's figures of all %d"
      % len(expected), not wrong, "%d wrong, e.g. %s" % (len(wrong), wrong[:3]))

dups = []
for period in PERIODS:
    for fund in FUNDS:
        for level, want in (("county", sorted(u for u in UNITS if u not in CITIES)),
                            ("city", sorted(CITIES))):
            doc = chain.json("province-hub", "rank", "--data", chain.hub_data, "--period", period,
                             "--fund", fund, "--level", level)
            codes = sorted(r["code"] for r in doc["rows"]) if doc else None
            if codes != want:
                dups.append((period, fund, level, codes))
check("the hub ranks every county and city exactly once in every period and fund", not dups,
      dups[:3])

bad_pools, city_differs = [], []
fields = ("code", "units", "complete", "items", "indicators", "scores", "total", "grade")
for key in pairs:
    city, period, fund = key
    hub = hub_pool(key)
    units, items = want_pool[key]
    if hub is None or hub.get("units") != units or hub.get("items") != items \
       or hub.get("complete") is not True:
        bad_pools.append(key)
        continue
    mine = chain.json("city-aggregator", "pool", "--data", chain.city_dir(city),
                      "--period", period, "--fund", fund)
    if mine is None or any(mine.get(f) != hub.get(f) for f in fields):
        city_differs.append(key)
check("every pool at the hub equals the recomputation from the accepted reports (%d pools)"
      % len(pairs), not bad_pools, "e.g. %s" % (bad_pools[:3],))
check("every city's pool equals the hub's", not city_differs, city_differs[:3])

stopped = chain.stop()
check("every daemon stops with 0 on SIGTERM after the chaos", not stopped, stopped)
if t.failures:
    print("seed %d" % SEED)
t.exit()
PYTHON
