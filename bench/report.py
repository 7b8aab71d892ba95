#!/usr/bin/env python3
"""Collect the figure lines of the bench programs ("name value unit",
"# reps name v1 v2 ...", "# note text") into bench/out/report.json, and
print the readable table and the targets (bench/README.md explains them).
Never fails on a figure."""
import json
import sys

PG_P99_MS = {"10k": 8.0, "100k": 38.0, "1m": 397.0}  # tuned PostgreSQL
PG_INGEST = 3900.0  # one row per request, 8 clients


def parse(path):
    figs, reps, notes = {}, {}, []
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("# reps "):
            parts = line.split()
            reps[parts[2]] = [float(x) for x in parts[3:]]
        elif line.startswith("# note "):
            notes.append(line[7:])
        elif line and not line.startswith("#"):
            parts = line.split()
            if len(parts) == 3:
                try:
                    figs[parts[0]] = {"value": float(parts[1]), "unit": parts[2]}
                except ValueError:
                    pass
    for name, r in reps.items():
        if name in figs and r:
            med = figs[name]["value"]
            figs[name]["reps"] = r
            figs[name]["min"] = min(r)
            figs[name]["max"] = max(r)
            figs[name]["spread_pct"] = (
                100.0 * (max(r) - min(r)) / med if med else 0.0)
    return figs, notes


def v(figs, name):
    f = figs.get(name)
    return f["value"] if f else None


def targets(figs):
    out = []

    def add(name, measured, goal, met, unit=""):
        out.append({"target": name, "measured": measured, "goal": goal,
                    "met": met, "unit": unit})

    fills = sorted({n[len("rantai_ingest_rate_fill"):] for n in figs
                    if n.startswith("rantai_ingest_rate_fill")},
                   key=lambda t: (len(t), t))
    for tok in fills:
        r, raw = v(figs, "rantai_ingest_rate_fill" + tok), v(figs, "raw_ingest_rate_fill" + tok)
        if r is not None and raw:
            figs["ratio_ingest_vs_raw_fill" + tok] = {"value": r / raw, "unit": "x"}
            add("durable ingest >= 50%% of raw ceiling (fill %s)" % tok,
                r / raw, 0.5, r / raw >= 0.5, "x")
    r0 = v(figs, "rantai_ingest_rate_fill0")
    if r0 is not None:
        add("durable ingest >= 10x PostgreSQL (3.9k/s)", r0, 10 * PG_INGEST,
            r0 >= 10 * PG_INGEST, "msg/s")
    p99, rtt, fs = (v(figs, "rantai_lat_p99_load50"), v(figs, "raw_zmq_rtt_p99"),
                    v(figs, "raw_lmdb_commit_p50"))
    if None not in (p99, rtt, fs):
        goal = 3 * rtt + fs
        add("request p99 at 50% load <= 3x raw RTT p99 + one fsync", p99, goal,
            p99 <= goal, "us")
    dm = {n[len("rantai_demand_match_p99_fill"):]: f["value"] for n, f in figs.items()
          if n.startswith("rantai_demand_match_p99_fill")}
    if dm:
        base = dm.get("10k")
        big = max(dm, key=lambda t: float(t.rstrip("kKmM")) *
                  (1e6 if t[-1] in "mM" else 1e3 if t[-1] in "kK" else 1))
        if base and big != "10k":
            add("demand->match p99 at %s <= 2x p99 at 10k" % big, dm[big],
                2 * base, dm[big] <= 2 * base, "us")
        for tok, val in dm.items():
            pg = PG_P99_MS.get(tok.lower())
            if pg:
                figs["ratio_demand_match_p99_vs_pg_fill" + tok] = {
                    "value": val / 1000.0 / pg, "unit": "x"}
                goal = pg * 1000.0 / 20 if tok.lower() == "1m" else pg * 1000.0
                add("demand->match p99 at %s vs PostgreSQL (%g ms%s)" %
                    (tok, pg, "/20" if tok.lower() == "1m" else ""), val, goal,
                    val <= goal, "us")
    c, p = v(figs, "rantai_curve_ingest_rate_fill0"), r0
    if c is not None and p:
        figs["ratio_curve_vs_plain_ingest"] = {"value": c / p, "unit": "x"}
        add("CURVE ingest >= 50% of plain", c / p, 0.5, c / p >= 0.5, "x")
    for svc in ("producer", "buyer", "matcher"):
        now = {n.split("_")[-1]: f["value"] for n, f in figs.items()
               if n.startswith("rantai_rss_anon_%s_" % svc)}
        if len(now) >= 2:
            vals = list(now.values())
            ratio = max(vals) / min(vals) if min(vals) else 0
            add("%s anon RSS independent of offers (max/min over fills <= 1.5)" % svc,
                ratio, 1.5, ratio <= 1.5, "x")
    return out


def main():
    figs_path, json_path, machine_path = sys.argv[1:4]
    figs, notes = parse(figs_path)
    tg = targets(figs)
    machine = {}
    for line in open(machine_path, encoding="utf-8"):
        if "=" in line:
            k, val = line.rstrip("\n").split("=", 1)
            machine[k] = val
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump({"machine": machine, "figures": figs, "targets": tg,
                   "notes": notes}, f, indent=2, sort_keys=True)
    print()
    print("%-46s %14s %-8s %8s %5s" % ("figure", "median", "unit", "spread", "reps"))
    print("-" * 85)
    for name in figs:
        f = figs[name]
        spread = "%.0f%%" % f["spread_pct"] if "spread_pct" in f else ""
        print("%-46s %14.6g %-8s %8s %5s" % (name, f["value"], f["unit"], spread,
                                            len(f.get("reps", [])) or ""))
    print()
    print("%-62s %12s %12s %s" % ("target", "measured", "goal", "met"))
    print("-" * 92)
    for t in tg:
        print("%-62s %12.4g %12.4g %s" % (t["target"], t["measured"], t["goal"],
                                          "yes" if t["met"] else "NO"))
    if notes:
        print("\nnotes:")
        for n in notes:
            print("  - " + n)
    print("\nreport: " + json_path)


if __name__ == "__main__":
    main()
