#!/usr/bin/env bash
# test_install.sh BUILD_DIR - `cmake --install` to a temporary prefix, and
# an integrator builds against it:
#   1. the layout: binaries, librantai (.so.1 and .a), headers including
#      rantai/v1/*.pb-c.h, rantai.pc, the CMake package, the .proto files,
#      man pages in man1 and man5, example configs in doc and etc;
#   2. tests/ops/install_client.c, compiled with
#      `pkg-config --cflags --libs rantai` against the prefix (strict
#      warnings, all public headers), run against a rantai-producer started
#      from the prefix on loopback: it must get NOT_FOUND for an unknown
#      producer; the same with examples/c/example.c built the same way;
#   3. a CMake project using find_package(rantai) builds the same client
#      against rantai::rantai_static and gets NOT_FOUND too;
#   4. a second install over the first keeps an edited etc/rantai/*.conf.
# Debian packages: cmake, pkg-config, gcc, python3, man-db, and the -dev
# packages the library's pkg-config file requires (libprotobuf-c-dev,
# libczmq-dev, libzmq3-dev).
set -euo pipefail
BUILD=${1:?usage: test_install.sh BUILD_DIR}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
for tool in pkg-config cc cmake "$PY" man; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not found (Debian: pkg-config gcc cmake python3 man-db)"
        exit 77
    fi
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PREFIX=$TMP/prefix
fails=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cmake --install "$BUILD" --prefix "$PREFIX" >"$TMP/install.log"

# 1. layout
for f in bin/rantai-producer bin/rantai-buyer bin/rantai-matcher bin/rantai \
        lib/librantai.so.1 lib/librantai.so lib/librantai.a \
        include/rantai/client.h include/rantai/feed.h include/rantai/codec.h \
        include/rantai/v1/api.pb-c.h include/rantai/v1/types.pb-c.h \
        include/rantai/v1/feed.pb-c.h lib/pkgconfig/rantai.pc \
        lib/cmake/rantai/rantaiConfig.cmake \
        lib/cmake/rantai/rantaiConfigVersion.cmake \
        share/rantai/proto/rantai/v1/api.proto \
        share/rantai/proto/rantai/v1/feed.proto \
        share/rantai/proto/rantai/v1/types.proto \
        share/man/man1/rantai.1 share/man/man1/rantai-producer.1 \
        share/man/man1/rantai-buyer.1 share/man/man1/rantai-matcher.1 \
        share/man/man5/rantai.conf.5 \
        share/doc/rantai/examples/producer.conf etc/rantai/matcher.conf \
        lib/systemd/system/rantai-producer.service; do
    [[ -e $PREFIX/$f ]] || fail "not installed: $f"
done
for page in rantai rantai-producer rantai-buyer rantai-matcher rantai.conf; do
    man -M "$PREFIX/share/man" -w "$page" >/dev/null 2>&1 ||
        fail "man -M PREFIX/share/man cannot find $page"
done
[[ $fails -eq 0 ]] && pass "installed layout (binaries, library, headers, pc, cmake, proto, man, configs, units)"

export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
[[ $(pkg-config --modversion rantai) == 1.* ]] || fail "pkg-config --modversion rantai"
[[ $(pkg-config --variable=protodir rantai) -ef $PREFIX/share/rantai/proto ]] ||
    fail "pkg-config protodir is not PREFIX/share/rantai/proto"

# 2. pkg-config client against a producer from the prefix.
LIBDIR=$(pkg-config --variable=libdir rantai)
build_pc() { # out src
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$1" "$2" \
        $(pkg-config --cflags --libs rantai) -Wl,-rpath,"$LIBDIR"
}
if build_pc "$TMP/client" "$SRC/tests/ops/install_client.c" 2>"$TMP/cc.log"; then
    pass "install_client.c builds with pkg-config --cflags --libs rantai"
else
    cat "$TMP/cc.log"; fail "install_client.c does not build against the prefix"
fi
ldd "$TMP/client" | grep -q "$LIBDIR/librantai.so.1" ||
    fail "client is not linked to the installed librantai.so.1"
build_pc "$TMP/example" "$SRC/examples/c/example.c" 2>"$TMP/cc2.log" || {
    cat "$TMP/cc2.log"; fail "examples/c/example.c does not build against the prefix"; }

# 3. find_package(rantai)
mkdir "$TMP/consumer"
cat >"$TMP/consumer/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(rantai 1 REQUIRED)
add_executable(client_static "$SRC/tests/ops/install_client.c")
target_link_libraries(client_static PRIVATE rantai::rantai_static)
add_executable(client_shared "$SRC/tests/ops/install_client.c")
target_link_libraries(client_shared PRIVATE rantai::rantai)
if(NOT EXISTS "\${RANTAI_PROTO_DIR}/rantai/v1/api.proto")
  message(FATAL_ERROR "RANTAI_PROTO_DIR has no rantai/v1/api.proto")
endif()
EOF
if cmake -S "$TMP/consumer" -B "$TMP/consumer/build" \
        -DCMAKE_PREFIX_PATH="$PREFIX" >"$TMP/consumer.log" 2>&1 &&
    cmake --build "$TMP/consumer/build" >>"$TMP/consumer.log" 2>&1; then
    pass "find_package(rantai): rantai::rantai and rantai::rantai_static build"
else
    tail -30 "$TMP/consumer.log"; fail "find_package(rantai) consumer"
fi

cat >"$TMP/run.sh" <<EOF
set -u
"$TMP/client" "\$RANTAI_PRODUCER_API" >"$TMP/client.out" 2>&1
echo \$? >"$TMP/client.rc"
"$TMP/consumer/build/client_static" "\$RANTAI_PRODUCER_API" >"$TMP/static.out" 2>&1
echo \$? >"$TMP/static.rc"
# Only the producer runs: the example's producer writes must succeed, and
# its GetMatcherStatus (sent to the producer) is answered UNIMPLEMENTED.
RANTAI_MATCHER_API="\$RANTAI_PRODUCER_API" "$TMP/example" INST \
    >"$TMP/example.out" 2>&1 || true
EOF
"$PY" "$SRC/tests/ops/rantai_cluster.py" --bin-dir "$PREFIX/bin" \
    --services producer \
    --extra "producer=--config $PREFIX/etc/rantai/producer.conf" \
    -- bash "$TMP/run.sh" || fail "producer from the prefix did not run cleanly"
if [[ $(cat "$TMP/client.rc" 2>/dev/null) == 0 &&
      $(cat "$TMP/client.out") == NOT_FOUND ]]; then
    pass "pkg-config client got NOT_FOUND from the installed producer"
else
    fail "pkg-config client: exit $(cat "$TMP/client.rc" 2>/dev/null), output: $(cat "$TMP/client.out" 2>/dev/null)"
fi
if [[ $(cat "$TMP/static.rc" 2>/dev/null) == 0 &&
      $(cat "$TMP/static.out") == NOT_FOUND ]]; then
    pass "find_package client (static) got NOT_FOUND"
else
    fail "find_package client: $(cat "$TMP/static.out" 2>/dev/null)"
fi
if grep -q "^PutOffer: ok" "$TMP/example.out" &&
    grep -q "GetMatcherStatus: UNIMPLEMENTED" "$TMP/example.out"; then
    pass "examples/c/example.c built against the prefix talks to the producer"
else
    fail "example built against the prefix: $(cat "$TMP/example.out")"
fi

# 4. reinstall keeps an operator's config
echo "# edited by the operator" >>"$PREFIX/etc/rantai/producer.conf"
cmake --install "$BUILD" --prefix "$PREFIX" >"$TMP/install2.log"
if tail -1 "$PREFIX/etc/rantai/producer.conf" | grep -q "edited by the operator"; then
    pass "reinstall keeps etc/rantai/producer.conf"
else
    fail "reinstall overwrote etc/rantai/producer.conf"
fi

echo "$((fails == 0 ? 1 : 0)) passed, $((fails > 0 ? 1 : 0)) failed"
[[ $fails -eq 0 ]]
