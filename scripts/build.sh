#!/usr/bin/env bash
# Configures and builds one flavour of mlprod with CMake + Ninja.
# Usage: scripts/build.sh [release|asan|image]   (default release; build dir build/<flavour>)
#   image: release build of the binary only (no tests, no benchmarks), as the Dockerfiles use it.
# Environment: MLPROD_BUILD_JOBS = parallel compile jobs (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLPROD_SANITIZE=ON -DMLPROD_BUILD_BENCH=OFF) ;;
  image) args=(-DCMAKE_BUILD_TYPE=Release -DMLPROD_BUILD_TESTS=OFF -DMLPROD_BUILD_BENCH=OFF) ;;
  *) echo "usage: scripts/build.sh [release|asan|image]" >&2; exit 2 ;;
esac
jobs=${MLPROD_BUILD_JOBS:-$(nproc)}
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j "$jobs"
