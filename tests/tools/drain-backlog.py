#!/usr/bin/env python3
"""Backlog drain (issue 8): N agents with 12 x YEARS reports queued each
with `county-agent submit` while the city is down; then the city and the
agents start, and it prints the time until every report is acknowledged
(acknowledged reports/s), the CPU the agents and the city used, and how
many reports the city saw twice. A measuring aid, not run by ctest.
    tests/tools/drain-backlog.py build/bin [--agents 10] [--years 153]
        [--work DIR] [--perf]   (--perf: perf record -g the first agent)"""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("bin"); ap.add_argument("--agents", type=int, default=10)
ap.add_argument("--years", type=int, default=153); ap.add_argument("--work", default=None)
ap.add_argument("--perf", action="store_true")
a = ap.parse_args()
B = os.path.abspath(a.bin)
gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "gen-monthly.py")
tmp = a.work or tempfile.mkdtemp(prefix="drain.")
os.makedirs(tmp, exist_ok=True)
def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
units = ["5104%02d" % (i + 1) for i in range(a.agents)]
keys = os.path.join(tmp, "keys"); allow = os.path.join(tmp, "allow")
os.makedirs(allow, exist_ok=True)
if not os.path.exists(os.path.join(keys, "510400.key")):
    for c in ["510400"] + units:
        subprocess.run([B + "/county-agent", "keygen", "--out", keys, "--name", c], check=True, stdout=subprocess.DEVNULL)
for u in units:
    shutil.copy(os.path.join(keys, u + ".pub"), allow)
with open(os.path.join(tmp, "units.csv"), "w") as f:
    f.write("code,name\n510400,攀枝花市\n" + "".join("%s,县%s\n" % (u, u) for u in units))
t0 = time.time()
for u in units:
    d = os.path.join(tmp, "a" + u)
    if os.path.exists(d):
        shutil.rmtree(d)
    csv = os.path.join(tmp, u + ".csv")
    if not os.path.exists(csv):
        with open(csv, "w") as f:
            subprocess.run([sys.executable, gen,
                            "--years", str(a.years), "--unit", u], stdout=f, check=True)
    subprocess.run([B + "/county-agent", "submit", "--unit", u, "--data", d, csv], check=True, stdout=subprocess.DEVNULL)
print("queued %d x %d reports in %.1f s" % (len(units), 12 * a.years, time.time() - t0), flush=True)
shutil.rmtree(os.path.join(tmp, "city"), ignore_errors=True)
ep = "tcp://127.0.0.1:%d" % port(); pub = "tcp://127.0.0.1:%d" % port()
city = subprocess.Popen([B + "/city-aggregator", "run", "--city", "510400", "--name", "攀枝花市",
    "--data", os.path.join(tmp, "city"), "--bind", ep, "--pub", pub, "--key", os.path.join(keys, "510400.key"),
    "--allow", allow, "--units", os.path.join(tmp, "units.csv")], stderr=open(os.path.join(tmp, "city.log"), "w"))
time.sleep(0.5)
start = time.time()
agents = []
for u in units:
    argv = [B + "/county-agent", "run", "--unit", u, "--data", os.path.join(tmp, "a" + u), "--city", ep,
            "--city-pub", os.path.join(keys, "510400.pub"), "--key", os.path.join(keys, u + ".key")]
    if a.perf and u == units[0]:
        argv = ["perf", "record", "--call-graph", "dwarf", "-F", "4000", "-o", os.path.join(tmp, "agent.perf")] + argv
    agents.append(subprocess.Popen(argv, stderr=open(os.path.join(tmp, u + ".log"), "w")))
total = len(units) * 12 * a.years
def acked():
    n = 0
    for u in units:
        with open(os.path.join(tmp, u + ".log"), "rb") as f:
            n += len(set(l.rsplit(b" ", 1)[-1] for l in f.read().split(b"\n")[:-1] if b" acknowledged " in l))
    return n
n = 0
while time.time() - start < 600:
    n = acked()
    if n >= total:
        break
    time.sleep(0.05)
el = time.time() - start
print("acked %d of %d in %.2f s: %.0f reports/s" % (n, total, el, n / el), flush=True)
for p in agents:
    p.terminate()
cpu = 0.0
for p in agents:
    _, _, ru = os.wait4(p.pid, 0); cpu += ru.ru_utime + ru.ru_stime
city.terminate(); _, _, ru = os.wait4(city.pid, 0)
print("cpu: agents %.2f s in all (%.0f us/report), city %.2f s" % (cpu, cpu * 1e6 / total, ru.ru_utime + ru.ru_stime))
states = {}
for u in units:
    out = subprocess.run([B + "/county-agent", "status", "--data", os.path.join(tmp, "a" + u), "--format", "json"],
                         capture_output=True, text=True).stdout
    for r in json.loads(out)["reports"]:
        states[r["state"]] = states.get(r["state"], 0) + 1
stored = open(os.path.join(tmp, "city.log"), "rb").read()
print("states:", states, "city stored lines:", stored.count(b" stored "), "duplicates:", stored.count(b"duplicate of"))
