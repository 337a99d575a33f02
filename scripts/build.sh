#!/usr/bin/env bash
# Configures and builds one flavour of mlprod with CMake + Ninja.
# Usage: scripts/build.sh [release|asan|tsan|clang|image]   (default release; build dir
# build/<flavour>)
#   clang: the binary only, compiled by clang with -Wthread-safety (src/common/mutex.h), unoptimised;
#     a lock rule broken anywhere in src/ fails this build.
#   image: release build of the binary only (no tests, no benchmarks), as the Dockerfiles use it.
# Environment: MLPROD_BUILD_JOBS = parallel compile jobs (default: nproc).
#   MLPROD_CCACHE=0 turns off ccache, which is used when it is installed: the cache (ccache's own
#   default directory, or CCACHE_DIR) is keyed on paths relative to the checkout, so another clone
#   on the same machine (a CI run, a worktree) reuses the objects of an earlier build.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  # The sanitizer flavour holds the unit and infrastructure tiers (scripts/test.sh).
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLPROD_SANITIZE=ON -DMLPROD_BUILD_BENCH=OFF
              -DMLPROD_BLACKBOX_TESTS=OFF) ;;
  # ThreadSanitizer, the same tiers as asan.
  tsan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLPROD_TSAN=ON -DMLPROD_BUILD_BENCH=OFF
              -DMLPROD_BLACKBOX_TESTS=OFF) ;;
  clang) args=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DCMAKE_CXX_COMPILER=clang++
               -DMLPROD_THREAD_SAFETY=ON -DMLPROD_BUILD_TESTS=OFF -DMLPROD_BUILD_BENCH=OFF) ;;
  image) args=(-DCMAKE_BUILD_TYPE=Release -DMLPROD_BUILD_TESTS=OFF -DMLPROD_BUILD_BENCH=OFF) ;;
  *) echo "usage: scripts/build.sh [release|asan|tsan|clang|image]" >&2; exit 2 ;;
esac
jobs=${MLPROD_BUILD_JOBS:-$(nproc)}
if [ "${MLPROD_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
else
  args+=(-UCMAKE_CXX_COMPILER_LAUNCHER -UCMAKE_C_COMPILER_LAUNCHER)
fi
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j "$jobs"
