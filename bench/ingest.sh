#!/usr/bin/env bash
# Ingest only: the raw ceiling and Rantai's durable PutOffer ingest,
# interleaved, for one or more builds (A/B comparison in the same run on a
# shared machine). Each round runs, per fill: bench_raw_ingest, then
# bench_rantai --only-ingest with every build in turn, so load changes on
# the machine hit all of them alike.
#   bench/ingest.sh [--rounds N] [--mode quick|smoke|default]
#                   [--fills 0,20k] BUILD_DIR [BUILD_DIR...]
# The first BUILD_DIR's bench programs are used for the raw ceiling and the
# load generator; each BUILD_DIR's services are measured. Prints per round
# "build fill raw rantai ratio" and the medians at the end.
set -u
ROUNDS=3
MODE=quick
FILLS=0,20k
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --mode) MODE="$2"; shift ;;
    --fills) FILLS="$2"; shift ;;
    *) break ;;
  esac
  shift
done
[ $# -ge 1 ] || { echo "usage: $0 [--rounds N] [--mode M] [--fills F] BUILD_DIR..." >&2; exit 2; }
BENCH="$1/bench"
WORK="$(mktemp -d /tmp/rantai-ingest-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
RES="$WORK/results.txt"
: > "$RES"
for r in $(seq 1 "$ROUNDS"); do
  "$BENCH/bench_raw_ingest" --"$MODE" --work "$WORK" --fills "$FILLS" 2>/dev/null |
    awk -v r="$r" '/^raw_ingest_rate_fill/ {sub("raw_ingest_rate_fill","",$1); print r, "raw", $1, $2}' >> "$RES"
  for b in "$@"; do
    "$BENCH/bench_rantai" --"$MODE" --work "$WORK" --bin-dir "$b" --fills "$FILLS" --only-ingest 2>/dev/null |
      awk -v r="$r" -v b="$b" '/^rantai_ingest_rate_fill/ {sub("rantai_ingest_rate_fill","",$1); print r, b, $1, $2}' >> "$RES"
  done
  echo "round $r done: load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
python3 - "$RES" <<'EOF'
import sys, statistics
raw, rt = {}, {}
for line in open(sys.argv[1]):
    r, who, fill, v = line.split()
    (raw if who == "raw" else rt).setdefault((who, fill), {})[r] = float(v)
print("%-40s %6s %9s %9s %6s" % ("build", "fill", "raw/s", "rantai/s", "ratio"))
for (who, fill), reps in sorted(rt.items()):
    rr = raw.get(("raw", fill), {})
    ratios = [reps[r] / rr[r] for r in reps if r in rr and rr[r] > 0]
    for r in sorted(reps):
        print("%-40s %6s %9.0f %9.0f %6.2f  (round %s)" % (who, fill, rr.get(r, 0), reps[r], reps[r] / rr[r] if rr.get(r) else 0, r))
    print("%-40s %6s %9.0f %9.0f %6.2f  MEDIAN" % (who, fill, statistics.median(rr.values()) if rr else 0, statistics.median(reps.values()), statistics.median(ratios) if ratios else 0))
EOF
