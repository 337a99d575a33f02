#!/usr/bin/env bash
# Fresh Debian 12 -> a running recommender: installs the build packages, builds mlprod
# (release) and runs `mlprod serve` with embedded defaults on http://127.0.0.1:4789.
# Extra arguments go to `mlprod serve` (e.g. --host 0.0.0.0 --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-build-deps.sh
bash scripts/build.sh release
exec build/release/src/app/mlprod serve "$@"
