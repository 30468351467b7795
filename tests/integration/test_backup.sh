#!/bin/bash
# Integration test (issue 9, item 6): backup while the daemons run.
# * An agent's reports are acknowledged, then a client floods the city with
#   a new (period, fund) per message (tests/tools/flood) while
#   `city-aggregator backup` copies the city's store twice, and
#   `province-hub backup` and `county-agent backup` copy theirs.
# * Every copy opens with --data (status, pool, show work on it) and is a
#   snapshot: it holds every report acknowledged before it began, each at
#   the revision the live store holds, and no report the live store lacks.
# * Nothing is lost or refused meanwhile: every report the flood saw
#   acknowledged is in the live store, none was refused; the second copy
#   holds more than the first, the live store more still.
# * A second backup into the same directory is refused and the first copy
#   is left as it was; a store of another kind is refused.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
fundtest_need_flood
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" "$flood" <<'PYTHON'
import hashlib, os, random, subprocess, sys, time
from fundtest import Chain, Checker, wait_for, csv_text, make_report

BIN, TMP, FLOOD = sys.argv[1], sys.argv[2], sys.argv[3]
t = Checker()
CITY, UNIT, FLOODER = "510400", "510402", "510403"
chain = Chain(BIN, TMP, {CITY: [UNIT, FLOODER]})
for name in ("hub", "city-" + CITY, "agent-" + UNIT):
    chain.daemons[name].start()


def reports(data):
    doc = chain.json("city-aggregator", "status", "--data", data)
    return None if doc is None else {(r["unit"], r["period"], r["fund"]): r["revision"]
                                     for r in doc["reports"]}

path = os.path.join(TMP, "unit.csv")
with open(path, "w") as f:
    f.write(csv_text(UNIT, [((p, "resident"), make_report(random.Random(i), UNIT, False))
                            for i, p in enumerate(["2021", "2022", "2023"])]))
rc, revs, err = chain.submit(UNIT, path)
t.check("the agent's reports are acknowledged",
        rc == 0 and wait_for(lambda: chain.states(UNIT) == ["acked"] * 3, 60), chain.states(UNIT))
before = reports(chain.city_dir(CITY))

flood_csv = os.path.join(TMP, "flood.csv")
with open(flood_csv, "w") as f:
    f.write(csv_text(FLOODER, [(("2023-01", "resident"), make_report(random.Random(5), FLOODER, False))]))
flood = subprocess.Popen([FLOOD, "--connect", chain.city_ep[CITY], "--key", chain.key(FLOODER),
                          "--server-pub", chain.key(CITY, "pub"), "--csv", flood_csv,
                          "--unit", FLOODER, "--mode", "periods", "--seconds", "5"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
time.sleep(1.5)
copies = []
for i in (1, 2):
    out = os.path.join(TMP, "city-copy-%d" % i)
    r = chain.run("city-aggregator", "backup", "--data", chain.city_dir(CITY), "--out", out)
    t.check("city backup %d under load exits 0 and says where" % i,
            r.returncode == 0 and out in r.stdout, r.stdout + r.stderr)
    copies.append(out)
    time.sleep(1)
hub_copy = os.path.join(TMP, "hub-copy")
r = chain.run("province-hub", "backup", "--data", chain.hub_data, "--out", hub_copy)
t.check("hub backup exits 0", r.returncode == 0, r.stderr)
agent_copy = os.path.join(TMP, "agent-copy")
r = chain.run("county-agent", "backup", "--data", chain.agent_dir(UNIT), "--out", agent_copy)
t.check("agent backup exits 0", r.returncode == 0, r.stderr)
out, err = flood.communicate(timeout=60)
words = out.split()   # sent N acked A rejected R
acked = int(words[3]) if len(words) >= 6 else -1
t.check("the flood ran, nothing refused", flood.returncode == 0 and acked > 100 and words[5] == "0",
        out + err)

def messages(stored):
    """The flood's messages a store holds: the flood cycles through 969
    (period, fund) pairs, one revision higher each time round, from 1000."""
    return sum(v - 999 for k, v in (stored or {}).items() if k[0] == FLOODER)

live = reports(chain.city_dir(CITY))
t.check("every report the flood saw acknowledged is in the live store",
        messages(live) >= acked > 0, "%d stored, %d acked" % (messages(live), acked))
sizes = []
for out in copies:
    got = reports(out)
    t.check("%s opens with --data (status)" % os.path.basename(out), got is not None)
    if got is None:
        continue
    sizes.append(messages(got))
    t.check("%s holds every report acknowledged before it, at its revision" % os.path.basename(out),
            all(got.get(k) == v for k, v in before.items()))
    t.check("%s holds nothing the live store lacks, no revision above it" % os.path.basename(out),
            all(k in live and v <= live[k] for k, v in got.items()))
t.check("the copies are snapshots taken under load (the second holds more)",
        len(sizes) == 2 and 0 < sizes[0] < sizes[1] <= messages(live),
        "%s, live %d" % (sizes, messages(live)))
pool = chain.json("city-aggregator", "pool", "--data", copies[0], "--period", "2023", "--fund", "resident")
t.check("the city copy answers pool", pool is not None and UNIT in pool["units"], pool)
show = chain.json("province-hub", "show", "--data", hub_copy, "--unit", UNIT, "--period", "2022",
                  "--fund", "resident")
t.check("the hub copy answers show", show is not None and show["code"] == UNIT, show)
st = chain.json("county-agent", "status", "--data", agent_copy)
t.check("the agent copy answers status", st is not None and len(st["reports"]) == 3, st)

# Refusals: the same directory again, a store of another kind.
digest = hashlib.sha256(open(os.path.join(copies[0], "data.mdb"), "rb").read()).hexdigest()
r = chain.run("city-aggregator", "backup", "--data", chain.city_dir(CITY), "--out", copies[0])
t.check("a backup into a directory that holds a store is refused",
        r.returncode == 1 and "already holds a store" in r.stderr, r.stderr)
t.check("and the copy there is left as it was",
        hashlib.sha256(open(os.path.join(copies[0], "data.mdb"), "rb").read()).hexdigest() == digest)
r = chain.run("province-hub", "backup", "--data", chain.city_dir(CITY), "--out", os.path.join(TMP, "x"))
t.check("a store of another kind is refused", r.returncode == 1 and "not a hub store" in r.stderr,
        r.stderr)
r = chain.run("city-aggregator", "backup", "--data", chain.city_dir(CITY))
t.check("backup without --out is bad usage (exit 2)", r.returncode == 2, r.stderr)
bad = chain.stop()
t.check("every daemon stops cleanly", not bad, bad)
t.exit()
PYTHON
