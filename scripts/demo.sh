#!/usr/bin/env bash
# Rantai live demo: install what is missing, build, start the three
# services on 127.0.0.1 (default ports) with a temporary data dir, load
# Indonesian sample data (scripts/demo-data.sh), print the matches, stop.
#   scripts/demo.sh            run the demo
#   KEEP=1 scripts/demo.sh     keep data and logs afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== installing what is missing and building (first run takes a few minutes)"
RANTAI_DEPS_MINIMAL=1 scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target rantai-producer rantai-buyer \
  rantai-matcher rantai >/dev/null

bin="$root/build"
work=$(mktemp -d /tmp/rantai-demo-XXXXXX)
pids=()
stop_all() {
  local rc=0
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" || rc=$?; done
  pids=()
  return $rc
}
cleanup() {
  stop_all || true
  if [ "${KEEP:-}" = 1 ]; then
    echo "data and logs kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

r() { "$bin/cli/rantai" "$@"; }
start() { # service api-port
  local svc=$1 port=$2
  "$bin/services/rantai-$svc" --api "tcp://127.0.0.1:$port" \
    --feed "tcp://127.0.0.1:$((port + 1))" --http "127.0.0.1:$((port + 2000))" \
    --data-dir "$work/$svc" "${@:3}" >"$work/$svc.log" 2>&1 &
  pids+=($!)
}

echo "== starting producer, buyer and matcher services in $work"
start producer 7401
start buyer 7411
start matcher 7421 --producer-feed tcp://127.0.0.1:7402 \
  --buyer-feed tcp://127.0.0.1:7412
# Ready when each answers (the CLI retries with a deadline).
for i in $(seq 1 100); do
  if r --timeout 200 --retries 0 status >/dev/null 2>&1 &&
     r --timeout 200 --retries 0 list-offers --limit 1 >/dev/null 2>&1 &&
     r --timeout 200 --retries 0 list-demands --limit 1 >/dev/null 2>&1; then
    break
  fi
  if [ "$i" = 100 ]; then
    echo "services did not come up; logs:" >&2
    tail -n 5 "$work"/*.log >&2
    exit 1
  fi
done

echo "== loading sample data: cooperatives, producers, offers, demands"
pseq=0
bseq=0
# shellcheck source=scripts/demo-data.sh
. scripts/demo-data.sh
r --timeout 30000 wait --producer-seq "$pseq" --buyer-seq "$bseq" >/dev/null
r status
echo

for d in DEM-KOPI-001 DEM-SUSU-001 DEM-UDANG-001 DEM-BERAS-001 \
         DEM-MEBEL-001 DEM-PISANG-001; do
  echo "------------------------------------------------------------------"
  r get-demand-state --id "$d"
  echo
done

echo "------------------------------------------------------------------"
echo "== what cooperative KOP-GAYO sees on the matcher feed (its members only)"
r watch matcher --party cooperative:KOP-GAYO --from 1 --timeout 1500 || true
echo

echo "== stopping the services"
stop_all
echo "all services stopped cleanly"
