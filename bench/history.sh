#!/usr/bin/env bash
# Flat cost as history grows (issue 14, item 3): on each given store, the same measurement —
# `mlprod serve`, a warm-up of traffic (which also fills the training window on a fresh store),
# loops/s of `mlprod traffic --users 8 --no-think`, `wrk` on GET /content/info, and one training
# run (wall time from POST /train/start to SUCCESS, and the store's share of it from the log).
# Stores: directories filled by `mlprod history --data-dir DIR --inferences N`, or `fresh`
# (a new empty store in a temporary directory). The stores are written to (traffic, training).
# Usage: bench/history.sh [--binary B] [--port P] [--warmup S] [--seconds S] STORE...
set -euo pipefail
bin=build/release/src/app/mlprod
port=18977
warmup=45
seconds=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --binary) bin=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "history.sh: unknown option $1 (--help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[[ $# -gt 0 ]] || { echo "history.sh: name at least one store directory or 'fresh' (--help)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "history.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
py=/usr/bin/python3
url=http://127.0.0.1:$port
json_field() { "$py" -c "import json,sys; print(json.load(sys.stdin)$1)"; }

echo "store | loops/s | errors | /content/info req/s | training s | of which store read s"
for store in "$@"; do
  dir=$store
  [[ $store == fresh ]] && dir=$(mktemp -d)
  log=$(mktemp)
  "$bin" serve --port "$port" --data-dir "$dir" --log-level info --auto-retrain off >"$log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 1200); do curl -sf "$url/health/ready" >/dev/null && break; sleep 0.5; done
  "$bin" traffic --url "$url" --users 8 --no-think --duration "$warmup" --json >/dev/null 2>&1
  read -r rate errors < <("$bin" traffic --url "$url" --users 8 --no-think --duration "$seconds" \
    --json 2>/dev/null | "$py" -c "import json,sys; d=json.load(sys.stdin); print(round(d['loops_per_s'], 1), d['errors_total'])")
  info=$(wrk -t2 -c32 -d10s "$url/content/info" 2>/dev/null | awk '/Requests\/sec/{print $2}')
  t0=$(date +%s.%N)
  id=$(curl -sf -X POST "$url/train/start" | json_field "['task_id']")
  status=PENDING
  for _ in $(seq 1 3000); do
    status=$(curl -sf "$url/train/status/$id" | json_field "['status']")
    [[ $status == SUCCESS || $status == FAILURE ]] && break
    sleep 0.2
  done
  train=$(echo "$(date +%s.%N) - $t0" | bc)
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true  # the log is complete once the server is gone
  read_s=$(grep -o "read in [0-9.]* s" "$log" | tail -1 | awk '{print $3}' || true)
  echo "$store | $rate | $errors | $info | $status $train | ${read_s:-?}"
  rm -f "$log"
  if [[ $store == fresh ]]; then rm -rf "$dir"; fi
done
