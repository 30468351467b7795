#!/bin/bash
# Integration test (issue 9, item 7): run --metrics on the three daemons.
# A hub, a city knowing 510402 and 510403, and 510402's agent run with
# --metrics on loopback ports. 510402 submits three reports (2021-2023,
# long past their deadlines); 510403 never reports. A client with a key the
# city does not allow tries to connect. Scraped with a real HTTP client:
# * the city counts exactly the three reports accepted, and the hub the
#   evaluations it stored (as many as its store holds);
# * the city counts the refused handshake, and at least one connected peer;
# * the agent's outbox depth falls to 0 once acknowledged;
# * 510403 is overdue (seconds since the 2023 deadline at least), 510402 not;
# * histograms of batch sizes and commit latency have counts; every family
#   has HELP and TYPE; an unknown path is 404;
# * a taken port or a bad URL stops the daemon at start with a message.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" <<'PYTHON'
import os, random, re, subprocess, sys, time, urllib.request, urllib.error
from fundtest import Chain, Checker, wait_for, csv_text, make_report, port

BIN, TMP = sys.argv[1], sys.argv[2]
t = Checker()
CITY, UNIT, SILENT = "510400", "510402", "510403"
chain = Chain(BIN, TMP, {CITY: [UNIT, SILENT]})
urls = {}
for name in ("hub", "city-" + CITY, "agent-" + UNIT):
    urls[name] = "http://127.0.0.1:%d" % port()
    chain.daemons[name].argv += ["--metrics", urls[name]]
    chain.daemons[name].start()

def scrape(name, path="/metrics"):
    try:
        with urllib.request.urlopen(urls[name] + path, timeout=5) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, "", ""
    except OSError:
        return None, "", ""

def value(text, series):
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return None


t.check("the city serves /metrics", wait_for(lambda: scrape("city-" + CITY)[0] == 200, 15))
path = os.path.join(TMP, "r.csv")
with open(path, "w") as f:
    f.write(csv_text(UNIT, [((p, "resident"), make_report(random.Random(i), UNIT, False))
                            for i, p in enumerate(["2021", "2022", "2023"])]))
rc, revs, err = chain.submit(UNIT, path)
t.check("three reports acknowledged", rc == 0 and
        wait_for(lambda: chain.states(UNIT) == ["acked"] * 3, 60), chain.states(UNIT))
# A client whose key the city does not allow.
r = chain.run("county-agent", "keygen", "--out", os.path.join(TMP, "stranger"), "--name", "510499")
stranger = subprocess.Popen([os.path.join(BIN, "county-agent"), "run", "--unit", "510499",
                             "--data", os.path.join(TMP, "stranger-data"), "--city", chain.city_ep[CITY],
                             "--city-pub", chain.key(CITY, "pub"),
                             "--key", os.path.join(TMP, "stranger", "510499.key")],
                            stderr=subprocess.DEVNULL)
with open(os.path.join(TMP, "pids"), "a") as f:
    f.write("%d\n" % stranger.pid)

city = lambda: scrape("city-" + CITY)[2]
ACC = 'fundchain_messages_total{outcome="accepted",reason=""}'
t.check("the city counts exactly the 3 reports accepted",
        wait_for(lambda: value(city(), ACC) == 3, 10), value(city(), ACC))
t.check("the city counts the refused handshake",
        wait_for(lambda: (value(city(), 'fundchain_handshakes_refused_total{reason="not_allowed"}') or 0) >= 1, 15),
        [l for l in city().splitlines() if "handshake" in l])
stranger.kill()
t.check("the city has a connected peer", (value(city(), "fundchain_connected_peers") or 0) >= 1,
        value(city(), "fundchain_connected_peers"))
t.check("510403 is overdue since the 2023 deadline at least",
        wait_for(lambda: (value(city(), 'fundchain_unit_overdue_seconds{unit="510403"}') or 0)
                 > time.time() - time.mktime((2024, 1, 16, 0, 0, 0, 0, 0, 0)), 15),
        [l for l in city().splitlines() if "overdue" in l])
t.check("510402 is not overdue", value(city(), 'fundchain_unit_overdue_seconds{unit="510402"}') == 0)
t.check("batch sizes and commit latency are counted",
        (value(city(), "fundchain_batch_messages_count") or 0) >= 1 and
        (value(city(), "fundchain_commit_duration_seconds_count") or 0) >= 1)
text = city()
families = set(re.findall(r"^(fundchain_[a-z_]+?)(?:_bucket|_sum|_count)?[{ ]", text, re.M))
t.check("every family has HELP and TYPE", families and all(
    ("# HELP %s " % f) in text and ("# TYPE %s " % f) in text for f in families), families)
hub_stored = len((chain.json("province-hub", "rank", "--data", chain.hub_data, "--period", "2023",
                             "--fund", "resident", "--level", "county") or {"rows": []})["rows"])
hub = lambda: scrape("hub")[2]
t.check("the hub counts evaluations accepted",
        wait_for(lambda: (value(hub(), ACC) or 0) >= 6, 15) and hub_stored >= 1, value(hub(), ACC))
agent = lambda: scrape("agent-" + UNIT)[2]
t.check("the agent's outbox depth falls to 0 once acknowledged",
        wait_for(lambda: value(agent(), "fundchain_outbox_entries") == 0, 15),
        [l for l in agent().splitlines() if "outbox" in l])
t.check("the agent's link is up", value(agent(), "fundchain_connected_peers") == 1)
status, ctype, _ = scrape("city-" + CITY)
t.check("the content type is Prometheus text", "text/plain; version=0.0.4" in ctype, ctype)
t.check("an unknown path is 404", scrape("city-" + CITY, "/nothing")[0] == 404)

left = chain.stop()
t.check("every daemon stops cleanly", not left, left)
# A port already taken, a bad URL: the daemon does not start, and says why.
import socket
taken = socket.socket()
taken.bind(("127.0.0.1", 0))
taken.listen()
d = chain.daemons["hub"]
bad = subprocess.run(d.argv[:-2] + ["--metrics", "http://127.0.0.1:%d" % taken.getsockname()[1], "--data",
                                    os.path.join(TMP, "hub2")], capture_output=True, text=True,
                     timeout=30)
t.check("a taken metrics port stops the daemon at start, with the reason",
        bad.returncode == 1 and "in use" in bad.stderr, bad.stderr[-300:])
bad = subprocess.run(d.argv[:-2] + ["--metrics", "ftp://x", "--data", os.path.join(TMP, "hub3")],
                     capture_output=True, text=True, timeout=30)
t.check("a bad metrics URL is a usage error (exit 2) naming its value",
        bad.returncode == 2 and "ftp://x" in bad.stderr,
        bad.stderr[-300:])
t.exit()
PYTHON
