#!/usr/bin/env bash
# Configures and builds one flavour of mlprod with CMake + Ninja.
# Usage: scripts/build.sh [release|asan]   (default release; build dir build/<flavour>)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLPROD_SANITIZE=ON -DMLPROD_BUILD_BENCH=OFF) ;;
  *) echo "usage: scripts/build.sh [release|asan]" >&2; exit 2 ;;
esac
jobs=$(nproc)
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j "$jobs"
