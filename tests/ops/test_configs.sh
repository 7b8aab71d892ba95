#!/usr/bin/env bash
# test_configs.sh BUILD_DIR - the example configs and the settings docs
# cannot drift from the binaries' settings tables.
#   1. deploy/config/SVC.conf is byte for byte `rantai-SVC --print-config`
#      (regenerate: for s in producer buyer matcher; do
#       BUILD/services/rantai-$s --print-config >deploy/config/$s.conf; done)
#   2. every flag that `rantai-SVC --help` lists is documented in
#      rantai.conf(5) and every setting name (section/key) too;
#   3. every flag of the services is named in docs/OPERATING.md's table or
#      text, so operators find it.
# Debian packages: groff-base (to render the man page), cmake.
set -euo pipefail
BUILD=${1:?usage: test_configs.sh BUILD_DIR}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v groff >/dev/null; then
    echo "SKIP: groff not found (Debian: groff-base)"
    exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

groff -man -Tutf8 -P-c -P-b -P-u "$SRC/man/rantai.conf.5" 2>/dev/null |
    sed 's/‐/-/g; s/−/-/g' >"$TMP/conf5.txt"
groff -man -Tutf8 -P-c -P-b -P-u "$SRC/man/rantai-producer.1" 2>/dev/null |
    sed 's/‐/-/g; s/−/-/g' >"$TMP/svc1.txt"
[[ -s $TMP/conf5.txt ]] || fail "rantai.conf.5 renders empty"

for svc in producer buyer matcher; do
    bin=$BUILD/services/rantai-$svc
    [[ -x $bin ]] || { fail "$bin not built"; continue; }
    "$bin" --print-config >"$TMP/$svc.conf"
    if diff -u "$SRC/deploy/config/$svc.conf" "$TMP/$svc.conf"; then
        echo "ok: deploy/config/$svc.conf matches --print-config"
    else
        fail "deploy/config/$svc.conf differs from rantai-$svc --print-config"
    fi
    "$bin" --help >"$TMP/$svc.help"
    n=0
    while read -r flag; do
        n=$((n + 1))
        grep -qe "$flag\b" "$TMP/conf5.txt" ||
            fail "rantai.conf.5 does not document $flag ($svc)"
        grep -qe "$flag\b" "$SRC/docs/OPERATING.md" ||
            fail "docs/OPERATING.md does not mention $flag ($svc)"
    done < <(grep -oE '^  --[a-z][a-z-]+' "$TMP/$svc.help" | tr -d ' ' |
        grep -vxE -- '--(config|print-config|help)')
    [[ $n -ge 18 ]] || fail "$svc --help lists only $n settings"
    # Section/key names, from the generated config.
    section=
    while read -r line; do
        if [[ $line =~ ^([a-z_]+)$ ]]; then
            section=${BASH_REMATCH[1]}
        elif [[ $line =~ ^#?([a-z_]+)\ = ]]; then
            key="$section/${BASH_REMATCH[1]}"
            grep -qF "$key" "$TMP/conf5.txt" ||
                fail "rantai.conf.5 does not document $key"
        fi
    done < <(sed 's/^ *//' "$TMP/$svc.conf" | grep -v '^#  ')
    echo "ok: $svc: $n flags checked against rantai.conf(5) and OPERATING.md"
done
grep -q -- "--accept-timeout" "$TMP/svc1.txt" ||
    fail "rantai-producer.1 does not mention --accept-timeout"

echo "$((fails == 0 ? 1 : 0)) passed, $((fails > 0 ? 1 : 0)) failed"
[[ $fails -eq 0 ]]
