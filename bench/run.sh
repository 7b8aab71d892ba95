#!/usr/bin/env bash
# Rantai benchmark suite: builds in Release (build-bench/), runs every
# baseline and scenario on loopback in one process tree, prints the
# figures ("name value unit") and a table, writes bench/out/report.json.
#   bench/run.sh [--smoke|--quick|--full] [--no-build] [--build-dir DIR]
#                [--out DIR]
# Exit status: non-zero only if a program crashed or a scenario broke;
# never because of a figure.
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MODE=default
BUILD=1
BUILD_DIR="$ROOT/build-bench"
OUT="$ROOT/bench/out"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke|--quick|--full|--default) MODE="${1#--}" ;;
    --no-build) BUILD=0 ;;
    --build-dir) BUILD_DIR="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) echo "usage: $0 [--smoke|--quick|--full] [--no-build] [--build-dir DIR] [--out DIR]" >&2
       exit 2 ;;
  esac
  shift
done
case "$MODE" in
  smoke) FILLS=0,2k ;;
  quick) FILLS=0,20k ;;
  default) FILLS=0,100k ;;
  full) FILLS=0,100k,1m ;;
esac
if [ "$BUILD" = 1 ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
  cmake --build "$BUILD_DIR" --target bench -j"$(nproc)" >/dev/null || exit 1
fi
BIN="$BUILD_DIR/bench"
mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/rantai-bench-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
FIGS="$OUT/figures.txt"
: > "$FIGS"
{
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "kernel=$(uname -r)"
  echo "mode=$MODE"
} > "$OUT/machine.txt"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FAILED=0
run() {
  prog="$1"; shift
  echo "== $(basename "$prog") --$MODE $*" >&2
  "$prog" --"$MODE" --work "$WORK" "$@" 2>>"$OUT/stderr.txt" | tee -a "$FIGS" | grep -v '^#'
  rc=${PIPESTATUS[0]}
  if [ "$rc" != 0 ]; then
    echo "bench: $(basename "$prog") exited with $rc (see $OUT/stderr.txt)" >&2
    echo "# note $(basename "$prog") exited with status $rc" >> "$FIGS"
    FAILED=1
  fi
}
: > "$OUT/stderr.txt"
start=$(date +%s)
run "$BIN/bench_raw_lmdb"
run "$BIN/bench_raw_zmq"
run "$BIN/bench_raw_ingest" --fills "$FILLS"
run "$BIN/bench_rantai" --bin-dir "$BUILD_DIR" --fills "$FILLS"
echo "total_seconds $(( $(date +%s) - start )) s" | tee -a "$FIGS"
python3 "$ROOT/bench/report.py" "$FIGS" "$OUT/report.json" "$OUT/machine.txt" || FAILED=1
exit $FAILED
