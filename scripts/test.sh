#!/usr/bin/env bash
# Fresh Debian 12 -> every test passed: installs build and test packages, builds the release
# flavour and runs the whole CTest suite on it (unit, infrastructure against real servers on
# loopback, black-box against the built binary), builds the ASan+UBSan flavour of the unit and
# infrastructure tiers and runs those on it, the same under ThreadSanitizer, checks the locking
# annotations with a clang build (-Wthread-safety), runs clang-tidy, checks formatting,
# then proves the container deployment with podman (scripts/test-deploy.sh; needs a host where
# podman can run containers; MLPROD_SKIP_DEPLOY_TEST=1 skips it for a quicker local run, CI
# never sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh

# Real PostgreSQL, Redis and RabbitMQ on loopback for the infrastructure tests (label `infra`),
# stopped again however this script ends.
export MLPROD_SERVICES_DIR=${MLPROD_SERVICES_DIR:-$(mktemp -d /tmp/mlprod-services.XXXXXX)}
trap 'bash scripts/services.sh stop >/dev/null 2>&1 || true' EXIT
bash scripts/services.sh start >/dev/null
eval "$(bash scripts/services.sh env)"

status=0
echo "=== build: release"
bash scripts/build.sh release
echo "=== tests: release (every tier)"
if ! ctest --test-dir build/release --output-on-failure --timeout 900; then status=1; fi
# The sanitizer flavours, ASan+UBSan then ThreadSanitizer: the unit and infrastructure tiers,
# HTTP server tests on real sockets included; a reported error or race fails its test. The
# black-box tier drives the release binary only: under ASan it took half of a CI run that has to
# stay well inside its 90 minutes. The flavours register no black-box test
# (MLPROD_BLACKBOX_TESTS=OFF, scripts/build.sh).
export TSAN_OPTIONS=${TSAN_OPTIONS:-second_deadlock_stack=1}
for flavour in asan tsan; do
  echo "=== build: $flavour (unit and infrastructure tests)"
  bash scripts/build.sh "$flavour"
  echo "=== tests: $flavour (unit and infrastructure tiers)"
  if ! ctest --test-dir "build/$flavour" --output-on-failure --timeout 900; then status=1; fi
done
# The locking rules of src/ (Clang thread-safety annotations, src/common/mutex.h): a clang build
# of the binary with -Wthread-safety -Werror.
echo "=== build: clang (thread-safety analysis)"
if ! bash scripts/build.sh clang; then status=1; fi
# clang-tidy's checks of .clang-tidy on every source file of src/, with the clang build's compile
# commands; a finding is an error (its "N warnings generated" counts of system headers are not).
echo "=== clang-tidy (src/, .clang-tidy)"
if ! /usr/bin/python3 -c 'import json; print("\n".join(e["file"] for e in json.load(open("build/clang/compile_commands.json"))))' |
    grep '/src/' | xargs -r -P "$(nproc)" -n 4 clang-tidy -p build/clang --quiet 2>/dev/null; then
  echo "clang-tidy: findings above (checks and why: .clang-tidy, docs/decisions.md D14)" >&2
  status=1
fi
echo "=== clang-format"
if ! find src tests bench \( -name '*.cpp' -o -name '*.h' \) -print0 2>/dev/null | xargs -0 -r clang-format --dry-run -Werror; then
  echo "clang-format: files above are not formatted (run: clang-format -i FILE)" >&2
  status=1
fi
if [ "${MLPROD_SKIP_DEPLOY_TEST:-0}" = 1 ]; then
  echo "=== deployment test skipped (MLPROD_SKIP_DEPLOY_TEST=1)"
else
  echo "=== deployment: Dockerfiles + docker-compose under podman"
  bash scripts/services.sh stop >/dev/null 2>&1 || true  # free the CPU and memory first
  if ! bash scripts/test-deploy.sh; then status=1; fi
fi
exit $status
