#!/usr/bin/env bash
# Build an instrumented libprotobuf-c for the libFuzzer targets.
#
#   tests/fuzz/build-protobuf-c.sh OUTDIR [CC] [CFLAGS...]
#
# Fetches Debian's source of the installed protobuf-c version with
# `apt-get source` (using a private deb-src list in OUTDIR, so the system's
# apt configuration is untouched; falls back to the .dsc from the archive
# pool via `apt-get source --download-only` semantics), unpacks it into
# OUTDIR/src and compiles protobuf-c/protobuf-c.c with the given compiler
# and flags into OUTDIR/libprotobuf-c-fuzz.a. Nothing is written to the
# source tree: third-party source never goes into the repository.
set -euo pipefail
out=${1:?usage: build-protobuf-c.sh OUTDIR [CC] [CFLAGS...]}
shift
cc=${1:-clang}
[ $# -gt 0 ] && shift
cflags=("$@")
mkdir -p "$out"
out=$(cd "$out" && pwd)
lib="$out/libprotobuf-c-fuzz.a"
src_file=$(find "$out/src" -path '*/protobuf-c/protobuf-c.c' 2>/dev/null | head -1 || true)

if [ -z "$src_file" ]; then
  ver=$(dpkg-query -W -f='${source:Version}' libprotobuf-c-dev 2>/dev/null || true)
  apt_dir="$out/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$out/src"
  # A private deb-src list built from the system's deb sources.
  {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] && sed -n 's/^deb \(.*\)$/deb-src \1/p' "$f"
    done
  } >"$apt_dir/sources.list"
  mkdir -p "$apt_dir/parts"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt_dir/parts/$(basename "$f")"
  done
  opts=(-o "Dir::State::Lists=$apt_dir/lists"
        -o "Dir::Cache=$apt_dir/cache"
        -o "Dir::Etc::SourceList=$apt_dir/sources.list"
        -o "Dir::Etc::SourceParts=$apt_dir/parts"
        -o "Debug::NoLocking=1")
  echo "build-protobuf-c: fetching protobuf-c ${ver:-source} from Debian"
  apt-get "${opts[@]}" -qq update
  (cd "$out/src" && apt-get "${opts[@]}" -qq source "protobuf-c${ver:+=$ver}")
  src_file=$(find "$out/src" -path '*/protobuf-c/protobuf-c.c' | head -1)
  if [ -z "$src_file" ]; then
    echo "build-protobuf-c: no protobuf-c/protobuf-c.c in the source package" >&2
    exit 1
  fi
fi

src_root=$(dirname "$(dirname "$src_file")")
echo "build-protobuf-c: compiling $src_file"
"$cc" "${cflags[@]}" -I"$src_root" -c "$src_file" -o "$out/protobuf-c.o"
rm -f "$lib"
ar rcs "$lib" "$out/protobuf-c.o"
echo "build-protobuf-c: wrote $lib"
