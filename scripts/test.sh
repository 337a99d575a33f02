#!/usr/bin/env bash
# Fresh Debian 12 -> every test passed: installs build and test packages, builds the release
# and the ASan+UBSan flavours, runs the whole CTest suite on both (unit, infrastructure against
# real servers on loopback, black-box against the built binary), checks formatting, then proves
# the container deployment with podman (scripts/test-deploy.sh; needs a host where podman can
# run containers; MLPROD_SKIP_DEPLOY_TEST=1 skips it for a quicker local run, CI never sets it).
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
for flavour in release asan; do
  echo "=== build: $flavour"
  bash scripts/build.sh "$flavour"
  echo "=== tests: $flavour"
  if ! ctest --test-dir "build/$flavour" --output-on-failure --timeout 900; then
    status=1
  fi
done
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
