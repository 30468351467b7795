#!/bin/bash
# Integration test (issue 4, resources): a full disk under `county-agent
# submit`, made without root or mounts by a file size limit (RLIMIT_FSIZE,
# as `ulimit -f` sets it) just above the size of the agent's data file, so
# that LMDB's writes fail with EFBIG (SIGXFSZ left at its default action: the
# program must not die of it). submit must exit 1 with a message naming the
# problem, store nothing of the file and no revision number, and keep what
# it accepted before intact: those reports are still queued, and they are
# delivered to the city once the agent runs; the same file then goes
# through without the limit, at the revisions it would have had.
#
# Then (issue 7, item 6), as root, a real full filesystem: a 1 MB tmpfs
# filled with a file. submit and status against a new store there must not
# die of SIGBUS (LMDB writes its lock file through a map), and on a store
# made while there was room a submit that does not fit says "the disk is
# full (N bytes free on DIR)", exits 1 and loses nothing accepted before.
# That part is skipped, saying so, when not root or when mount fails.
set -uo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
cleanup () {
  if mountpoint -q "$tmp/full" 2>/dev/null; then umount "$tmp/full"; fi
  if [ -f "$tmp/pids" ]; then
    while read -r p; do kill -9 "$p" 2>/dev/null; done <"$tmp/pids"
  fi
  if [ -n "${FUNDCHAIN_KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" <<'PYTHON'
import os, random, resource, sys, time
from fundtest import Chain, Checker, csv_text, make_report, yuan

BIN, TMP = sys.argv[1], sys.argv[2]
rng = random.Random(5)
t = Checker()
UNIT = "510402"
chain = Chain(BIN, TMP, {"510400": ["510400", UNIT]}, hub=False)
chain.daemons["city-510400"].start()   # the agent is started once the disk has room again

def write(name, pairs):
    reports = [(pair, make_report(rng, UNIT, False)) for pair in pairs]
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(csv_text(UNIT, reports))
    return path, {(UNIT,) + pair: money for pair, (money, _) in reports}

before, before_money = write("before.csv", [("2023-%02d" % m, "resident") for m in (1, 2, 3)])
rc, revs, err = chain.submit(UNIT, before)
t.check("3 reports are accepted while the disk has room", rc == 0 and len(revs) == 3, err)
data = os.path.join(chain.agent_dir(UNIT), "data.mdb")
size = os.path.getsize(data)

# 36 reports need new pages beyond the end of the file; one of them is a
# second revision of a report accepted before.
big_pairs = [("2023-%02d" % m, f) for m in range(1, 13) for f in ("resident", "employee",
                                                                  "maternity")]
big, big_money = write("big.csv", big_pairs)
def limit():
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
r = chain.run("county-agent", "submit", "--unit", UNIT, "--data", chain.agent_dir(UNIT), big,
              preexec_fn=limit)
err = r.stderr.strip().splitlines()
print("submit under the limit: exit %d, %s" % (r.returncode, err[-1] if err else "no message"))
t.check("submit on a full disk exits 1 (not killed by SIGXFSZ)", r.returncode == 1, r.returncode)
t.check("its message names the problem", any("File too large" in l and "disk is full" in l
                                             for l in err), err[-1:])
t.check("its message says that nothing was queued", any("nothing was queued" in l for l in err))
t.check("the data file did not grow past the limit", os.path.getsize(data) <= size)

doc = chain.json("county-agent", "status", "--data", chain.agent_dir(UNIT))
rows = [(r["unit"], r["period"], r["fund"], r["revision"], r["state"]) for r in doc["reports"]] \
    if doc else None
t.check("status shows the 3 earlier reports, queued, and nothing of the refused file",
        rows == [k + (1, "queued") for k in sorted(before_money)], rows)

chain.daemons["agent-" + UNIT].start()
deadline = time.monotonic() + 30
while time.monotonic() < deadline and set(chain.states(UNIT)) != {"acked"}:
    time.sleep(0.2)
t.check("the earlier reports are delivered once the agent runs", chain.states(UNIT) == ["acked"] * 3)

rc, revs, err = chain.submit(UNIT, big)
t.check("the refused file goes through without the limit, at revision 2 for the report "
        "accepted before and 1 for the others",
        rc == 0 and revs == {k: 2 if k in before_money else 1 for k in big_money}, err)
deadline = time.monotonic() + 30
while time.monotonic() < deadline and set(chain.states(UNIT)) != {"acked"}:
    time.sleep(0.2)
t.check("and is delivered", set(chain.states(UNIT)) == {"acked"} and len(chain.states(UNIT)) == 39)

last = {**before_money, **big_money}
wrong = [k for k, money in last.items()
         if (chain.json("city-aggregator", "show", "--data", chain.city_dir("510400"),
                        "--unit", UNIT, "--period", k[1], "--fund", k[2]) or {}).get("items")
         != {i: yuan(v) for i, v in money.items()}]
t.check("the city holds the last revision of all 38 reports", not wrong, wrong[:3])
stopped = chain.stop()
t.check("every daemon stops with 0 on SIGTERM", not stopped, stopped)
t.exit()
PYTHON
first=$?

# The tmpfs part.
if [ "$(id -u)" != 0 ]; then
  echo "skip: the full tmpfs part needs root"
  exit $first
fi
mkdir -p "$tmp/full"
if ! mount -t tmpfs -o size=1m tmpfs "$tmp/full" 2>/dev/null; then
  echo "skip: cannot mount a tmpfs here"
  exit $first
fi
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" <<'PYTHON'
import json, os, random, subprocess, sys
from fundtest import Checker, csv_text, make_report

BIN, TMP = sys.argv[1], sys.argv[2]
FULL = os.path.join(TMP, "full")
UNIT = "510402"
rng = random.Random(11)
t = Checker()

def fill():
    """Fills the tmpfs with a file until no block is left."""
    fd = os.open(os.path.join(FULL, "fill"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while os.write(fd, b"\0" * 4096) > 0:
            pass
    except OSError:
        pass
    os.close(fd)

def make(name, periods):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(csv_text(UNIT, [((p, "resident"), make_report(rng, UNIT, False)) for p in periods]))
    return path

def run(*argv):
    r = subprocess.run([os.path.join(BIN, argv[0])] + list(argv[1:]), capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    last = r.stderr.strip().splitlines()[-1:] if r.stderr.strip() else ["no message"]
    return r.returncode, r.stdout, r.stderr, last

small = make("small.csv", ["2023-01", "2023-02"])
big = make("big.csv", ["%d-%02d" % (y, m) for y in range(2015, 2024) for m in range(1, 13)])

# A new store on a full disk.
fill()
new = os.path.join(FULL, "new")
rc, out, err, last = run("county-agent", "submit", "--unit", UNIT, "--data", new, small)
t.check("submit to a new store on a full disk exits 1, not killed by SIGBUS", rc == 1, rc)
t.check("  saying that the disk is full and how much is free",
        "the disk is full (" in err and "bytes free on" in err, last)
rc, out, err, last = run("county-agent", "status", "--data", new)
t.check("status of that store exits 1, not killed by SIGBUS", rc == 1, (rc, last))

# A store made while there was room.
os.unlink(os.path.join(FULL, "fill"))
agent = os.path.join(FULL, "agent")
rc, out, err, last = run("county-agent", "submit", "--unit", UNIT, "--data", agent, small)
t.check("with room again, 2 reports are queued", rc == 0 and out.count("queued") == 2, last)
rc, before, err, last = run("county-agent", "status", "--data", agent, "--format", "json")
fill()
rc, out, err, last = run("county-agent", "submit", "--unit", UNIT, "--data", agent, big)
t.check("a submit that does not fit on the full disk exits 1", rc == 1, (rc, last))
t.check("  saying that the disk is full and how much is free on which directory",
        "the disk is full (" in err and "bytes free on " + agent in err, last)
t.check("  and that nothing was queued", "nothing was queued" in err, last)
rc, after, err, last = run("county-agent", "status", "--data", agent, "--format", "json")
t.check("status still works on the full disk and shows exactly what was accepted before",
        rc == 0 and json.loads(after) == json.loads(before), (rc, last))
os.unlink(os.path.join(FULL, "fill"))
rc, out, err, last = run("county-agent", "submit", "--unit", UNIT, "--data", agent, small)
t.check("with room again, the same reports go as revision 2",
        rc == 0 and out.count("revision 2") == 2, (rc, last))
t.exit()
PYTHON
second=$?
[ $first -eq 0 ] && [ $second -eq 0 ]
