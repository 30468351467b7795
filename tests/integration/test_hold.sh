#!/bin/bash
# Integration test (issue 8): ingest waits for an evaluator that falls
# behind. A city run with --evaluation-hold-ms 1 takes no report while an
# accepted change has waited more than 1 ms for evaluation; a client floods
# it with a new (period, fund) per message (tests/tools/flood.c). The hold
# must engage (logged), ingest must go on after it (reports stored after
# the log line), every acknowledged report must have been stored, none
# refused, and within 2 s (6 s under the sanitizers) of the last report
# stored nothing may be dirty, and no thread may stay niced.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
fundtest_need_flood
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" "$flood" <<'PYTHON'
import os, random, subprocess, sys, time
from fundtest import Chain, Checker, csv_text, make_report

BIN, TMP, FLOOD = sys.argv[1], sys.argv[2], sys.argv[3]
SANITIZED = "libasan" in subprocess.run(["ldd", os.path.join(BIN, "city-aggregator")],
                                        capture_output=True, text=True).stdout
BOUND = 6.0 if SANITIZED else 2.0
CITY, UNIT = "510400", "510402"
t = Checker()
chain = Chain(BIN, TMP, {CITY: [CITY, UNIT]}, hub=False)
city = chain.daemons["city-" + CITY]
city.argv += ["--evaluation-hold-ms", "1"]
city.start()
with open(os.path.join(TMP, "pids"), "a") as f:
    f.write("%d\n" % city.proc.pid)

flood_csv = os.path.join(TMP, "flood.csv")
with open(flood_csv, "w") as f:
    f.write(csv_text(UNIT, [(("2023-01", "resident"), make_report(random.Random(8), UNIT, False))]))

def status():
    return chain.json("city-aggregator", "status", "--data", chain.city_dir(CITY))

def log():
    with open(city.log, "rb") as f:
        return f.read().decode("utf-8", "replace")

start = time.monotonic()
while status() is None and time.monotonic() - start < 10:
    time.sleep(0.1)
proc = subprocess.run([FLOOD, "--connect", chain.city_ep[CITY], "--key", chain.key(UNIT),
                       "--server-pub", chain.key(CITY, "pub"), "--csv", flood_csv,
                       "--unit", UNIT, "--mode", "periods", "--seconds", "4"],
                      capture_output=True, text=True, timeout=60)
words = proc.stdout.split()   # sent N acked A rejected R
acked = int(words[3]) if len(words) >= 6 else 0
rejected = int(words[5]) if len(words) >= 6 else -1
# The load stops once the city stored nothing for half a second.
last, count = time.monotonic(), -1
while time.monotonic() - last < 0.5:
    n = log().count(" stored ")
    if n != count:
        count, last = n, time.monotonic()
    time.sleep(0.05)
state = status()
while (state is None or state["evaluation"]["dirty_pairs"] > 0) and time.monotonic() - last < BOUND + 5:
    time.sleep(0.05)
    state = status()
took = time.monotonic() - last
text = log()
hold = text.find("reports wait for the evaluator")
print("flood: %s; %d stored; nothing dirty %.2f s after the last" % (proc.stdout.strip(), count, took))
t.check("the flood ran and nothing was refused", proc.returncode == 0 and acked >= 200 and rejected == 0,
        proc.stdout + proc.stderr)
t.check("ingest waited for the evaluator (logged)", hold >= 0, city.tail())
t.check("ingest went on after the wait", hold >= 0 and " stored " in text[hold:])
t.check("every acknowledged report was stored", count >= acked, "%d stored, %d acked" % (count, acked))
t.check("within %.0f s of the last report stored, nothing is dirty" % BOUND,
        state is not None and state["evaluation"]["dirty_pairs"] == 0 and took <= BOUND,
        "%s after %.2f s" % (state, took))

def nices(pid):
    out = []
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
            out.append(int(f.read().rsplit(")", 1)[1].split()[16]))   # field 19: nice
    return out

# The loop's thread yields the CPU to the evaluator's only while it falls
# behind (run.c, s_yield): once caught up, every thread runs at the nice
# value the process began with.
base = os.getpriority(os.PRIO_PROCESS, 0)
threads = nices(city.proc.pid)
t.check("once caught up, every thread of the city runs at its own priority",
        threads and all(n == base for n in threads), "base %d, threads %s" % (base, threads))
city.stop()
t.exit()
PYTHON
