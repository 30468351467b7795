#!/bin/bash
# Integration test (issue 8, evaluation off the ingest path): a client floods
# a city (with a hub) for a few seconds under an allowed key, first with new
# revisions of one report, then with a new (period, fund) each message
# (tests/tools/flood.c), while `city-aggregator watch` reads the feed and
# `city-aggregator status` is asked for the evaluation lag. Within 2 s (6 s
# under the sanitizers) of the city storing the flood's last report, every
# dirty (period, fund) must have been evaluated, queued for the province
# and published: status shows no dirty pair. Then the hub
# must hold the city's last evaluations (the pools of the pairs flooded
# last and of the revisions pair equal the city's own), and the feed must
# have carried the final pool of the revisions pair.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
fundtest_need_flood
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" "$flood" <<'PYTHON'
import json, os, random, subprocess, sys, time
from fundtest import Chain, Checker, csv_text, make_report

BIN, TMP, FLOOD = sys.argv[1], sys.argv[2], sys.argv[3]
SANITIZED = "libasan" in subprocess.run(["ldd", os.path.join(BIN, "city-aggregator")],
                                        capture_output=True, text=True).stdout
BOUND = 6.0 if SANITIZED else 2.0
HUB_BOUND = 30.0
FLOOD_SECONDS = 4
CITY, UNIT = "510400", "510402"
rng = random.Random(8)
t = Checker()
chain = Chain(BIN, TMP, {CITY: [CITY, UNIT, "510403"]})
city = chain.daemons["city-" + CITY]
pub = city.argv[city.argv.index("--pub") + 1]
chain.daemons["hub"].start()
city.start()

flood_csv = os.path.join(TMP, "flood.csv")
with open(flood_csv, "w") as f:
    f.write(csv_text(UNIT, [(("2023-01", "resident"), make_report(rng, UNIT, False))]))

watch_out = open(os.path.join(TMP, "watch.out"), "w")
watch = subprocess.Popen([os.path.join(BIN, "city-aggregator"), "watch", "--pub", pub],
                         stdout=watch_out, stderr=subprocess.DEVNULL)
with open(os.path.join(TMP, "pids"), "a") as f:
    f.write("%d\n" % watch.pid)

def lag():
    doc = chain.json("city-aggregator", "status", "--data", chain.city_dir(CITY))
    return doc.get("evaluation") if doc else None

def city_pool(period, fund):
    return chain.json("city-aggregator", "pool", "--data", chain.city_dir(CITY),
                      "--period", period, "--fund", fund)

def hub_pool(period, fund):
    return chain.json("province-hub", "show", "--data", chain.hub_data, "--unit", CITY,
                      "--period", period, "--fund", fund)

def same(a, b):
    return a is not None and b is not None and all(a.get(k) == b.get(k) for k in
                                                   ("units", "items", "indicators", "total"))

log_at = [0]
def stored_since():
    """Whether the city logged a stored report since the last call."""
    with open(city.log, "rb") as f:
        f.seek(log_at[0])
        text = f.read()
    log_at[0] += len(text)
    return b" stored " in text

def last_stored(quiet):
    """Waits until the city has stored nothing for quiet seconds; returns
    when it last did (monotonic)."""
    last = time.monotonic()
    while time.monotonic() - last < quiet:
        time.sleep(0.05)
        if stored_since():
            last = time.monotonic()
    return last

# The city is up (its feed too) before the flood.
start = time.monotonic()
while lag() is None and time.monotonic() - start < 10:
    time.sleep(0.1)
time.sleep(0.5)

for mode in ("revisions", "periods"):
    proc = subprocess.Popen([FLOOD, "--connect", chain.city_ep[CITY], "--key", chain.key(UNIT),
                             "--server-pub", chain.key(CITY, "pub"), "--csv", flood_csv,
                             "--unit", UNIT, "--mode", mode, "--seconds", str(FLOOD_SECONDS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(os.path.join(TMP, "pids"), "a") as f:
        f.write("%d\n" % proc.pid)
    worst = 0.0
    while proc.poll() is None:   # the lag while it floods, for the log
        l = lag()
        if l and l["oldest_dirty_s"] is not None:
            worst = max(worst, l["oldest_dirty_s"])
        time.sleep(0.3)
    out, err = proc.communicate()
    # The load stops when the city has stored the last message the flood
    # sent (it may still hold some in its socket when the flood exits).
    stopped = last_stored(0.3)
    state = lag()
    while (state is None or state["dirty_pairs"] > 0) and time.monotonic() - stopped < BOUND + 5:
        time.sleep(0.05)
        state = lag()
    took = time.monotonic() - stopped
    print("flood %s: %s; the oldest dirty pair waited at most %.2f s during it; "
          "nothing dirty %.2f s after the city stored the last report" % (mode, out.strip(), worst, took), flush=True)
    t.check("flood (%s) ran: thousands of reports acknowledged" % mode,
            proc.returncode == 0 and int(out.split()[3]) >= 1000, "%s %s" % (out, err))
    t.check("within %.0f s of the flood (%s) stopping, no (period, fund) is dirty"
            % (BOUND, mode), state is not None and state["dirty_pairs"] == 0 and took <= BOUND,
            "%s after %.2f s" % (state, took))

# The hub holds the city's last evaluations: the revisions pair, and the
# pairs the periods flood stored last (the newest received in status).
doc = chain.json("city-aggregator", "status", "--data", chain.city_dir(CITY))
reports = sorted(doc["reports"], key=lambda r: (r["received_at"], r["revision"]))
pairs = [("2023-01", "resident")] + [(r["period"], r["fund"]) for r in reports[-20:]]
start = time.monotonic()
missing = pairs
while missing and time.monotonic() - start < HUB_BOUND:
    missing = [p for p in missing if not same(hub_pool(*p), city_pool(*p))]
    time.sleep(0.2)
print("the hub held the city's pools of %d pairs %.2f s after the last check"
      % (len(pairs), time.monotonic() - start), flush=True)
t.check("the hub holds the city's last evaluations of %d pairs" % len(pairs), not missing,
        missing[:3])

# The feed carried the final pool of the revisions pair.
time.sleep(0.5)
watch.terminate()
watch.wait()
watch_out.close()
final = city_pool("2023-01", "resident")
last = None
with open(os.path.join(TMP, "watch.out")) as f:
    for line in f:
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("event") == "pool" and e.get("period") == "2023-01" and e.get("fund") == "resident":
            last = e
t.check("the feed published the final pool of the revisions pair", same(last, final),
        (last or {}).get("items", {}).get("income.total") if last else "no pool event")

stopped = chain.stop()
t.check("every daemon stops with 0 on SIGTERM", not stopped, stopped)
t.exit()
PYTHON
