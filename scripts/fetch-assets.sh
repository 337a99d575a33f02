#!/usr/bin/env bash
# Fetches the front-end files that `mlprod` embeds into third_party/ (gitignored): the Swagger UI
# for GET /docs (npm `swagger-ui-dist`) and the chart library of GET /dashboard (npm `uplot`).
# Pinned versions and sha512 integrity from the npm registry metadata; a mismatch aborts (so a
# download that had to skip TLS verification is still safe). Downloads with `npm pack`, so the
# registry is whatever this machine's npm is configured to use (installs Debian's npm when
# missing and something must be fetched). Safe to run twice: an existing, complete copy of the
# pinned version is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Debian's npm, installed on first need (a machine that already has the assets never needs it).
need_npm() {
  command -v npm >/dev/null 2>&1 && return 0
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "fetch-assets: installing npm (apt-get)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends npm >/dev/null
}

# fetch_package NAME VERSION INTEGRITY DEST FILE...: FILEs are paths inside the package; each is
# copied flat (by its base name) into DEST, and DEST/VERSION records the version.
fetch_package() {
  local name=$1 version=$2 integrity=$3 dest=$4
  shift 4
  local files=("$@") f
  if [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$version" ]; then
    local complete=1
    for f in "${files[@]}"; do [ -s "$dest/$(basename "$f")" ] || complete=0; done
    if [ "$complete" = 1 ]; then
      echo "$name $version already in $dest"
      return 0
    fi
  fi

  local tarball="$work/${name}-${version}.tgz"
  need_npm
  echo "npm pack $name@$version"
  if ! (cd "$work" && npm pack --silent "${name}@${version}" >/dev/null 2>"$work/npm.err"); then
    if grep -qiE 'certificate|SSL|TLS' "$work/npm.err"; then
      # A TLS-intercepting proxy whose CA this machine (or container) does not trust. The
      # tarball is checked against the pinned sha512 below, so the transport need not be.
      echo "fetch-assets: TLS verification failed; fetching without it, the pinned sha512" \
        "integrity check still applies"
      (cd "$work" && npm pack --silent --strict-ssl=false "${name}@${version}" >/dev/null) ||
        { echo "fetch-assets: npm pack $name@$version failed" >&2; exit 1; }
    else
      cat "$work/npm.err" >&2
      echo "fetch-assets: npm pack $name@$version failed" >&2
      exit 1
    fi
  fi
  [ -f "$tarball" ] || { echo "fetch-assets: download failed: $tarball missing" >&2; exit 1; }

  local actual
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "fetch-assets: integrity mismatch for $name $version" >&2
    echo "  expected $integrity" >&2
    echo "  actual   $actual" >&2
    exit 1
  fi

  rm -rf "$work/package"
  tar -xzf "$tarball" -C "$work"
  mkdir -p "$dest"
  for f in "${files[@]}"; do
    cp "$work/package/$f" "$dest/$(basename "$f")"
  done
  echo "$version" >"$dest/VERSION"
  echo "$name $version installed in $dest"
}

fetch_package swagger-ui-dist 5.35.0 \
  'sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==' \
  third_party/swagger-ui-dist swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE

fetch_package uplot 1.6.32 \
  'sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw==' \
  third_party/uplot dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE
