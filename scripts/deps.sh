#!/usr/bin/env bash
# Install what Rantai needs to build, test and run, from Debian 12's
# archive. Idempotent: does nothing (and needs no network) when every
# package is already there. Needs root (or sudo) only when installing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libzmq3-dev libczmq-dev libprotobuf-c-dev protobuf-c-compiler
  liblmdb-dev lmdb-utils libcmocka-dev libmicrohttpd-dev libsystemd-dev
  python3 python3-zmq python3-protobuf python3-yaml protobuf-compiler
  clang clang-format libclang-rt-14-dev curl
  nodejs npm systemd prometheus man-db groff-base
)
if [ "${RANTAI_DEPS_MINIMAL:-}" = 1 ]; then
  # What the demo needs: build and run, no test tools.
  packages=(build-essential cmake pkg-config libzmq3-dev libczmq-dev
            libprotobuf-c-dev protobuf-c-compiler liblmdb-dev libcmocka-dev
            libmicrohttpd-dev libsystemd-dev python3)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    # node may come from elsewhere (the machine image); npm with it.
    if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
