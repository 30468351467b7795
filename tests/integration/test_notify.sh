#!/bin/bash
# Integration test (issue 9, item 3): the daemons speak systemd's notify
# protocol. Each daemon (hub, city, agent) is started with NOTIFY_SOCKET
# pointing at a datagram socket of this test's own and WATCHDOG_USEC=1 s:
# READY=1 must come once its endpoint accepts connections and its store
# exists, WATCHDOG=1 at least twice a second after that, and STOPPING=1 on
# SIGTERM before it exits 0. Without NOTIFY_SOCKET nothing is sent and the
# daemon runs as before (the other tests).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
fundtest_setup "$1"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$here" python3 - "$bin" "$tmp" <<'PYTHON'
import os, socket, sys, time
from fundtest import Chain, Checker

BIN, TMP = sys.argv[1], sys.argv[2]
t = Checker()
CITY, UNIT = "510400", "510402"
chain = Chain(BIN, TMP, {CITY: [UNIT]})

def listening(endpoint):
    host, port = endpoint[len("tcp://"):].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        return True
    except OSError:
        return False

for name, endpoint, data in (("hub", chain.hub_ep, chain.hub_data),
                             ("city-" + CITY, chain.city_ep[CITY], chain.city_dir(CITY)),
                             ("agent-" + UNIT, None, chain.agent_dir(UNIT))):
    path = os.path.join(TMP, name + ".notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    d = chain.daemons[name]
    d.env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000")
    d.start()
    got, ready_at, ready_ok, watchdogs = [], None, False, []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            msg = sock.recv(4096).decode()
        except socket.timeout:
            if ready_at and time.monotonic() - ready_at > 2.2:
                break
            continue
        now = time.monotonic()
        got.append(msg)
        if "READY=1" in msg and ready_at is None:
            ready_at = now
            ready_ok = os.path.exists(os.path.join(data, "data.mdb")) and \
                (endpoint is None or listening(endpoint))
        if msg.strip() == "WATCHDOG=1" and ready_at is not None:
            watchdogs.append(now)
    t.check("%s says READY=1" % name, ready_at is not None, got[:3])
    t.check("%s is ready only with its store open and its endpoint bound" % name, ready_ok)
    # 2.2 s after READY: at least 4 WATCHDOG=1 (twice a second), none 600 ms apart.
    gaps = [b - a for a, b in zip(watchdogs, watchdogs[1:])]
    t.check("%s says WATCHDOG=1 at least twice a second" % name,
            len(watchdogs) >= 4 and max(gaps or [9]) < 0.6, "%d, gaps %s" % (len(watchdogs), gaps))
    rc = d.stop()
    rest = []
    sock.settimeout(1)
    try:
        while True:
            rest.append(sock.recv(4096).decode())
    except socket.timeout:
        pass
    t.check("%s says STOPPING=1 on SIGTERM and exits 0" % name,
            rc == 0 and any("STOPPING=1" in m for m in rest), "exit %s, %s" % (rc, rest))
    sock.close()
t.exit()
PYTHON
