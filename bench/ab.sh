#!/usr/bin/env bash
# Hot-path and live-quality A/B of mlprod builds, back to back: for each round and each binary,
# a fresh `mlprod serve` on a temporary data dir, `wrk -t2 -c32 -d10s` on GET /, then `mlprod
# traffic --users 8 --no-think --duration 20 --seed 7 --json` (loops/s, errors and the simulated
# people's ground truth: NDCG@10 and pick rate with their 95 % intervals). One traffic client
# for every binary (--traffic, default the first binary), so only the server differs.
# Usage: bench/ab.sh [--rounds N] [--port P] [--traffic B] [--seconds S] BINARY...
set -euo pipefail
rounds=3
port=18979
seconds=20
traffic=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --traffic) traffic=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "ab.sh: unknown option $1 (--help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[[ $# -gt 0 ]] || { echo "ab.sh: name at least one mlprod binary (--help)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "ab.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
for b in "$@"; do [[ -x $b ]] || { echo "ab.sh: $b is not an executable" >&2; exit 2; }; done
traffic=${traffic:-$1}
py=/usr/bin/python3
url=http://127.0.0.1:$port
pid=
trap 'if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi' EXIT

echo "round | binary | GET / req/s | loops/s | errors | NDCG@10 [95 %] | pick rate [95 %]"
for round in $(seq 1 "$rounds"); do
  for bin in "$@"; do
    dir=$(mktemp -d)
    "$bin" serve --port "$port" --data-dir "$dir" --log-level warn >"$dir/serve.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do curl -sf "$url/health/ready" >/dev/null && break; sleep 0.5; done
    get=$(wrk -t2 -c32 -d10s "$url/" 2>/dev/null | awk '/Requests\/sec/{print $2}')
    loop=$("$traffic" traffic --url "$url" --users 8 --no-think --duration "$seconds" --seed 7 \
      --json 2>/dev/null | "$py" -c '
import json, sys
d = json.load(sys.stdin); q = d["quality"]; n = q["ndcg_at_10"]
print("%.1f | %d | %.4f %s | %.4f %s" % (d["loops_per_s"], d["errors_total"], n["mean"],
      n["ci95"], q["pick_rate"], q["pick_rate_ci95"]))')
    echo "$round | $bin | $get | $loop"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
    rm -rf "$dir"
  done
done
