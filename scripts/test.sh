#!/usr/bin/env bash
# Run every test of Rantai from a clean clone: install what is missing,
# build with warnings as errors, run the unit, integration, ops and bench
# smoke tests, the contract check, buf lint and the format check, then the
# whole suite again under ASan+UBSan (with leak checking).
#
#   scripts/test.sh            everything (what CI runs)
#   RANTAI_FAST=1 scripts/test.sh   skip the sanitizer pass
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
passed=0
failed=0
step() { echo; echo "=== $*"; }
ok() { passed=$((passed + 1)); echo "--- ok: $1"; }
bad() { failed=$((failed + 1)); echo "--- FAILED: $1"; }

step "dependencies"
scripts/deps.sh

step "build (RelWithDebInfo, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRANTAI_WERROR=ON >/dev/null
cmake --build build -j"$jobs"

step "tests"
if ctest --test-dir build --output-on-failure -j2 --timeout 600; then
  ok ctest
else
  bad ctest
fi

step "contract check (../shared/tools/check-contract)"
if [ -x ../shared/tools/check-contract/run ]; then
  if RANTAI_BIN_DIR="$root/build/services:$root/build/cli" \
     ../shared/tools/check-contract/run; then
    ok contract
  else
    bad contract
  fi
else
  echo "no ../shared/tools/check-contract here; skipped"
fi

step "buf lint (STANDARD)"
buf="$root/.tools/node_modules/.bin/buf"
if [ ! -x "$buf" ]; then
  npm install --silent --no-audit --no-fund --prefix "$root/.tools" \
    @bufbuild/buf@1.47.2 >/dev/null
fi
if "$buf" lint; then ok "buf lint"; else bad "buf lint"; fi

step "format (clang-format 14, .clang-format)"
files=$(git ls-files '*.c' '*.h')
if clang-format --dry-run --Werror $files; then
  ok format
else
  bad "format (run: clang-format -i \$(git ls-files '*.c' '*.h'))"
fi

if [ "${RANTAI_FAST:-}" != 1 ]; then
  step "ASan+UBSan build and tests"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRANTAI_WERROR=ON \
    -DRANTAI_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp
  # Not the bench smoke (timing) nor the ops checks (they install and link
  # the static library without the sanitizer runtime).
  if ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 \
       -LE "bench|ops"; then
    ok "sanitized ctest"
  else
    bad "sanitized ctest"
  fi
fi

echo
echo "checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
