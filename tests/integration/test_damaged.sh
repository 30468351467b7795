#!/bin/bash
# Integration test (issue 7, items 5 and 10): damaged and foreign stores.
# A real chain (hub, city, two agents over CURVE) fills its stores; then
# every command that opens a store is run on a copy whose data.mdb was cut
# to half its size (as a full disk, a bad copy or `truncate -s 50%` leaves
# it), and on a data.mdb that is not LMDB at all. Each must refuse with a
# message that names the file and how to restore it, exit non-zero, and not
# die of a signal (SIGBUS: exit code 128 + 7), leaving the file unchanged.
# Then the stores' identities: a city run with another --city, an agent
# status on a city's directory, a hub rank on a city's directory, another
# --unit on an agent's store are refused naming both codes, and read-only
# commands on a missing directory create nothing.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" <<'PYTHON'
import os, random, shutil, subprocess, sys, time
from fundtest import Chain, Checker, csv_text, make_report

BIN, TMP = sys.argv[1], sys.argv[2]
rng = random.Random(7)
t = Checker()
CITY, UNITS = "510400", ["510400", "510402"]
chain = Chain(BIN, TMP, {CITY: UNITS})
chain.start()
PERIODS = ["2023-%02d" % m for m in range(1, 13)]
for u in UNITS:
    path = os.path.join(TMP, "in-%s.csv" % u)
    with open(path, "w") as f:
        f.write(csv_text(u, [((p, "resident"), make_report(rng, u, u == CITY)) for p in PERIODS]))
    rc, revs, err = chain.submit(u, path)
    t.check("unit %s submits 12 reports" % u, rc == 0 and len(revs) == 12, err)
hub_cmd = ["province-hub", "rank", "--data", chain.hub_data, "--period", "2023-12",
           "--fund", "resident", "--level", "county", "--format", "json"]
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    doc = chain.json(*hub_cmd[:-2])
    if all(set(chain.states(u)) == {"acked"} for u in UNITS) and doc and len(doc["rows"]) >= 1:
        break
    time.sleep(0.5)
t.check("every report is acknowledged and the hub ranks the units",
        all(set(chain.states(u)) == {"acked"} for u in UNITS) and doc and len(doc["rows"]) >= 1,
        ([chain.states(u) for u in UNITS], doc))
stopped = chain.stop()
t.check("the chain stops cleanly", not stopped, stopped)

def argv_of(name, data):
    """The daemon's own command line with --data replaced."""
    argv = list(chain.daemons[name].argv)
    argv[argv.index("--data") + 1] = data
    return [os.path.basename(argv[0])] + argv[1:]

def commands(city, agent, hub):
    return [
        ("city-aggregator run", argv_of("city-" + CITY, city)),
        ("city-aggregator status", ["city-aggregator", "status", "--data", city]),
        ("city-aggregator pool", ["city-aggregator", "pool", "--data", city,
                                  "--period", "2023-12", "--fund", "resident"]),
        ("city-aggregator show", ["city-aggregator", "show", "--data", city, "--unit", "510402",
                                  "--period", "2023-12", "--fund", "resident"]),
        ("county-agent status", ["county-agent", "status", "--data", agent]),
        ("county-agent submit", ["county-agent", "submit", "--unit", "510402", "--data", agent,
                                 os.path.join(TMP, "in-510402.csv")]),
        ("county-agent run", argv_of("agent-510402", agent)),
        ("province-hub rank", ["province-hub", "rank", "--data", hub, "--period", "2023-12",
                               "--fund", "resident"]),
        ("province-hub run", argv_of("hub", hub)),
    ]

def run(argv):
    try:
        r = chain.run(*argv, timeout=30)
        return r.returncode, r.stderr
    except subprocess.TimeoutExpired:
        return "timeout (still running after 30 s)", ""

def damage(how):
    """Copies the three stores and damages each copy's data.mdb."""
    out = {}
    for name, src in (("city", chain.city_dir(CITY)), ("agent", chain.agent_dir("510402")),
                      ("hub", chain.hub_data)):
        dst = os.path.join(TMP, "%s-%s" % (how, name))
        shutil.copytree(src, dst)
        path = os.path.join(dst, "data.mdb")
        size = os.path.getsize(path)
        if how == "truncated":
            os.truncate(path, size // 2)
        else:
            with open(path, "wb") as f:
                f.write(bytes((i * 7919) % 251 for i in range(size)))
        out[name] = dst
    return out

for how, words in (("truncated", "bytes are missing"), ("garbage", "not a store")):
    dirs = damage(how)
    sizes = {d: os.path.getsize(os.path.join(d, "data.mdb")) for d in dirs.values()}
    for what, argv in commands(dirs["city"], dirs["agent"], dirs["hub"]):
        rc, err = run(argv)
        data = argv[argv.index("--data") + 1]
        path = os.path.join(data, "data.mdb")
        ok = isinstance(rc, int) and 0 < rc < 128
        t.check("%s on a %s data.mdb exits non-zero, not killed by a signal" % (what, how), ok, rc)
        t.check("  and says which file is damaged, what is wrong and how to restore it",
                path + " is damaged" in err and words in err and "mdb_copy" in err,
                err.strip().splitlines()[-1:] if err.strip() else "no message")
    t.check("the damaged files were left as they were",
            all(os.path.getsize(os.path.join(d, "data.mdb")) == s for d, s in sizes.items()))

# The stores say whose they are.
other = argv_of("city-" + CITY, chain.city_dir(CITY))
other[other.index("--city") + 1] = "510500"
chain.run("county-agent", "keygen", "--out", chain.keys, "--name", "510500")
other[other.index("--key") + 1] = chain.key("510500")
del other[other.index("--units"):other.index("--units") + 2]   # its units are 510400's
checks = [
    ("city-aggregator run --city 510500 on 510400's data", other, ["510400", "510500"]),
    ("county-agent status on a city's directory",
     ["county-agent", "status", "--data", chain.city_dir(CITY)], ["city store", "agent store"]),
    ("province-hub rank on a city's directory",
     ["province-hub", "rank", "--data", chain.city_dir(CITY), "--period", "2023-12",
      "--fund", "resident"], ["city store", "hub store"]),
    ("city-aggregator pool on an agent's directory",
     ["city-aggregator", "pool", "--data", chain.agent_dir("510402"), "--period", "2023-12",
      "--fund", "resident"], ["agent store", "city store"]),
    ("county-agent submit --unit 510402 on 510400's store",
     ["county-agent", "submit", "--unit", "510402", "--data", chain.agent_dir("510400"),
      os.path.join(TMP, "in-510402.csv")], ["510400", "510402"]),
]
for what, argv, names in checks:
    rc, err = run(argv)
    t.check("%s is refused (exit 1)" % what, rc == 1, (rc, err.strip()[-300:]))
    t.check("  naming both", all(n in err for n in names), err.strip().splitlines()[-1:])
doc = chain.json("city-aggregator", "pool", "--data", chain.city_dir(CITY), "--period", "2023-12",
                 "--fund", "resident")
t.check("the city's pool still lists its units", doc and sorted(doc.get("units", [])) == UNITS,
        doc and doc.get("units"))

typo = os.path.join(TMP, "typo")
for what, argv in (("city-aggregator pool", ["city-aggregator", "pool", "--data", typo,
                                             "--period", "2023-12", "--fund", "resident"]),
                   ("city-aggregator status", ["city-aggregator", "status", "--data", typo]),
                   ("county-agent status", ["county-agent", "status", "--data", typo]),
                   ("province-hub rank", ["province-hub", "rank", "--data", typo,
                                          "--period", "2023-12", "--fund", "resident"])):
    rc, err = run(argv)
    t.check("%s --data typo exits 1, says it holds no store, creates nothing" % what,
            rc == 1 and "holds no store" in err and not os.path.exists(typo), (rc, err.strip()))
t.exit()
PYTHON
