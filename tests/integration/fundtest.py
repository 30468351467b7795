"""Helpers the Python parts of the integration tests share (standard library
only): a chain of real daemons on loopback with CURVE keys made by keygen,
a generator of small valid reports, and SPEC 3's pool recomputed from them.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

PROVINCE = "510000"


class Checker:
    """Prints "ok   what" / "FAIL what" lines and remembers the failures."""

    def __init__(self):
        self.failures = []

    def check(self, what, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + str(detail)),
              flush=True)
        if not ok:
            self.failures.append(what)
        return ok

    def exit(self):
        sys.exit(1 if self.failures else 0)


def wait_for(pred, seconds):
    """Polls pred every 0.2 s for up to seconds; returns its last answer."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


def port():
    """Returns a free ephemeral port on 127.0.0.1."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def yuan(fen):
    """Formats fen as yuan with exactly 2 decimals, as the JSON outputs do."""
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


class Daemon:
    """One daemon process, restartable; its stderr is appended to NAME.log."""

    def __init__(self, tmp, name, argv, env=None):
        self.tmp, self.name, self.argv, self.env, self.proc = tmp, name, argv, env, None
        self.log = os.path.join(tmp, name + ".log")
        self.kills = 0

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=log, env=self.env)
        with open(os.path.join(self.tmp, "pids"), "a") as f:   # for the shell's trap
            f.write("%d\n" % self.proc.pid)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILLs the process and reaps it."""
        if self.proc is None:
            return
        try:
            self.proc.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None
        self.kills += 1

    def stop(self, timeout=20):
        """SIGTERMs the process; returns its exit code, or "timeout"."""
        if self.proc is None:
            return "not running"
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return "timeout"

    def tail(self, n=5):
        with open(self.log, errors="replace") as f:
            return "".join(f.readlines()[-n:])


class Chain:
    """Keys, allow directories, units files and the daemons of a province
    hub (optional), its cities and one agent per unit."""

    def __init__(self, bin_dir, tmp, cities, hub=True, env=None):
        self.bin, self.tmp, self.cities, self.env = bin_dir, tmp, cities, env
        self.units = [u for us in cities.values() for u in us]
        self.city_of = {u: c for c, us in cities.items() for u in us}
        self.keys = os.path.join(tmp, "keys")
        for code in ([PROVINCE] if hub else []) + list(cities) + self.units:
            if not os.path.exists(self.key(code, "pub")):
                r = self.run("county-agent", "keygen", "--out", self.keys, "--name", code)
                if r.returncode != 0:
                    sys.exit("keygen failed: " + r.stderr)
        self.daemons = {}
        self.hub_data = os.path.join(tmp, "hub")
        self.hub_ep = "tcp://127.0.0.1:%d" % port()
        self.query_ep = "tcp://127.0.0.1:%d" % port()
        if hub:
            self.add("hub", ["province-hub", "run", "--province", PROVINCE, "--name", "四川省",
                             "--data", self.hub_data, "--bind", self.hub_ep,
                             "--query-bind", self.query_ep, "--key", self.key(PROVINCE),
                             "--allow", self.allow(PROVINCE, list(cities))])
        self.city_ep = {}
        for city, units in cities.items():
            self.city_ep[city] = "tcp://127.0.0.1:%d" % port()
            units_csv = os.path.join(tmp, "units-%s.csv" % city)
            with open(units_csv, "w") as f:
                f.write("code,name\n" + "".join("%s,单位%s\n" % (u, u) for u in units))
            self.add("city-" + city,
                     ["city-aggregator", "run", "--city", city, "--name", "城市" + city,
                      "--data", self.city_dir(city), "--bind", self.city_ep[city],
                      "--pub", "tcp://127.0.0.1:%d" % port(), "--key", self.key(city),
                      "--allow", self.allow(city, units), "--units", units_csv]
                     + (["--province", self.hub_ep, "--province-pub", self.key(PROVINCE, "pub")]
                        if hub else []))
        for u in self.units:
            c = self.city_of[u]
            self.add("agent-" + u, ["county-agent", "run", "--unit", u, "--data", self.agent_dir(u),
                                    "--city", self.city_ep[c], "--city-pub", self.key(c, "pub"),
                                    "--key", self.key(u)])

    def key(self, code, kind="key"):
        return os.path.join(self.keys, "%s.%s" % (code, kind))

    def allow(self, name, codes):
        d = os.path.join(self.tmp, "allow-" + name)
        os.makedirs(d, exist_ok=True)
        for c in codes:
            with open(self.key(c, "pub"), "rb") as src, \
                 open(os.path.join(d, c + ".pub"), "wb") as dst:
                dst.write(src.read())
        return d

    def add(self, name, argv):
        argv = [os.path.join(self.bin, argv[0])] + argv[1:]
        self.daemons[name] = Daemon(self.tmp, name, argv, self.env)

    def agent_dir(self, unit):
        return os.path.join(self.tmp, "agent-" + unit)

    def city_dir(self, city):
        return os.path.join(self.tmp, "city-" + city)

    def run(self, *argv, timeout=60, env=None, preexec_fn=None):
        """Runs one of the binaries to completion."""
        return subprocess.run([os.path.join(self.bin, argv[0])] + list(argv[1:]),
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=env or self.env,
                              preexec_fn=preexec_fn)

    def json(self, *argv):
        """Runs a query with --format json; returns the document, or None."""
        r = self.run(*argv, "--format", "json")
        if r.returncode != 0:
            return None
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def submit(self, unit, path, env=None, preexec_fn=None):
        """Submits a CSV file; returns (exit code, {(unit, period, fund): revision}, stderr)."""
        r = self.run("county-agent", "submit", "--unit", unit, "--data", self.agent_dir(unit),
                     path, env=env, preexec_fn=preexec_fn)
        revs = {}
        for line in r.stdout.splitlines():   # queued UNIT PERIOD FUND revision N
            w = line.split()
            if len(w) == 6 and w[0] == "queued":
                revs[(w[1], w[2], w[3])] = int(w[5])
        return r.returncode, revs, r.stderr

    def states(self, unit):
        """The states of the agent's outbox entries, in its order."""
        doc = self.json("county-agent", "status", "--data", self.agent_dir(unit))
        return [r["state"] for r in doc["reports"]] if doc else ["unreadable"]

    def delivered(self, unit):
        """(ok, states): ok when every revision in the agent's outbox is acked,
        or was refused only because the city holds the agent's own later
        revision (an older one that arrived after it: status says "superseded
        by this agent's revision N"), and the latest revision of every
        (period, fund) is acked."""
        doc = self.json("county-agent", "status", "--data", self.agent_dir(unit))
        if not doc:
            return False, ["unreadable"]
        latest = {}
        for r in doc["reports"]:
            key = (r["period"], r["fund"])
            if r["revision"] >= latest.get(key, (0, ""))[0]:
                latest[key] = (r["revision"], r["state"])
        ok = all(r["state"] == "acked" or (r["state"] == "rejected" and
                                             "superseded by this agent's revision" in r["reason"])
                 for r in doc["reports"])
        ok = ok and all(state == "acked" for _, state in latest.values())
        return ok, [r["state"] for r in doc["reports"]]

    def start(self):
        for d in self.daemons.values():
            d.start()

    def stop(self):
        """SIGTERMs every daemon started; returns ["name: code"] of those not exiting 0."""
        bad = []
        for name, d in self.daemons.items():
            if d.proc is None:
                continue
            rc = d.stop()
            if rc != 0:
                bad.append("%s: %s" % (name, rc))
        return bad


def make_report(rng, unit, own):
    """Returns (money, extra) of one valid report of a county (own False) or
    a 市本级 (own True): money is {item: fen}, with totals equal to their
    children and the balance identity kept, and intra-pool transfers as
    SPEC 3 names them; extra is {item: (value, unit_of_measure, target)}."""
    R = rng.randint
    m = {}
    m["income.premium"] = R(1000000, 90000000)
    m["income.subsidy"] = R(1000000, 90000000)
    m["income.interest"] = R(1000, 900000)
    m["income.lower_remit" if own else "income.upper_grant"] = R(10000, 5000000)
    m["income.total"] = sum(m.values())
    m["expense.benefit.inpatient"] = R(1000000, 60000000)
    m["expense.benefit.outpatient_general"] = R(100000, 20000000)
    m["expense.benefit"] = m["expense.benefit.inpatient"] + m["expense.benefit.outpatient_general"]
    m["expense.other"] = R(0, 100000)
    m["expense.lower_grant" if own else "expense.upper_remit"] = R(10000, 5000000)
    if own and rng.random() < 0.5:
        m["expense.upper_remit"] = R(10000, 900000)   # to the province: stays in the pool
    m["expense.total"] = sum(v for k, v in m.items()
                             if k.startswith("expense.") and k.count(".") == 1)
    m["balance.opening"] = R(-5000000, 500000000)
    m["balance.closing"] = m["balance.opening"] + m["income.total"] - m["expense.total"]
    m["budget.income"] = R(1000000, 200000000)
    m["budget.expense"] = R(1000000, 200000000)
    extra = {"stat.enrolled": (str(R(1000, 900000)), "person", ""),
             "ind.satisfaction": ("%d.%02d" % (R(80, 99), R(0, 99)), "%", ">=90")}
    return m, extra


def csv_text(unit, reports):
    """The import CSV of one unit's reports: [((period, fund), (money, extra))]."""
    lines = ["unit,period,fund,item,value,unit_of_measure,target"]
    for (period, fund), (money, extra) in reports:
        for item, fen in money.items():
            lines.append("%s,%s,%s,%s,%s,yuan," % (unit, period, fund, item, yuan(fen)))
        for item, (value, uom, target) in extra.items():
            lines.append("%s,%s,%s,%s,%s,%s,%s" % (unit, period, fund, item, value, uom, target))
    return "\n".join(lines) + "\n"


COUNTY_INTRA = {"expense.upper_remit": "expense.total", "income.upper_grant": "income.total"}
CITY_INTRA = {"income.lower_remit": "income.total", "expense.lower_grant": "expense.total"}


def expected_pool(city, members):
    """SPEC 3: sums every money item over the members ({unit: money}), drops
    the intra-pool transfers (the counties' upper_remit and upper_grant, the
    市本级's lower_remit and lower_grant) and takes them out of the totals
    they are part of. Returns (sorted unit codes, {item: yuan})."""
    items, removed = {}, {}
    for unit, money in members.items():
        intra = CITY_INTRA if unit == city else COUNTY_INTRA
        for item, fen in money.items():
            if item in intra:
                removed[intra[item]] = removed.get(intra[item], 0) + fen
            else:
                items[item] = items.get(item, 0) + fen
    for total, fen in removed.items():
        items[total] -= fen
    return sorted(members), {k: yuan(v) for k, v in items.items()}
