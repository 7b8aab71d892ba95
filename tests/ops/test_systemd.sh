#!/usr/bin/env bash
# test_systemd.sh BUILD_DIR - the systemd units in deploy/systemd.
#
# Installs the build to a temporary prefix (so ExecStart= names real
# binaries and the man pages of Documentation= exist), then:
#   1. systemd-analyze verify accepts every unit (and rejects a broken copy,
#      so the check is known to bite);
#   2. every unit is Type=notify with WatchdogSec=, StateDirectory=rantai/SVC,
#      --data-dir /var/lib/rantai/SVC, --config .../rantai/SVC.conf, and the
#      hardening options; systemd-analyze security rates each below 2.5;
#   3. each installed binary, run with its unit's arguments (--config from
#      the install), sends READY=1, watchdog pings and STOPPING=1 on the
#      NOTIFY_SOCKET protocol and exits 0 on SIGTERM (tests/ops/notify_check.py).
# Debian packages: systemd (systemd-analyze), man-db (man, for the
# Documentation= check), python3, cmake.
set -euo pipefail
BUILD=${1:?usage: test_systemd.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-/usr/bin/python3}
for tool in systemd-analyze man "$PY" cmake; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not found (Debian: systemd, man-db, python3, cmake)"
        exit 77
    fi
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PREFIX=$TMP/prefix
cmake --install "$BUILD" --prefix "$PREFIX" >"$TMP/install.log"
UNITS=$PREFIX/lib/systemd/system
export MANPATH=$PREFIX/share/man
fails=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 1. verify, and a broken unit must be rejected.
if (cd "$UNITS" && systemd-analyze verify ./rantai-producer.service \
        ./rantai-buyer.service ./rantai-matcher.service ./rantai.target) \
        >"$TMP/verify.log" 2>&1; then
    pass "systemd-analyze verify (3 services + target)"
else
    cat "$TMP/verify.log"
    fail "systemd-analyze verify"
fi
mkdir "$TMP/broken"
sed 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/rantai-producer|' \
    "$UNITS/rantai-producer.service" >"$TMP/broken/rantai-producer.service"
if (cd "$TMP/broken" && systemd-analyze verify ./rantai-producer.service) \
        >/dev/null 2>&1; then
    fail "systemd-analyze verify accepted a unit whose ExecStart is missing"
else
    pass "systemd-analyze verify rejects a missing ExecStart binary"
fi

# 2. the contract of each unit.
for svc in producer buyer matcher; do
    unit=$UNITS/rantai-$svc.service
    for want in "Type=notify" "WatchdogSec=" "Restart=on-failure" \
            "StateDirectory=rantai/$svc" "DynamicUser=yes" \
            "NoNewPrivileges=yes" "ProtectSystem=strict" "ProtectHome=yes" \
            "PrivateTmp=yes" "RestartPreventExitStatus=2" \
            "PartOf=rantai.target" "WantedBy=rantai.target"; do
        grep -q "^$want" "$unit" || fail "$svc: no $want"
    done
    exec_line=$(grep '^ExecStart=' "$unit")
    [[ $exec_line == "ExecStart=$PREFIX/bin/rantai-$svc "* ]] ||
        fail "$svc: ExecStart is not the installed binary: $exec_line"
    [[ $exec_line == *"--config $PREFIX/etc/rantai/$svc.conf"* ]] ||
        fail "$svc: ExecStart without --config PREFIX/etc/rantai/$svc.conf"
    [[ $exec_line == *"--data-dir /var/lib/rantai/$svc"* ]] ||
        fail "$svc: ExecStart without --data-dir /var/lib/rantai/$svc"
    [[ -f $PREFIX/etc/rantai/$svc.conf ]] || fail "$svc: config not installed"
    if (cd "$UNITS" && systemd-analyze security --offline=yes \
            --threshold=25 "./rantai-$svc.service") >"$TMP/sec.log" 2>&1; then
        pass "$svc: $(grep -o 'Overall exposure level.*' "$TMP/sec.log")"
    else
        tail -3 "$TMP/sec.log"
        fail "$svc: systemd-analyze security exposure above 2.5"
    fi
done
grep -q '^Wants=rantai-producer.service rantai-buyer.service rantai-matcher.service' \
    "$UNITS/rantai.target" || fail "rantai.target does not want the services"

# 3. the binaries speak the notify protocol with their unit's arguments.
for svc in producer buyer matcher; do
    exec_line=$(grep '^ExecStart=' "$UNITS/rantai-$svc.service")
    read -r -a argv <<<"${exec_line#ExecStart=}"
    # Keep binary and --config; notify_check supplies ports and data dir.
    opts=()
    [[ $svc == matcher ]] && opts=(--no-readyz)
    if "$PY" "$HERE/notify_check.py" "${opts[@]}" "${argv[0]}" \
            "${argv[1]}" "${argv[2]}"; then
        pass "$svc: sd_notify READY/WATCHDOG/STOPPING"
    else
        fail "$svc: sd_notify protocol"
    fi
done

echo "$((fails == 0 ? 1 : 0)) passed, $((fails > 0 ? 1 : 0)) failed"
[[ $fails -eq 0 ]]
