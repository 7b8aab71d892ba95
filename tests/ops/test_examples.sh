#!/usr/bin/env bash
# test_examples.sh BUILD_DIR - the integrator examples against the real
# services: the three binaries of BUILD_DIR run on ephemeral loopback ports
# (tests/ops/rantai_cluster.py), then examples/c (BUILD_DIR/examples/
# rantai-example) and examples/python/rantai_example.py each register two
# offers, post a demand and follow the matcher feed; each must print the
# match_proposed of its own demand with both of its offers allocated.
# Both run against the same services, one after the other, with their own
# ids (and their own marketplace's feed).
# Debian packages: python3, python3-zmq, python3-protobuf,
# protobuf-compiler (protoc).
set -euo pipefail
BUILD=${1:?usage: test_examples.sh BUILD_DIR}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
if ! command -v protoc >/dev/null; then
    echo "SKIP: protoc not found (Debian: protobuf-compiler)"; exit 77
fi
if ! "$PY" -c 'import zmq, google.protobuf' 2>/dev/null; then
    echo "SKIP: $PY lacks zmq or protobuf (Debian: python3-zmq python3-protobuf)"
    exit 77
fi
for f in "$BUILD/examples/rantai-example" "$BUILD/services/rantai-matcher"; do
    [[ -x $f ]] || { echo "FAIL: $f not built"; exit 1; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat >"$TMP/run.sh" <<INNER
set -u
"$BUILD/examples/rantai-example" EXC >"$TMP/c.out" 2>&1; echo \$? >"$TMP/c.rc"
"$PY" "$SRC/examples/python/rantai_example.py" --proto-dir "$SRC/proto" \
    --prefix EXPY >"$TMP/py.out" 2>&1; echo \$? >"$TMP/py.rc"
INNER
"$PY" "$SRC/tests/ops/rantai_cluster.py" --bin-dir "$BUILD/services" -- \
    bash "$TMP/run.sh"

fails=0
check() { # name prefix
    local out=$TMP/$1.out rc
    rc=$(cat "$TMP/$1.rc" 2>/dev/null || echo none)
    if [[ $rc == 0 ]] && grep -q "^match_proposed $2-DEM-1 " "$out" &&
        grep -q "$2-DEM-1/1 offer $2-OF-1 " "$out" &&
        grep -q "$2-DEM-1/2 offer $2-OF-2 " "$out" &&
        [[ $(tail -1 "$out") == matched ]]; then
        echo "ok: $1 example saw match_proposed for $2-DEM-1"
    else
        echo "FAIL: $1 example (exit $rc):"; cat "$out"
        fails=$((fails + 1))
    fi
}
check c EXC
check py EXPY
echo "$((2 - fails)) passed, $fails failed"
[[ $fails -eq 0 ]]
