#!/usr/bin/env bash
# Soak benchmark entry point: hours of traffic against mlprod serve, sampled (bench/soak.py;
# --help). A full hour: bench/soak.sh --duration 3600. Needs only /usr/bin/python3.
exec /usr/bin/python3 "$(dirname "$0")/soak.py" "$@"
