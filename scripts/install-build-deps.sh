#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build mlprod (compiler, CMake/Ninja, libraries).
# Safe to run twice; needs root (or sudo).
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  ca-certificates curl openssl build-essential cmake ninja-build pkg-config git \
  libboost-dev libboost-system-dev \
  libsoci-dev libpq-dev libsqlite3-dev \
  librabbitmq-dev libhiredis-dev prometheus-cpp-dev \
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libeigen3-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  clang-format ccache
bash "$(dirname "$0")/fetch-assets.sh"
