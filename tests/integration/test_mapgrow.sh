#!/bin/bash
# Integration test (issue 4, resources): every LMDB map starts tiny
# (FUNDCHAIN_STORE_MAPSIZE=65536, for the agents, the city, the hub and the
# commands alike) while a few hundred reports flow up the chain, in two
# rounds. Every report must be acknowledged, the hub must hold the last
# revision of each and the recomputed pools, and the maps must have grown
# (data files larger than the initial map; mdb_stat -e when it is there).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" <<'PYTHON'
import os, random, re, shutil, subprocess, sys, time
from fundtest import Chain, Checker, csv_text, expected_pool, make_report, yuan

BIN, TMP = sys.argv[1], sys.argv[2]
MAP = 65536
env = dict(os.environ, FUNDCHAIN_STORE_MAPSIZE=str(MAP))
rng = random.Random(11)
t = Checker()
CITIES = {"510400": ["510400", "510402", "510403"]}
PERIODS = ["2023-%02d" % m for m in range(1, 13)]
FUNDS = ["resident", "employee"]
chain = Chain(BIN, TMP, CITIES, env=env)
chain.start()

expected = {}
def round_(n, revisions):
    """Submits every (unit, period, fund) revisions times, one file per unit and round."""
    for r in range(revisions):
        for u in chain.units:
            reports = [((p, f), make_report(rng, u, u in CITIES)) for p in PERIODS for f in FUNDS]
            path = os.path.join(TMP, "in-%d-%d-%s.csv" % (n, r, u))
            with open(path, "w") as f:
                f.write(csv_text(u, reports))
            rc, revs, err = chain.submit(u, path)
            if not t.check("round %d: submit %d reports of %s with a 64 KiB map" % (n, len(reports), u),
                           rc == 0, err):
                continue
            for (p, f), (money, _) in reports:
                expected[(u, p, f)] = (revs[(u, p, f)], money)

def converged():
    for u in chain.units:
        if set(chain.states(u)) != {"acked"}:
            return False
    for p in PERIODS:
        for f in FUNDS:
            units, items = expected_pool("510400", {u: expected[(u, p, f)][1] for u in chain.units})
            doc = chain.json("province-hub", "show", "--data", chain.hub_data, "--unit", "510400",
                             "--period", p, "--fund", f)
            if not doc or doc.get("items") != items or doc.get("units") != units:
                return False
    return True

for n, revisions in ((1, 2), (2, 1)):
    round_(n, revisions)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not converged():
        time.sleep(0.5)
    total = sum(e[0] for e in expected.values())
    t.check("round %d: all %d revisions acknowledged and every pool at the hub recomputed"
            % (n, total), converged())
    for name, d in chain.daemons.items():
        t.check("round %d: %s still runs" % (n, name), d.alive(), d.tail())

wrong = [k for k in expected if k[0] != "510400" and
         (chain.json("province-hub", "show", "--data", chain.hub_data, "--unit", k[0],
                     "--period", k[1], "--fund", k[2]) or {}).get("items")
         != {i: yuan(v) for i, v in expected[k][1].items()}]
t.check("the hub holds the last revision of every county report", not wrong, wrong[:3])

def grown(path):
    size = os.path.getsize(os.path.join(path, "data.mdb"))
    mapsize = None
    if shutil.which("mdb_stat"):
        out = subprocess.run(["mdb_stat", "-e", path], capture_output=True, text=True).stdout
        m = re.search(r"Map size: (\d+)", out)
        mapsize = int(m.group(1)) if m else None
    return size, mapsize

for what, path in [("agent " + u, chain.agent_dir(u)) for u in chain.units] + \
                  [("city", chain.city_dir("510400")), ("hub", chain.hub_data)]:
    size, mapsize = grown(path)
    t.check("the map of the %s grew: data.mdb %d bytes, map %s bytes (from %d)"
            % (what, size, mapsize, MAP), size > MAP and (mapsize is None or mapsize > MAP))

stopped = chain.stop()
t.check("every daemon stops with 0 on SIGTERM", not stopped, stopped)
t.exit()
PYTHON
