#!/usr/bin/env bash
# Fetches the Swagger UI files that `mlprod` embeds for GET /docs into third_party/swagger-ui-dist/
# (gitignored). Pinned version and sha512 integrity from the npm registry metadata; a mismatch
# aborts. Safe to run twice: an existing, complete copy of the pinned version is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=5.35.0
INTEGRITY='sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=='
TARBALL_URL="https://registry.npmjs.org/swagger-ui-dist/-/swagger-ui-dist-${VERSION}.tgz"
DEST=third_party/swagger-ui-dist
FILES=(swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE)

if [ -f "$DEST/VERSION" ] && [ "$(cat "$DEST/VERSION")" = "$VERSION" ]; then
  complete=1
  for f in "${FILES[@]}"; do [ -s "$DEST/$f" ] || complete=0; done
  if [ "$complete" = 1 ]; then
    echo "swagger-ui-dist $VERSION already in $DEST"
    exit 0
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball="$work/swagger-ui-dist-${VERSION}.tgz"
if command -v npm >/dev/null 2>&1; then
  echo "npm pack swagger-ui-dist@$VERSION"
  (cd "$work" && npm pack --silent "swagger-ui-dist@${VERSION}" >/dev/null)
else
  echo "curl $TARBALL_URL"
  curl -fsSL --retry 3 -o "$tarball" "$TARBALL_URL"
fi
[ -f "$tarball" ] || { echo "fetch-assets: download failed: $tarball missing" >&2; exit 1; }

actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "fetch-assets: integrity mismatch for swagger-ui-dist $VERSION" >&2
  echo "  expected $INTEGRITY" >&2
  echo "  actual   $actual" >&2
  exit 1
fi

tar -xzf "$tarball" -C "$work"
mkdir -p "$DEST"
for f in "${FILES[@]}"; do
  cp "$work/package/$f" "$DEST/$f"
done
echo "$VERSION" >"$DEST/VERSION"
echo "swagger-ui-dist $VERSION installed in $DEST"
