#!/usr/bin/env bash
# CPU of `mlprod serve` per unit of work, for A/B comparisons on a machine whose throughput is
# noisy: the serve process's utime+stime (/proc/PID/stat) over `wrk -t2 -c32 -d8s` on `GET /`,
# then over `mlprod traffic --users 8 --no-think --duration 10`, divided by the requests and the
# loops. Time the hypervisor steals is not charged to the process, so the ratio moves less than
# the rates do. One fresh `mlprod serve` (temporary data dir) per binary and round, alternated.
# Usage: bench/cpu.sh [--rounds N] [--traffic B] BINARY...
set -euo pipefail

rounds=3
traffic=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --traffic) traffic=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "cpu.sh: unknown option $1 (--help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[[ $# -gt 0 ]] || { echo "cpu.sh: name at least one mlprod binary (--help)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "cpu.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
traffic=${traffic:-$1}
tick_us=$((1000000 / $(getconf CLK_TCK)))

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "round | binary | GET / requests | CPU us per request | loops | CPU us per loop"
for ((r = 1; r <= rounds; r++)); do
  for bin in "$@"; do
    dir=$(mktemp -d /tmp/mlprod-cpu.XXXXXX)
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin" serve --port "$port" --data-dir "$dir" --log-level warn --auto-retrain off >"$dir/serve.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do
      curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
      kill -0 "$pid" 2>/dev/null || { echo "cpu.sh: $bin serve exited, see $dir/serve.log" >&2; exit 1; }
      sleep 0.2
    done
    c0=$(cpu_ticks "$pid")
    requests=$(wrk -t2 -c32 -d8s "http://127.0.0.1:$port/" | awk '/requests in/ {print $1}')
    c1=$(cpu_ticks "$pid")
    loops=$("$traffic" traffic --url "http://127.0.0.1:$port" --users 8 --duration 10 --no-think --json 2>/dev/null |
      /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["loops"])')
    c2=$(cpu_ticks "$pid")
    kill "$pid"
    wait "$pid" || true
    rm -rf "$dir"
    awk -v r="$r" -v b="$bin" -v n="$requests" -v l="$loops" -v a="$((c1 - c0))" -v c="$((c2 - c1))" \
      -v t="$tick_us" 'BEGIN { printf "%d | %s | %d | %.2f | %d | %.0f\n", r, b, n, a * t / n, l, c * t / l }'
  done
done
