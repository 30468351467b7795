#!/bin/bash
# Integration test (issue 9, item 4): SIGHUP re-reads --allow and --units
# of a running city, and --allow of a running hub, without a restart.
# * The city allows 510402 and knows only it; its report is acknowledged.
# * 510402's key is removed from the allow directory, 510403's added, and
#   510403 added to the units file; SIGHUP. The log names both keys (by
#   code and fingerprint) and the new unit; the pool now misses 510403.
# * 510403's report is then acknowledged (a new key, no restart); a new
#   revision from 510402 is refused (dropped with its reason in the log,
#   never acknowledged) and the city keeps the revision it had.
# * A units file that cannot be read keeps the units read before; the
#   city runs on. The hub reloads its allow directory on SIGHUP too.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" <<'PYTHON'
import os, random, shutil, signal, sys, time
from fundtest import Chain, Checker, wait_for, csv_text, make_report

BIN, TMP = sys.argv[1], sys.argv[2]
t = Checker()
CITY, OLD, NEW = "510400", "510402", "510403"
chain = Chain(BIN, TMP, {CITY: [OLD, NEW]})
allow = os.path.join(TMP, "allow-" + CITY)
units = os.path.join(TMP, "units-%s.csv" % CITY)
os.unlink(os.path.join(allow, NEW + ".pub"))
with open(units, "w") as f:
    f.write("code,name\n%s,东区\n" % OLD)
city, hub = chain.daemons["city-" + CITY], chain.daemons["hub"]
for name in ("hub", "city-" + CITY, "agent-" + OLD, "agent-" + NEW):
    chain.daemons[name].start()
rng = random.Random(9)


def log(d):
    with open(d.log, errors="replace") as f:
        return f.read()

def submit(unit, revision_seed):
    path = os.path.join(TMP, "%s-%d.csv" % (unit, revision_seed))
    with open(path, "w") as f:
        f.write(csv_text(unit, [(("2023", "resident"),
                                 make_report(random.Random(revision_seed), unit, False))]))
    return chain.submit(unit, path)

def pool():
    return chain.json("city-aggregator", "pool", "--data", chain.city_dir(CITY),
                      "--period", "2023", "--fund", "resident")

rc, revs, err = submit(OLD, 1)
t.check("510402 submits", rc == 0 and revs, err)
t.check("510402's report is acknowledged", wait_for(lambda: chain.states(OLD) == ["acked"], 30),
        chain.states(OLD))
p = pool()
t.check("the pool of the one known unit is complete", p is not None and p["complete"], p)

# Revoke 510402, allow 510403, add it to the units; SIGHUP.
os.unlink(os.path.join(allow, OLD + ".pub"))
shutil.copy(chain.key(NEW, "pub"), os.path.join(allow, NEW + ".pub"))
with open(units, "w") as f:
    f.write("code,name\n%s,东区\n%s,西区\n" % (OLD, NEW))
mark = len(log(city))
city.proc.send_signal(signal.SIGHUP)
ok = wait_for(lambda: "units: 510403 西区 added" in log(city)[mark:], 10)
text = log(city)[mark:]
t.check("the city logs the units it reads again", ok, text[-600:])
t.check("the city logs the removed key by code and fingerprint",
        "of 510402 removed" in text and "key SHA256:" in text, text[-600:])
t.check("the city logs the added key", "of 510403 added" in text, text[-600:])
t.check("the city runs on after SIGHUP", city.alive())
p = pool()
t.check("the pool now misses 510403", p is not None and not p["complete"], p)
t.check("the city's evaluator evaluates every pair again (nothing dirty soon)",
        wait_for(lambda: (chain.json("city-aggregator", "status", "--data", chain.city_dir(CITY))
                          or {"evaluation": {"dirty_pairs": 1}})["evaluation"]["dirty_pairs"] == 0, 10))

rc, revs, err = submit(NEW, 2)
t.check("510403's report is acknowledged with the key added, no restart",
        rc == 0 and wait_for(lambda: chain.states(NEW) == ["acked"], 30), chain.states(NEW))
mark = len(log(city))
rc, revs, err = submit(OLD, 3)
time.sleep(4)
states = chain.states(OLD)
t.check("a new revision from the removed key is never acknowledged",
        rc == 0 and states[0] == "acked" and states[1] != "acked", states)
t.check("the city logs why it refused it",
        "dropped a message from an unauthenticated peer" in log(city)[mark:],
        log(city)[mark:][-400:])
st = chain.json("city-aggregator", "status", "--data", chain.city_dir(CITY))
held = [r["revision"] for r in (st or {"reports": []})["reports"] if r["unit"] == OLD]
t.check("the city keeps the revision it had of 510402", held == [1], st)
t.check("the hub has both units' evaluations", wait_for(lambda: all(
    chain.json("province-hub", "show", "--data", chain.hub_data, "--unit", u, "--period", "2023",
               "--fund", "resident") is not None for u in (OLD, NEW)), 30))

# A units file that cannot be read keeps the units read before.
os.unlink(units)
mark = len(log(city))
city.proc.send_signal(signal.SIGHUP)
ok = wait_for(lambda: "units read before stay" in log(city)[mark:], 10)
t.check("an unreadable units file keeps the units read before (logged)", ok and city.alive(),
        log(city)[mark:][-400:])
t.check("nothing changed in the allow directory is said so",
        "nothing changed" in log(city)[mark:], log(city)[mark:][-400:])

# The hub: SIGHUP reads its allow directory again.
mark = len(log(hub))
hub.proc.send_signal(signal.SIGHUP)
ok = wait_for(lambda: "allow: reloaded" in log(hub)[mark:], 10)
t.check("the hub reads its allow directory again on SIGHUP and runs on", ok and hub.alive(),
        log(hub)[mark:][-300:])
bad = chain.stop()
t.check("every daemon stops cleanly", not bad, bad)
t.exit()
PYTHON
