#!/usr/bin/env python3
"""A Rantai integrator in Python: pyzmq + protobuf, no Rantai library.

A cooperative registers two coffee producers and their offers with the
producer registry, a marketplace registers a buyer and posts a demand that
only both offers together can fill, then the marketplace follows the
matcher's feed (its own events only) until the demand's match_proposed
arrives, and prints the allocations.

    python3 rantai_example.py [--proto-dir DIR] [--prefix ID-PREFIX]

Needs Debian's python3-zmq, python3-protobuf and protobuf-compiler (protoc):
the Python classes are generated from the project's .proto files into a
temporary directory at start (--proto-dir: the directory holding
rantai/v1/*.proto; default: the source tree's proto/, or an installed
PREFIX/share/rantai/proto). Endpoints come from RANTAI_PRODUCER_API,
RANTAI_BUYER_API and RANTAI_MATCHER_FEED (defaults: the services' own).
Exit status 0 when the demand was matched, 1 otherwise.

The wire protocol (PROTOCOL.md): a DEALER sends one frame, a serialized
rantai.v1.Request, and receives one frame, a Reply with the same
request_id. A feed subscriber sends FeedRequest{subscribe}, receives
FeedMessage{event|heartbeat|error} frames and acks what it processed.
"""
import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

import zmq


def load_protos(proto_dir):
    """Generate the rantai.v1 Python modules and import them."""
    protoc = shutil.which("protoc")
    if not protoc:
        sys.exit("protoc not found (Debian: protobuf-compiler)")
    out = tempfile.mkdtemp(prefix="rantai-py-")
    files = [os.path.join("rantai", "v1", f + ".proto")
             for f in ("types", "api", "feed")]
    subprocess.check_call([protoc, "-I", proto_dir, "--python_out", out]
                          + files, cwd=proto_dir)
    for d in ("rantai", os.path.join("rantai", "v1")):
        open(os.path.join(out, d, "__init__.py"), "a").close()
    sys.path.insert(0, out)
    return (importlib.import_module("rantai.v1.types_pb2"),
            importlib.import_module("rantai.v1.api_pb2"),
            importlib.import_module("rantai.v1.feed_pb2"), out)


def default_proto_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    for d in (os.path.join(here, "..", "..", "proto"),
              os.path.join(here, "..", "..", "share", "rantai", "proto"),
              "/usr/local/share/rantai/proto", "/usr/share/rantai/proto"):
        if os.path.exists(os.path.join(d, "rantai", "v1", "api.proto")):
            return os.path.abspath(d)
    return None


class Client:
    """Request/reply on a service's api endpoint (DEALER, one frame)."""

    def __init__(self, ctx, endpoint, api, timeout_ms=5000):
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.api = api
        self.timeout_ms = timeout_ms
        self.next_id = 1

    def call(self, what, quiet=False, **body):
        req = self.api.Request(request_id=self.next_id, **body)
        self.next_id += 1
        self.sock.send(req.SerializeToString())
        if not self.sock.poll(self.timeout_ms):
            raise SystemExit("%s: no reply within %d ms" % (what, self.timeout_ms))
        reply = self.api.Reply.FromString(self.sock.recv())
        if reply.request_id != req.request_id:
            raise SystemExit("%s: reply to another request" % what)
        if reply.code != self.api.STATUS_CODE_OK:
            raise SystemExit("%s: %s: %s" % (
                what, self.api.StatusCode.Name(reply.code), reply.message))
        if not quiet:
            print("%s: ok, seq %d" % (what, reply.seq))
        return reply


def wait_applied(ctx, endpoint, api, producer_seq, timeout):
    """Poll GetMatcherStatus until producer_seq is applied (a deadline,
    not a sleep, decides how long)."""
    matcher = Client(ctx, endpoint, api)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = matcher.call("GetMatcherStatus", quiet=True,
                          get_matcher_status=api.GetMatcherStatus())
        if st.matcher_status.producer_seq >= producer_seq:
            return
        time.sleep(0.01)
    raise SystemExit("matcher did not apply producer seq %d in time"
                     % producer_seq)


def follow(ctx, endpoint, feed, marketplace, demand_id, timeout_s):
    """Subscribe to the matcher feed as the marketplace; return the
    match_proposed for demand_id, or None after timeout_s."""
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    party = feed.Party(kind=feed.PARTY_KIND_MARKETPLACE, id=marketplace)
    sub = feed.FeedRequest(subscribe=feed.Subscribe(from_seq=0, party=party))
    sock.send(sub.SerializeToString())
    end = time.monotonic() + timeout_s
    try:
        while time.monotonic() < end:
            if not sock.poll(1000):
                continue
            msg = feed.FeedMessage.FromString(sock.recv())
            kind = msg.WhichOneof("body")
            if kind == "error":
                raise SystemExit("feed refused: %s" % msg.error.message)
            if kind != "event":
                continue  # heartbeat
            ev = msg.event
            sock.send(feed.FeedRequest(ack=ev.seq).SerializeToString())
            if (ev.WhichOneof("body") == "match_proposed"
                    and ev.match_proposed.demand_id == demand_id):
                return ev
    finally:
        sock.close()
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proto-dir", default=default_proto_dir())
    ap.add_argument("--prefix", default="EXPY", help="prefix of every id")
    ap.add_argument("--timeout", type=int, default=30, help="seconds")
    a = ap.parse_args()
    if not a.proto_dir:
        sys.exit("no proto dir found; pass --proto-dir")
    types, api, feed, gen_dir = load_protos(a.proto_dir)
    try:
        return run(a, types, api, feed)
    finally:
        shutil.rmtree(gen_dir, ignore_errors=True)


def run(a, types, api, feed):
    env = os.environ.get
    ctx = zmq.Context.instance()
    prod = Client(ctx, env("RANTAI_PRODUCER_API") or "tcp://127.0.0.1:7401", api)
    buy = Client(ctx, env("RANTAI_BUYER_API") or "tcp://127.0.0.1:7411", api)
    matcher_feed = env("RANTAI_MATCHER_FEED") or "tcp://127.0.0.1:7422"
    p = a.prefix
    coop, mkt, buyer, demand = p + "-KOP", p + "-MKT", p + "-BUYER", p + "-DEM-1"

    kg = types.UNIT_KILOGRAM
    halal = types.CERTIFICATION_HALAL
    # Two micro producers near Malang, 300 kg and 200 kg of coffee.
    for n, (lat, lon, qty, price) in enumerate(
            [(-7.98, 112.63, 300, 90000), (-7.87, 112.52, 200, 91000)], 1):
        pid = "%s-P%d" % (coop, n)
        prod.call("PutProducer", put_producer=api.PutProducer(
            producer=types.Producer(
                id=pid, name=pid, cooperative_id=coop, province="35",
                location=types.GeoPoint(lat=lat, lon=lon),
                enterprise_class=types.ENTERPRISE_CLASS_MICRO)))
        last = prod.call("PutOffer", put_offer=api.PutOffer(offer=types.Offer(
            id="%s-OF-%d" % (p, n), producer_id=pid, commodity="090111",
            quantity=types.Quantity(milli=qty * 1000, unit=kg),
            price=types.Price(idr=price, per=kg),
            certificates=[types.Certificate(scheme=halal,
                                            number="ID00410000123")])))
    # Read-your-writes (PROTOCOL.md section 4): the registries are separate
    # logs, so wait until the matcher has applied our offers before posting
    # a demand that should meet them.
    wait_applied(ctx, env("RANTAI_MATCHER_API") or "tcp://127.0.0.1:7421",
                 api, last.seq, a.timeout)
    # A buyer of a marketplace wants 500 kg at Surabaya: both offers.
    buy.call("PutBuyer", put_buyer=api.PutBuyer(buyer=types.Buyer(
        id=buyer, name="Kafe Contoh", marketplace_id=mkt)))
    buy.call("PostDemand", post_demand=api.PostDemand(demand=types.Demand(
        id=demand, buyer_id=buyer, commodity="0901",
        quantity=types.Quantity(milli=500 * 1000, unit=kg),
        max_price=types.Price(idr=100000, per=kg),
        required_certifications=[halal],
        delivery=types.GeoPoint(lat=-7.257, lon=112.752),
        allow_partial=True, transport_milli_idr_per_unit_km=2000)))

    ev = follow(ctx, matcher_feed, feed, mkt, demand, a.timeout)
    if ev is None:
        print("not matched")
        return 1
    m = ev.match_proposed
    print("match_proposed %s (seq %d): %d allocations"
          % (m.demand_id, ev.seq, len(m.allocations)))
    for al in m.allocations:
        print("  %s offer %s (cooperative %s) %.3f kg at %d IDR/kg" % (
            al.id, al.offer_id, al.cooperative_id, al.quantity.milli / 1000,
            al.price.idr))
    print("matched")
    return 0


if __name__ == "__main__":
    sys.exit(main())
