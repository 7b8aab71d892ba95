#!/usr/bin/env python3
"""Run Rantai services on loopback for the ops tests, then a command.

    rantai_cluster.py --bin-dir DIR [--services producer,buyer,matcher]
                      [--extra SVC=ARGS]... [--keep] -- CMD [ARG]...

Each service gets ephemeral ports on 127.0.0.1 (api, feed, http) and a
fresh data dir under a temporary root; the matcher subscribes to the
registries started here. Readiness is GET /readyz answering 200 (polled,
with a 30 s deadline), never a sleep. CMD runs with these variables set
(the same names the `rantai` CLI reads):

    RANTAI_PRODUCER_API RANTAI_PRODUCER_FEED RANTAI_PRODUCER_HTTP
    RANTAI_BUYER_API    RANTAI_BUYER_FEED    RANTAI_BUYER_HTTP
    RANTAI_MATCHER_API  RANTAI_MATCHER_FEED  RANTAI_MATCHER_HTTP

Afterwards every service gets SIGTERM and must exit 0 within 10 s. The exit
status is CMD's, or 1 if a service failed to start or stop cleanly; logs
are printed when anything failed. Python 3 standard library only.
"""
import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SERVICES = ("producer", "buyer", "matcher")


def free_port(taken):
    """A TCP port on 127.0.0.1 nobody listens on now (not in `taken`)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in taken:
            taken.add(port)
            return port


def http_status(url, timeout=1.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


class Service:
    def __init__(self, name, bin_dir, root, taken, extra):
        self.name = name
        self.binary = os.path.join(bin_dir, "rantai-" + name)
        self.api = "tcp://127.0.0.1:%d" % free_port(taken)
        self.feed = "tcp://127.0.0.1:%d" % free_port(taken)
        self.http = "127.0.0.1:%d" % free_port(taken)
        self.data_dir = os.path.join(root, name)
        self.log_path = os.path.join(root, name + ".log")
        self.extra = extra
        self.proc = None
        os.makedirs(self.data_dir)

    def argv(self, upstream):
        args = [self.binary, "--api", self.api, "--feed", self.feed,
                "--http", self.http, "--data-dir", self.data_dir]
        if self.name == "matcher":
            args += ["--producer-feed", upstream["producer"].feed,
                     "--buyer-feed", upstream["buyer"].feed]
        return args + self.extra

    def start(self, upstream):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv(upstream), stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=log)
        log.close()

    def wait_ready(self, deadline):
        url = "http://%s/readyz" % self.http
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if http_status(url) == 200:
                return True
            time.sleep(0.05)  # polling interval, not synchronisation
        return False

    def stop(self):
        """SIGTERM; True if it exited 0 within 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc is not None and self.proc.returncode == 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=10) == 0
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return False

    def env(self, out):
        key = "RANTAI_" + self.name.upper()
        out[key + "_API"] = self.api
        out[key + "_FEED"] = self.feed
        out[key + "_HTTP"] = self.http


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--services", default=",".join(SERVICES))
    ap.add_argument("--extra", action="append", default=[],
                    help="SVC=ARGS: more arguments for one service")
    ap.add_argument("--keep", action="store_true", help="keep the temp root")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")
    names = [s for s in a.services.split(",") if s]
    for n in names:
        if n not in SERVICES:
            ap.error("unknown service " + n)
    extra = {n: [] for n in names}
    for e in a.extra:
        svc, _, args = e.partition("=")
        extra.setdefault(svc, []).extend(shlex.split(args))

    root = tempfile.mkdtemp(prefix="rantai-ops-")
    taken = set()
    svcs = {n: Service(n, a.bin_dir, root, taken, extra[n]) for n in names}
    ok = True
    rc = 1
    try:
        deadline = time.monotonic() + 30
        for n in names:
            svcs[n].start(svcs)
        for n in names:
            if not svcs[n].wait_ready(deadline):
                print("rantai_cluster: %s did not become ready" % n,
                      file=sys.stderr)
                ok = False
        if ok:
            env = dict(os.environ)
            for s in svcs.values():
                s.env(env)
            env["RANTAI_OPS_ROOT"] = root
            rc = subprocess.call(cmd, env=env)
    finally:
        for n in reversed(names):
            if not svcs[n].stop():
                print("rantai_cluster: %s did not stop cleanly (exit %s)"
                      % (n, svcs[n].proc.returncode if svcs[n].proc else None),
                      file=sys.stderr)
                ok = False
        if not ok or rc != 0:
            for s in svcs.values():
                if os.path.exists(s.log_path):
                    print("---- %s log" % s.name, file=sys.stderr)
                    with open(s.log_path, errors="replace") as f:
                        sys.stderr.write(f.read()[-4000:])
        if not a.keep:
            subprocess.call(["rm", "-rf", root])
    return rc if ok else 1


if __name__ == "__main__":
    sys.exit(main())
