#!/usr/bin/env bash
# Installs what the test suite needs on top of the build: the real servers the infrastructure
# tests start on loopback, the Python references (scikit-learn, Celery), load tools, and clang and
# clang-tidy for the thread-safety build and the lint.
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
bash "$(dirname "$0")/install-build-deps.sh"
$SUDO apt-get install -y -q --no-install-recommends \
  python3 python3-numpy python3-sklearn python3-celery python3-redis python3-amqp python3-yaml \
  postgresql redis-server rabbitmq-server wrk curl procps \
  prometheus chromium fonts-dejavu-core clang clang-tidy
