#!/bin/bash
# Integration test (issue 7, items 3 and 4): signals and --help.
#
# * Every daemon (county-agent run, city-aggregator run, province-hub run)
#   stops cleanly, exit 0, with a log line naming the signal, on SIGUSR1,
#   SIGUSR2, SIGALRM, SIGINT and SIGTERM, and keeps running on SIGPIPE and
#   on SIGHUP (a reload, logged; test_reload.sh checks what it reads).
# * With its stderr piped into `head -1` (which exits after one line, as an
#   SSH session that goes away), every daemon keeps running, and a report
#   submitted afterwards is acknowledged (the agent shows it acked) and
#   reaches the hub.
# * --help and --version of every command of the three binaries, anywhere
#   on the line, exit 0 with output, do nothing else (no store created) and
#   never crash; no argument and an unknown command exit 2 with a message.
#
# FUNDCHAIN_KEEP=1 keeps the logs.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" <<'PYTHON'
import os, random, signal, subprocess, sys, time
from fundtest import Chain, Checker, csv_text, make_report

BIN, TMP = sys.argv[1], sys.argv[2]
t = Checker()
check = t.check
rng = random.Random(7)
CITY, COUNTY = "510400", "510402"
chain = Chain(BIN, TMP, {CITY: [CITY, COUNTY]})
daemons = {"agent": chain.daemons["agent-" + COUNTY], "city": chain.daemons["city-" + CITY],
           "hub": chain.daemons["hub"]}
STARTED = {"agent": "sending to", "city": "receiving on", "hub": "receiving on"}


def wait_for(what, seconds=30):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if what():
            return True
        time.sleep(0.1)
    return what()


def log_since(d, offset):
    with open(d.log, errors="replace") as f:
        f.seek(offset)
        return f.read()


def start(kind):
    """Starts one daemon and waits for its start line; returns the log offset."""
    d = daemons[kind]
    offset = os.path.getsize(d.log) if os.path.exists(d.log) else 0
    d.start()
    ok = wait_for(lambda: STARTED[kind] in log_since(d, offset) or not d.alive())
    check("%s started" % kind, ok and d.alive(), log_since(d, offset)[-500:])
    return offset


def exit_code(d, seconds=20):
    try:
        return d.proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        d.kill()
        return "still running after %d s" % seconds


# ---- every signal, every daemon ---------------------------------------------
STOPS = [signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGINT,
         signal.SIGTERM]
for kind, d in daemons.items():
    for sig in STOPS:
        name = signal.Signals(sig).name
        offset = start(kind)
        if not d.alive():
            continue
        if sig == signal.SIGUSR1:
            # SIGPIPE and SIGHUP first: the daemon runs on (SIGHUP logged).
            d.proc.send_signal(signal.SIGPIPE)
            time.sleep(0.7)
            check("%s keeps running on SIGPIPE" % kind, d.alive(), log_since(d, offset)[-300:])
            d.proc.send_signal(signal.SIGHUP)
            time.sleep(1.2)
            log = log_since(d, offset)
            check("%s keeps running on SIGHUP and logs it" % kind,
                  d.alive() and "SIGHUP: " in log and "stopping" not in log, log[-300:])
            if not d.alive():
                d.proc = None
                continue
        d.proc.send_signal(sig)
        rc = exit_code(d)
        log = log_since(d, offset)
        check("%s exits 0 on %s" % (kind, name), rc == 0, "exit %s; log: %s" % (rc, log[-300:]))
        check("%s logs that it stops on %s" % (kind, name),
              ("stopping on " + name) in log and "stopped" in log, log[-300:])
        d.proc = None

# ---- stderr piped into head -1 ----------------------------------------------
heads = {}
for kind in ("hub", "city", "agent"):
    d = daemons[kind]
    out = open(os.path.join(TMP, kind + ".head"), "wb")
    d.proc = subprocess.Popen(d.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    heads[kind] = subprocess.Popen(["head", "-1"], stdin=d.proc.stderr, stdout=out)
    d.proc.stderr.close()   # only head reads the daemon's stderr now
    out.close()
    with open(os.path.join(TMP, "pids"), "a") as f:
        f.write("%d\n%d\n" % (d.proc.pid, heads[kind].pid))
for kind, head in heads.items():
    try:
        head.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    check("head -1 read the first line of the %s and exited" % kind, head.poll() == 0)

path = os.path.join(TMP, "report.csv")
with open(path, "w") as f:
    f.write(csv_text(COUNTY, [(("2023", "resident"), make_report(rng, COUNTY, False))]))
rc, revs, err = chain.submit(COUNTY, path)
check("submit after head exited", rc == 0 and revs, err)
ok = wait_for(lambda: chain.states(COUNTY) == ["acked"], 60)
check("the report submitted after head exited is acknowledged (agent shows acked)", ok,
      chain.states(COUNTY))
show = lambda: chain.json("province-hub", "show", "--data", chain.hub_data, "--unit", COUNTY,
                          "--period", "2023", "--fund", "resident")
check("the report reaches the hub", wait_for(lambda: show() is not None, 60))
for kind in ("agent", "city", "hub"):
    d = daemons[kind]
    check("the %s keeps running with its stderr closed" % kind, d.alive(),
          "exit %s" % d.proc.poll())
    if d.alive():
        # A reload whose log lines go nowhere does not stop it either.
        d.proc.send_signal(signal.SIGHUP)
        time.sleep(1.2)
        check("the %s with its stderr closed runs on after SIGHUP" % kind, d.alive(),
              "exit %s" % d.proc.poll())
        d.proc.send_signal(signal.SIGTERM)
        rc = exit_code(d)
        check("the %s with its stderr closed still stops cleanly (exit 0)" % kind, rc == 0,
              "exit %s" % rc)
    d.proc = None

# ---- --help and --version of every command -----------------------------------
COMMANDS = {"county-agent": ["keygen", "submit", "status", "run"],
            "city-aggregator": ["run", "pool", "show", "status", "watch", "keygen"],
            "province-hub": ["run", "rank", "show", "keygen"]}
absent = os.path.join(TMP, "absent")
for program, commands in COMMANDS.items():
    for line in (["--help"], ["--version"], ["help"], ["-h"], ["help", "run"], ["bogus", "--help"],
                 ["--data", absent, "--version"]):
        r = chain.run(program, *line)
        check("%s %s exits 0 with output" % (program, " ".join(line)),
              r.returncode == 0 and r.stdout.strip() != "",
              "exit %d, stderr %s" % (r.returncode, r.stderr[-200:]))
    r = chain.run(program)
    check("%s without a command exits 2 with the commands on stderr" % program,
          r.returncode == 2 and "commands:" in r.stderr, "exit %d" % r.returncode)
    r = chain.run(program, "bogus")
    check("%s bogus exits 2 naming it" % program,
          r.returncode == 2 and "unknown command 'bogus'" in r.stderr, "exit %d" % r.returncode)
    for command in commands:
        for line in (["--help"], ["--version"], ["-h"], ["--data", absent, "--help"],
                     ["--data", absent, "--version"], ["--bogus", "--help"],
                     ["--help", "--bogus"], ["--data", "--help"], ["--count", "abc", "--help"],
                     ["-c", os.path.join(TMP, "no.conf"), "--help"],
                     ["--out", absent, "--name", "510402", "--help"]):
            r = chain.run(program, command, *line)
            what = "%s %s %s" % (program, command, " ".join(line).replace(TMP, "TMP"))
            check(what + " exits 0 with output and no crash",
                  r.returncode == 0 and r.stdout.strip() != "",
                  "exit %d, stderr %s" % (r.returncode, r.stderr[-200:]))
            want = "usage: %s %s" % (program, command) if "--help" in line or "-h" in line \
                else "0."
            check(what + " prints the " + ("help" if want != "0." else "version"),
                  want in r.stdout, r.stdout[:200])
check("--help and --version created nothing", not os.path.exists(absent))
t.exit()
PYTHON
