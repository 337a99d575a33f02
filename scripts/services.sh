#!/usr/bin/env bash
# Throwaway PostgreSQL 15, Redis and RabbitMQ servers on loopback for the infrastructure tests.
# Not the system services: everything lives in one temp dir with free ports, and `stop` removes it.
# Usage: scripts/services.sh start|stop|env|status
#   start  starts the three servers (safe to call when already running) and prints the env lines
#   stop   kills everything and removes the dir (safe twice, and after a failed start)
#   env    prints `export MLPROD_TEST_DATABASE_URL=... MLPROD_TEST_REDIS_URL=... MLPROD_TEST_AMQP_URL=...`
#   down NAME / up NAME   stops / restarts one server (postgres, redis, rabbitmq) on the same
#          port with its data kept, for fault tests
# Environment: MLPROD_SERVICES_DIR (default /tmp/mlprod-services), MLPROD_SERVICES_SKIP_RABBITMQ=1
# to start only PostgreSQL and Redis.
set -euo pipefail

DIR=${MLPROD_SERVICES_DIR:-/tmp/mlprod-services}
STATE="$DIR/state"
PG_BIN=/usr/lib/postgresql/15/bin
RABBIT_BIN=/usr/lib/rabbitmq/bin
PG_USER=mlprod
PG_PASS=mlprod
PG_DB=mlprod_test

log() { echo "services: $*" >&2; }
die() { log "error: $*"; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {  # host port seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

save() { echo "$1=$2" >>"$STATE"; }

# Runs a command as the unprivileged owner of the PostgreSQL files (initdb refuses root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_server_start() {  # pgdir port
  log "starting PostgreSQL on 127.0.0.1:$2"
  as_pg "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 \
    -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    start >/dev/null || die "PostgreSQL did not start, see $1/server.log"
}

start_postgres() {
  local port pgdir
  port=$(free_port)
  pgdir="$DIR/pg"
  mkdir -p "$pgdir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$pgdir"
  printf '%s\n' "$PG_PASS" >"$DIR/pgpass.txt"
  chmod 644 "$DIR/pgpass.txt"
  save PG_DIR "$pgdir"
  log "initdb (PostgreSQL 15) in $pgdir/data"
  as_pg "$PG_BIN/initdb" -D "$pgdir/data" -U "$PG_USER" --pwfile="$DIR/pgpass.txt" -E UTF8 \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$DIR/initdb.log" 2>&1 ||
    die "initdb failed, see $DIR/initdb.log"
  save PG_PORT "$port"
  pg_server_start "$pgdir" "$port"
  as_pg "$PG_BIN/psql" -h "$pgdir" -p "$port" -U "$PG_USER" -d postgres -q \
    -c "CREATE DATABASE $PG_DB" >/dev/null || die "could not create database $PG_DB"
}

start_redis() {
  local port=${1:-}
  [ -n "$port" ] || { port=$(free_port); save REDIS_PORT "$port"; }
  log "starting Redis on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$DIR" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" >/dev/null ||
    die "redis-server failed, see $DIR/redis.log"
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  die "Redis did not answer PING within 10 s, see $DIR/redis.log"
}

rabbit_env() {  # exports the variables that keep our node apart from any other
  export HOME="$DIR/rabbit/home" RABBITMQ_NODENAME="$RABBIT_NODE" RABBITMQ_NODE_PORT="$RABBIT_PORT"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT"
  export ERL_EPMD_PORT="$RABBIT_EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$DIR/rabbit/mnesia" RABBITMQ_LOG_BASE="$DIR/rabbit/log"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/rabbit/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$DIR/rabbit/rabbitmq" RABBITMQ_CONF_ENV_FILE="$DIR/rabbit/env.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$DIR/rabbit/advanced.config" RABBITMQ_PID_FILE="$DIR/rabbit/pid"
}

rabbit_server_start() {
  rabbit_env
  log "starting RabbitMQ node $RABBIT_NODE on 127.0.0.1:$RABBIT_PORT (epmd $RABBIT_EPMD_PORT)"
  setsid "$RABBIT_BIN/rabbitmq-server" >>"$DIR/rabbit/stdout.log" 2>&1 </dev/null &
  local pid=$! i
  save RABBIT_PID "$pid"
  # await_startup fails at once while the node is not yet registered with epmd: poll, bounded.
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || die "RabbitMQ exited during startup, see $DIR/rabbit/stdout.log"
    if timeout 10 "$RABBIT_BIN/rabbitmqctl" -n "$RABBIT_NODE" -q await_startup >/dev/null 2>&1 &&
      wait_port 127.0.0.1 "$RABBIT_PORT" 5; then
      return 0
    fi
    sleep 1
  done
  die "RabbitMQ did not start within 60 s, see $DIR/rabbit/stdout.log and $DIR/rabbit/log"
}

rabbit_server_stop() {
  local i
  rabbit_env
  timeout 20 "$RABBIT_BIN/rabbitmqctl" -n "$RABBIT_NODE" -q stop >/dev/null 2>&1 || true
  if [ -n "${RABBIT_PID:-}" ]; then
    kill -- "-$RABBIT_PID" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$RABBIT_PID" 2>/dev/null || break; sleep 0.1; done
  fi
}

start_rabbitmq() {
  RABBIT_PORT=$(free_port)
  RABBIT_DIST_PORT=$(free_port)
  RABBIT_EPMD_PORT=$(free_port)
  RABBIT_NODE="mlprod-$RABBIT_PORT@localhost"
  save RABBIT_PORT "$RABBIT_PORT"
  save RABBIT_DIST_PORT "$RABBIT_DIST_PORT"
  save RABBIT_EPMD_PORT "$RABBIT_EPMD_PORT"
  save RABBIT_NODE "$RABBIT_NODE"
  mkdir -p "$DIR/rabbit/home" "$DIR/rabbit/mnesia" "$DIR/rabbit/log"
  echo '[].' >"$DIR/rabbit/enabled_plugins"
  : >"$DIR/rabbit/env.conf"
  echo '[].' >"$DIR/rabbit/advanced.config"
  printf 'loopback_users.guest = true\ndisk_free_limit.absolute = 10MB\n' >"$DIR/rabbit/rabbitmq.conf"
  rabbit_server_start
}

load_state() {
  [ -f "$STATE" ] || return 1
  # shellcheck disable=SC1090
  . "$STATE"
}

print_env() {
  load_state || die "not started (no $STATE); run: scripts/services.sh start"
  [ -n "${PG_PORT:-}" ] &&
    echo "export MLPROD_TEST_DATABASE_URL=postgresql://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB"
  [ -n "${REDIS_PORT:-}" ] && echo "export MLPROD_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  [ -n "${RABBIT_PORT:-}" ] && echo "export MLPROD_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:$RABBIT_PORT//"
  return 0
}

running() {
  load_state || return 1
  [ -n "${PG_PORT:-}" ] && wait_port 127.0.0.1 "$PG_PORT" 1 && [ -n "${REDIS_PORT:-}" ] &&
    wait_port 127.0.0.1 "$REDIS_PORT" 1
}

stop_all() {
  local i
  if ! load_state; then
    rm -rf "$DIR"
    return 0
  fi
  if [ -n "${RABBIT_NODE:-}" ]; then
    rabbit_server_stop
    [ -n "${RABBIT_EPMD_PORT:-}" ] && ERL_EPMD_PORT=$RABBIT_EPMD_PORT epmd -kill >/dev/null 2>&1 || true
  fi
  if [ -f "$DIR/redis.pid" ]; then
    kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true
  fi
  if [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 20 stop >/dev/null 2>&1 ||
      kill "$(head -1 "$PG_DIR/data/postmaster.pid")" 2>/dev/null || true
  fi
  rm -rf "$DIR"
  log "stopped"
}

start_all() {
  if running; then
    log "already running (state in $STATE)"
    print_env
    return 0
  fi
  stop_all >/dev/null 2>&1 || true
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  : >"$STATE"
  # A failed start (die or any failing command under set -e) leaves nothing running behind.
  trap 'log "start failed; cleaning up"; stop_all' EXIT
  start_postgres
  start_redis
  if [ "${MLPROD_SERVICES_SKIP_RABBITMQ:-0}" != 1 ]; then start_rabbitmq; fi
  trap - EXIT
  log "started (state in $STATE)"
  print_env
}

# Stops one server, keeping its port and data, for fault tests (`up` starts it again).
down_one() {
  local i
  load_state || die "not started (no $STATE)"
  case "$1" in
    postgres) as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null ;;
    redis)
      local pid
      pid=$(cat "$DIR/redis.pid")
      kill "$pid"
      for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done ;;
    rabbitmq) rabbit_server_stop ;;
    *) die "unknown service '$1' (postgres, redis or rabbitmq)" ;;
  esac
  log "$1 is down"
}

up_one() {
  load_state || die "not started (no $STATE)"
  case "$1" in
    postgres) pg_server_start "$PG_DIR" "$PG_PORT" ;;
    redis) start_redis "$REDIS_PORT" ;;
    rabbitmq) rabbit_server_start ;;
    *) die "unknown service '$1' (postgres, redis or rabbitmq)" ;;
  esac
  log "$1 is up"
}

case "${1:-}" in
  start) start_all ;;
  stop) stop_all ;;
  env) print_env ;;
  status) if running; then print_env; else echo "not running" >&2; exit 1; fi ;;
  down) down_one "${2:-}" ;;
  up) up_one "${2:-}" ;;
  *) echo "usage: scripts/services.sh start|stop|env|status|down NAME|up NAME" >&2; exit 2 ;;
esac
