#!/usr/bin/env bash
# test_metrics.sh BUILD_DIR - /metrics, /healthz and /readyz of the three
# real services: promtool (Debian: prometheus) accepts every /metrics page,
# the documented series are there and count what was served.
# Debian packages: prometheus (promtool), curl, python3.
set -euo pipefail
BUILD=${1:?usage: test_metrics.sh BUILD_DIR}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON:-python3}
if ! command -v promtool >/dev/null || ! command -v curl >/dev/null; then
    echo "SKIP: promtool or curl not found (Debian: prometheus, curl)"
    exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export BUILD TMP
"$PY" "$SRC/tests/ops/rantai_cluster.py" --bin-dir "$BUILD/services" \
    -- bash "$SRC/tests/ops/metrics_check.sh"
