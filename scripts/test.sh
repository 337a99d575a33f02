#!/usr/bin/env bash
# Fresh Debian 12 -> every test passed: installs build and test packages, builds the release
# and the ASan+UBSan flavours, runs the whole CTest suite on both (unit, infrastructure against
# real servers on loopback, black-box against the built binary) and checks formatting.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
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
exit $status
