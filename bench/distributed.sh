#!/usr/bin/env bash
# The distributed loop rate and where its CPU goes: `mlprod api` + N `mlprod worker` on a fresh
# PostgreSQL database, a fresh queue and the Redis of scripts/services.sh (MLPROD_TEST_DATABASE_URL,
# MLPROD_TEST_AMQP_URL, MLPROD_TEST_REDIS_URL; `eval "$(bash scripts/services.sh env)"` first), a
# warm-up, then `mlprod traffic --users U --no-think` for D seconds. Prints loops/s, errors and
# the machine's CPU per loop (/proc/stat, both cores) split into the API, the workers,
# PostgreSQL, RabbitMQ, Redis and the rest (the traffic generator, the kernel). One line per run.
# Usage: bench/distributed.sh [--runs N] [--users U] [--duration D] [--warmup W] [--workers K] BINARY
set -euo pipefail

runs=1 users=16 duration=10 warmup=10 workers=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "distributed.sh: unknown option $1 (--help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[[ $# -eq 1 ]] || { echo "distributed.sh: name one mlprod binary (--help)" >&2; exit 2; }
bin=$1
for v in MLPROD_TEST_DATABASE_URL MLPROD_TEST_AMQP_URL MLPROD_TEST_REDIS_URL; do
  [[ -n "${!v:-}" ]] || { echo "distributed.sh: $v is unset: eval \"\$(bash scripts/services.sh env)\"" >&2; exit 2; }
done
command -v psql >/dev/null || { echo "distributed.sh: psql is not installed" >&2; exit 2; }

machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU ticks of the servers by kind, over every process of that name on the machine.
server_ticks() {
  local p name kind
  for p in /proc/[0-9]*; do
    name=$(cat "$p/comm" 2>/dev/null) || continue
    case $name in
      postgres) kind=pg ;;
      beam.smp | erl_child_setup | epmd) kind=rabbitmq ;;
      redis-server) kind=redis ;;
      *) continue ;;
    esac
    awk -v k=$kind '{print k, $14 + $15}' "$p/stat" 2>/dev/null || true
  done | awk '{t[$1] += $2} END {printf "%d %d %d\n", t["pg"], t["rabbitmq"], t["redis"]}'
}

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

echo "run | loops/s | loops | errors | CPU ms per loop: all = api + workers + postgres + rabbitmq + redis + rest"
for ((run = 1; run <= runs; run++)); do
  name=mlprod_bench_$(date +%s)_$run
  psql "$MLPROD_TEST_DATABASE_URL" -qc "CREATE DATABASE $name"
  dir=$(mktemp -d /tmp/mlprod-dist.XXXXXX)
  export DATABASE_URL=${MLPROD_TEST_DATABASE_URL%/*}/$name CELERY_BROKER_URL=$MLPROD_TEST_AMQP_URL
  export CELERY_BACKEND_URL=$MLPROD_TEST_REDIS_URL CELERY_QUEUE=q_$name
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  pids=()
  "$bin" api --port "$port" --data-dir "$dir" --auto-retrain off >"$dir/api.log" 2>&1 &
  api=$!
  pids+=("$api")
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
    kill -0 "$api" 2>/dev/null || { echo "distributed.sh: mlprod api exited, see $dir/api.log" >&2; exit 1; }
    sleep 0.2
  done
  worker_pids=()
  for ((w = 1; w <= workers; w++)); do
    "$bin" worker --data-dir "$dir" --metrics-port 0 >"$dir/worker-$w.log" 2>&1 &
    worker_pids+=("$!")
    pids+=("$!")
  done
  sleep 2
  "$bin" traffic --url "http://127.0.0.1:$port" --users "$users" --duration "$warmup" --no-think \
    --json >"$dir/warmup.json" 2>/dev/null
  read -r p0 q0 r0 <<<"$(server_ticks)"
  m0=$(machine_ticks) a0=$(proc_ticks "$api") w0=0
  for p in "${worker_pids[@]}"; do w0=$((w0 + $(proc_ticks "$p"))); done
  "$bin" traffic --url "http://127.0.0.1:$port" --users "$users" --duration "$duration" --no-think \
    --json >"$dir/run.json" 2>/dev/null
  m1=$(machine_ticks) a1=$(proc_ticks "$api") w1=0
  for p in "${worker_pids[@]}"; do w1=$((w1 + $(proc_ticks "$p"))); done
  read -r p1 q1 r1 <<<"$(server_ticks)"
  /usr/bin/python3 - "$dir/run.json" "$run" "$(getconf CLK_TCK)" $((m1 - m0)) $((a1 - a0)) \
    $((w1 - w0)) $((p1 - p0)) $((q1 - q0)) $((r1 - r0)) <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
run, hz = sys.argv[2], int(sys.argv[3])
loops = max(j["loops"], 1)
ms = [int(t) * 1000.0 / hz / loops for t in sys.argv[4:]]
rest = ms[0] - sum(ms[1:])
print(f"{run} | {j['loops_per_s']:.1f} | {j['loops']} | {j['errors_total']} | "
      f"{ms[0]:.2f} = {ms[1]:.2f} + {ms[2]:.2f} + {ms[3]:.2f} + {ms[4]:.2f} + {ms[5]:.2f} + {rest:.2f}")
PY
  cleanup
  psql "$MLPROD_TEST_DATABASE_URL" -qc "DROP DATABASE $name WITH (FORCE)" || true
  rm -rf "$dir"
done
