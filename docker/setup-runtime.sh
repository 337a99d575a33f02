#!/bin/sh
# Runtime stage of Dockerfile.api and Dockerfile.worker (runs as root, once, at image build):
# installs the shared libraries the binary needs (the list docker/stage-runtime.sh wrote), creates
# the unprivileged user `mlprod` (fixed uid/gid 10001, so API and worker images agree on the owner
# of the shared data volume) and its data directory /var/lib/mlprod, and checks that the binary
# starts. Leaves no apt lists or caches behind.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2046
apt-get install -y -q --no-install-recommends $(cat /opt/mlprod/runtime-packages.txt)
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/log/apt /var/log/dpkg.log \
  /var/log/alternatives.log

groupadd --system --gid 10001 mlprod
useradd --system --uid 10001 --gid mlprod --home-dir /var/lib/mlprod --no-create-home \
  --shell /usr/sbin/nologin mlprod
mkdir -p /var/lib/mlprod
chown mlprod:mlprod /var/lib/mlprod
rm -f /opt/mlprod/setup-runtime.sh

if ldd /usr/local/bin/mlprod | grep -q 'not found'; then
  ldd /usr/local/bin/mlprod >&2
  echo "setup-runtime: missing shared libraries" >&2
  exit 1
fi
/usr/local/bin/mlprod --version
