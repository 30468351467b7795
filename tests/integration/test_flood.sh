#!/bin/bash
# Integration test (issue 4, resources): one client floods the city under an
# allowed key, for 12 s in each of three ways (tests/tools/flood.c): reports
# at a new revision each time (every one stored, evaluated and published),
# reports for a new (period, fund) each time (every one also a new pool to
# evaluate and forward), and garbage (every one dropped). Meanwhile a normal
# agent submits single reports: each must be acknowledged within a bound
# (5 s, 10 s under the sanitizers), and the flood must have been real
# (thousands of messages taken by the city meanwhile).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
fundtest_need_flood
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" "$flood" <<'PYTHON'
import os, random, subprocess, sys, time
from fundtest import Chain, Checker, csv_text, make_report

BIN, TMP, FLOOD = sys.argv[1], sys.argv[2], sys.argv[3]
# The sanitizers slow everything down several times.
SANITIZED = "libasan" in subprocess.run(["ldd", os.path.join(BIN, "city-aggregator")],
                                        capture_output=True, text=True).stdout
BOUND = 10.0 if SANITIZED else 5.0
FLOOD_SECONDS = 12
rng = random.Random(7)
t = Checker()
chain = Chain(BIN, TMP, {"510400": ["510400", "510402", "510403"]}, hub=False)
chain.start()

flood_csv = os.path.join(TMP, "flood.csv")
with open(flood_csv, "w") as f:
    f.write(csv_text("510402", [(("2023-01", "resident"), make_report(rng, "510402", False))]))

def acked_within(unit, path, bound):
    """Submits a file; returns the seconds until it was acknowledged, or None."""
    rc, revs, err = chain.submit(unit, path)
    if rc != 0:
        t.check("submit %s" % path, False, err)
        return None
    start = time.monotonic()
    while time.monotonic() - start < bound + 5:
        states = chain.states(unit)
        if states and states[-1] == "acked" and set(states) == {"acked"}:
            return time.monotonic() - start
        time.sleep(0.05)
    return None

# The normal agent is heard before the flood starts.
normal = os.path.join(TMP, "normal-0.csv")
with open(normal, "w") as f:
    f.write(csv_text("510403", [(("2023-01", "resident"), make_report(rng, "510403", False))]))
t.check("the normal agent's report is acknowledged without a flood",
        acked_within("510403", normal, BOUND) is not None)

def city_log_count(word):
    with open(chain.daemons["city-510400"].log, errors="replace") as f:
        return sum(1 for line in f if word in line)

for mode in ("revisions", "periods", "garbage"):
    before = city_log_count("510402")
    proc = subprocess.Popen([FLOOD, "--connect", chain.city_ep["510400"],
                             "--key", chain.key("510402"),
                             "--server-pub", chain.key("510400", "pub"), "--csv", flood_csv,
                             "--unit", "510402", "--mode", mode,
                             "--seconds", str(FLOOD_SECONDS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(os.path.join(TMP, "pids"), "a") as f:
        f.write("%d\n" % proc.pid)
    time.sleep(2)   # the flood is under way
    waits = []
    for i in range(3):
        path = os.path.join(TMP, "normal-%s-%d.csv" % (mode, i))
        period = "2023-%02d" % (2 + i + 3 * ("revisions", "periods", "garbage").index(mode))
        with open(path, "w") as f:
            f.write(csv_text("510403", [((period, "resident"),
                                         make_report(rng, "510403", False))]))
        waits.append(acked_within("510403", path, BOUND))
    out, err = proc.communicate(timeout=FLOOD_SECONDS + 30)
    taken = city_log_count("510402") - before
    print("flood %s: %s; the city logged %d of its messages; the normal agent waited %s"
          % (mode, out.strip(), taken,
             ", ".join("%.2f s" % w if w is not None else "forever" for w in waits)), flush=True)
    t.check("flood (%s) ran: thousands of messages taken by the city" % mode,
            proc.returncode == 0 and taken >= 2000, "%s %s" % (out.strip(), err.strip()))
    t.check("during the flood (%s) the normal agent's reports are acknowledged within %.0f s"
            % (mode, BOUND), all(w is not None and w <= BOUND for w in waits), waits)

t.check("the city is still running", chain.daemons["city-510400"].alive())
stopped = chain.stop()
t.check("every daemon stops with 0 on SIGTERM after the flood", not stopped, stopped)
t.exit()
PYTHON
