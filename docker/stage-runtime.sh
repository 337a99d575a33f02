#!/usr/bin/env bash
# Build stage of Dockerfile.api and Dockerfile.worker: collects everything the runtime stage
# needs into one directory tree (STAGE, copied to / of the runtime image):
#   /usr/local/bin/mlprod                     the binary (stripped)
#   /usr/local/bin/mlprod-healthcheck         the HEALTHCHECK probe (no curl in the image)
#   /opt/mlprod/config/*.tsv                  the profile tables the first start needs
#   /opt/mlprod/runtime-packages.txt          Debian packages of the binary's shared libraries
#   /opt/mlprod/setup-runtime.sh              run once in the runtime stage (docker/setup-runtime.sh)
# The source is built in /opt/mlprod, so the config directory compiled into the binary
# (data::SourceConfigDir) is /opt/mlprod/config, where the runtime image has the tables.
# Usage: docker/stage-runtime.sh BINARY STAGE
set -euo pipefail
bin=$1
stage=$2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

mkdir -p "$stage/usr/local/bin" "$stage/opt/mlprod/config"
install -m 0755 "$bin" "$stage/usr/local/bin/mlprod"
strip --strip-unneeded "$stage/usr/local/bin/mlprod"
install -m 0755 "$here/healthcheck.sh" "$stage/usr/local/bin/mlprod-healthcheck"
install -m 0644 "$src"/config/*.tsv "$stage/opt/mlprod/config/"
install -m 0755 "$here/setup-runtime.sh" "$stage/opt/mlprod/setup-runtime.sh"

# The packages that own the shared libraries the binary loads (ldd: direct and indirect).
# Debian 12 has a merged /usr: dpkg may know a library under /lib or under /usr/lib.
pkgs=()
while read -r lib; do
  owner=""
  for p in "$lib" "/usr${lib#/usr}" "${lib#/usr}" "$(readlink -f "$lib")"; do
    owner=$(dpkg-query -S "$p" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$owner" ] && break
  done
  [ -n "$owner" ] || { echo "stage-runtime: no Debian package owns $lib" >&2; exit 1; }
  pkgs+=("$owner")
done < <(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
printf '%s\n' "${pkgs[@]}" | sort -u >"$stage/opt/mlprod/runtime-packages.txt"
echo "stage-runtime: runtime packages: $(tr '\n' ' ' <"$stage/opt/mlprod/runtime-packages.txt")"
