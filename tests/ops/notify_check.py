#!/usr/bin/env python3
"""What a Type=notify unit relies on, without systemd as PID 1.

    notify_check.py [--no-readyz] BINARY [ARG]...

Runs BINARY ARG... (plus ephemeral loopback --api/--feed/--http and a
temporary --data-dir) with NOTIFY_SOCKET pointing at a datagram socket of
ours and WATCHDOG_USEC=400000, as systemd does for WatchdogSec=, then
checks: READY=1 arrives and only once /readyz already answers 200;
WATCHDOG=1 keeps arriving at least every 400 ms (three in a row); after
SIGTERM, STOPPING=1 arrives and the process exits 0. --no-readyz skips the
/readyz check (the matcher is READY to systemd while still connecting to
its upstream registries; /readyz tells when it has them). Standard library
only.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rantai_cluster import free_port, http_status  # noqa: E402


def fail(msg, proc=None, log=None):
    print("notify_check: FAIL: " + msg, file=sys.stderr)
    if proc and proc.poll() is None:
        proc.kill()
        proc.wait()
    if log:
        with open(log, errors="replace") as f:
            sys.stderr.write(f.read()[-3000:])
    sys.exit(1)


def main():
    argv = sys.argv[1:]
    check_readyz = True
    if argv[:1] == ["--no-readyz"]:
        check_readyz = False
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    root = tempfile.mkdtemp(prefix="rantai-notify-")
    sock_path = os.path.join(root, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    taken = set()
    http = "127.0.0.1:%d" % free_port(taken)
    args = argv + [
        "--api", "tcp://127.0.0.1:%d" % free_port(taken),
        "--feed", "tcp://127.0.0.1:%d" % free_port(taken),
        "--http", http, "--data-dir", os.path.join(root, "data")]
    os.makedirs(os.path.join(root, "data"))
    env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="400000")
    env.pop("WATCHDOG_PID", None)
    log = os.path.join(root, "log")
    with open(log, "wb") as lf:
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                stdout=lf, stderr=lf)

    def recv(deadline):
        """Next notification (set of lines) before deadline, or None."""
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = sock.recv(4096)
            except socket.timeout:
                return None
            return set(data.decode().split("\n")) - {""}
        return None

    msg = recv(time.monotonic() + 30)
    if msg is None:
        fail("no notification within 30 s", proc, log)
    if "READY=1" not in msg:
        fail("first notification is %r, not READY=1" % msg, proc, log)
    if check_readyz and http_status("http://%s/readyz" % http) != 200:
        fail("READY=1 sent before /readyz answers 200", proc, log)

    pings = 0
    last = time.monotonic()
    while pings < 3:
        msg = recv(last + 0.4 + 0.3)  # a ping is due every 200 ms
        if msg is None:
            fail("no WATCHDOG=1 within 700 ms (WatchdogSec=400ms)", proc, log)
        if "READY=1" in msg:
            fail("READY=1 sent twice", proc, log)
        if "WATCHDOG=1" in msg:
            pings += 1
            last = time.monotonic()

    proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    stopping = False
    while not stopping:
        msg = recv(deadline)
        if msg is None:
            fail("no STOPPING=1 after SIGTERM", proc, log)
        stopping = "STOPPING=1" in msg
    try:
        rc = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        fail("did not exit within 10 s of SIGTERM", proc, log)
    if rc != 0:
        fail("exit status %d after SIGTERM" % rc, None, log)
    subprocess.call(["rm", "-rf", root])
    print("notify_check: READY=1, %d watchdog pings, STOPPING=1, exit 0: %s"
          % (pings, os.path.basename(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
