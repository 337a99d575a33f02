#!/usr/bin/env bash
# Proves the docker deployment for real, with podman (no Docker engine needed):
#  1. `docker-compose config` accepts docker-compose.yaml with .env.example;
#  2. builds a Debian 12 base image locally (debootstrap, cached; docker/test/base-image.sh) under
#     the names the Dockerfiles use, so nothing is pulled from a registry;
#  3. builds Dockerfile.api and Dockerfile.worker unchanged (runtime images must be <= 120 MB);
#  4. builds stand-ins for the official rabbitmq, redis, postgres and prometheus images from
#     Debian packages (docker/test/*.Dockerfile; docker/test/compose.override.yaml swaps them in);
#  5. brings the stack up with docker-compose against a private `podman system service`, under a
#     project name and networks of its own, and waits until every service is healthy;
#  6. runs `mlprod traffic` (8 users, 20 s) inside the mlpnet network: zero errors required;
#  7. trains a model through the API (a worker writes it to the shared models volume);
#  8. checks that Prometheus scrapes the api and worker targets (its /api/v1/targets);
#  9. scales the workers to 2 and checks that Prometheus finds both (DNS service discovery);
# 10. tears everything down (containers, networks, volumes), also when a step fails.
# Grafana is not part of the run: it has no Debian package and its image cannot be pulled here.
#
# Needs root on Debian 12; installs podman, runc, iptables (netavark, podman's network backend,
# needs it to set up container networks), debootstrap and docker-compose with apt-get.
# Podman runs with runc, the cgroupfs manager and no default ulimits (a containers.conf of its
# own via CONTAINERS_CONF). Podman runs health checks from systemd timers; without systemd this
# script runs them (`podman healthcheck run`) every few seconds.
# Environment: MLPROD_BUILD_JOBS (compile jobs in the image build, default nproc),
# MLPROD_DEPLOY_LOGS (build and service logs, default /tmp/mlprod-deploy-logs),
# MLPROD_REBUILD_BASE=1 (rebuild the cached base image), MLPROD_MAX_IMAGE_MB (default 120).
# Images are built with `--format docker` (the OCI format has no HEALTHCHECK).
# Usage: scripts/test-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
t_start=$(date +%s)

log() { echo "test-deploy: $*" >&2; }
die() { log "FAIL: $*"; exit 1; }
since() { echo $(($(date +%s) - $1)); }
[ "$(id -u)" -eq 0 ] || die "needs root (apt-get, podman)"

logs=${MLPROD_DEPLOY_LOGS:-/tmp/mlprod-deploy-logs}
max_mb=${MLPROD_MAX_IMAGE_MB:-120}
jobs=${MLPROD_BUILD_JOBS:-$(nproc)}
mkdir -p "$logs"

# --- packages -------------------------------------------------------------------------------
need=(podman runc netavark aardvark-dns iptables debootstrap docker-compose python3 curl openssl
  ca-certificates)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- podman configuration, a private API socket for docker-compose, cleanup ------------------
work=$(mktemp -d /tmp/mlprod-deploy.XXXXXX)
export CONTAINERS_CONF="$work/containers.conf"
printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n' \
  >"$CONTAINERS_CONF"

project="mlprod-deploy-$$"
export MLPROD_TEST_WWW="${project}_www"
svc_pid="" health_pid="" stack_up=0 www_created=0
compose=(docker-compose -p "$project" --env-file "$top/.env.example" -f "$top/docker-compose.yaml"
  -f "$top/docker/test/compose.override.yaml")
dc() { "${compose[@]}" "$@"; }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  [ -n "$health_pid" ] && kill "$health_pid" 2>/dev/null && wait "$health_pid" 2>/dev/null
  if [ "$stack_up" = 1 ]; then
    if [ "$rc" != 0 ]; then
      log "service logs in $logs/compose.log"
      dc logs --no-color --tail 200 >"$logs/compose.log" 2>&1
      dc ps >&2
    fi
    log "tearing down project $project"
    podman rm -f "${project}-probe" >/dev/null 2>&1
    timeout 180 "${compose[@]}" down -v --remove-orphans -t 20 >"$logs/down.log" 2>&1
    # Whatever `down` left behind (e.g. it timed out).
    podman ps -aq --filter "label=com.docker.compose.project=$project" | xargs -r podman rm -f >/dev/null 2>&1
    podman volume ls -q --filter "label=com.docker.compose.project=$project" | xargs -r podman volume rm -f >/dev/null 2>&1
    podman network rm -f "${project}_mlpnet" >/dev/null 2>&1
  fi
  [ "$www_created" = 1 ] && podman network rm -f "$MLPROD_TEST_WWW" >/dev/null 2>&1
  if [ -n "$svc_pid" ]; then kill "$svc_pid" 2>/dev/null; wait "$svc_pid" 2>/dev/null; fi
  rm -rf "$work"
  if [ "$rc" = 0 ]; then log "PASS ($(since "$t_start") s)"; else log "FAILED (exit $rc), logs in $logs"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. the compose file as Debian's docker-compose sees it ---------------------------------
docker-compose --env-file .env.example -f docker-compose.yaml config -q ||
  die "docker-compose config rejects docker-compose.yaml with .env.example"
log "docker-compose config: ok"

# --- 2. base image ---------------------------------------------------------------------------
t0=$(date +%s)
bash docker/test/base-image.sh >&2
t_base=$(since "$t0")

# --- 3. the real Dockerfiles -----------------------------------------------------------------
# Swagger UI assets into the build context (the image build downloads them only when missing).
bash scripts/fetch-assets.sh >&2
build() {  # name dockerfile context log
  local t=$(date +%s)
  if ! podman build --format docker --build-arg MLPROD_BUILD_JOBS="$jobs" -f "$2" -t "$1" "$3" >"$4" 2>&1; then
    tail -40 "$4" >&2
    die "podman build -f $2 failed (log $4)"
  fi
  log "built $1 in $(since "$t") s"
}
t0=$(date +%s)
build localhost/mlprod-api:latest Dockerfile.api . "$logs/build-api.log"
t_api=$(since "$t0")
t0=$(date +%s)
build localhost/mlprod-worker:latest Dockerfile.worker . "$logs/build-worker.log"
t_worker=$(since "$t0")
size_mb() { podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%.1f", $1 / 1e6}'; }
api_mb=$(size_mb localhost/mlprod-api:latest)
worker_mb=$(size_mb localhost/mlprod-worker:latest)
log "image sizes: mlprod-api $api_mb MB, mlprod-worker $worker_mb MB (limit $max_mb MB)"
awk -v a="$api_mb" -v w="$worker_mb" -v m="$max_mb" 'BEGIN { exit !(a <= m && w <= m) }' ||
  die "a runtime image is larger than $max_mb MB"
[ "$(podman run --rm localhost/mlprod-api:latest id -u 2>/dev/null)" != 0 ] || die "the api image runs as root"
[ "$(podman run --rm localhost/mlprod-worker:latest id -u 2>/dev/null)" != 0 ] || die "the worker image runs as root"

# --- 4. stand-ins for the official service images --------------------------------------------
t0=$(date +%s)
for s in rabbitmq redis postgres prometheus; do
  build "localhost/mlprod-test-$s:latest" "docker/test/$s.Dockerfile" docker/test "$logs/build-test-$s.log"
done
t_test_images=$(since "$t0")

# --- 5. up -----------------------------------------------------------------------------------
podman system service --time=0 "unix://$work/podman.sock" >"$logs/podman-service.log" 2>&1 &
svc_pid=$!
export DOCKER_HOST="unix://$work/podman.sock"
for _ in $(seq 100); do [ -S "$work/podman.sock" ] && break; sleep 0.1; done
[ -S "$work/podman.sock" ] || die "podman system service did not start"
podman network create "$MLPROD_TEST_WWW" >/dev/null
www_created=1

# Podman's health checks need systemd timers; run them here instead.
(
  while sleep 3; do
    for c in $(podman ps -q --filter "label=com.docker.compose.project=$project"); do
      podman healthcheck run "$c" >/dev/null 2>&1 || true
    done
  done
) &
health_pid=$!

health() { podman inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null || echo gone; }
wait_healthy() {  # service count seconds
  local deadline=$(($(date +%s) + $3)) ids n st c
  while :; do
    ids=$(dc ps -q "$1" 2>/dev/null || true)
    n=0
    for c in $ids; do
      st=$(health "$c")
      [ "$st" = healthy ] && n=$((n + 1))
      [ "$st" = unhealthy ] && die "$1 container $c is unhealthy"
    done
    [ "$n" -ge "$2" ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || die "$1: $n of $2 containers healthy after $3 s"
    sleep 2
  done
}

log "docker-compose up (project $project): api, worker, prometheus and their dependencies"
t0=$(date +%s)
stack_up=1
timeout 900 "${compose[@]}" up -d --no-build api worker prometheus >"$logs/up.log" 2>&1 ||
  { cat "$logs/up.log" >&2; die "docker-compose up failed"; }
for s in database rabbitmq redis api worker prometheus; do wait_healthy "$s" 1 300; done
t_healthy=$(since "$t0")
log "all services healthy $t_healthy s after up"

api_ctr=$(dc ps -q api)
prom_ctr=$(dc ps -q prometheus)
[ "$(podman exec "$api_ctr" id -un)" = mlprod ] || die "api does not run as user mlprod"

# --- 6. traffic inside the mlpnet network ----------------------------------------------------
net="${project}_mlpnet"
log "mlprod traffic: 8 users for 20 s against http://api:4789"
podman run --rm --name "${project}-probe" --network "$net" localhost/mlprod-api:latest \
  mlprod traffic --url http://api:4789 --duration 20 --users 8 --json \
  >"$work/traffic.json" 2>"$logs/traffic.log" || { tail -20 "$logs/traffic.log" >&2; die "mlprod traffic failed"; }
python3 - "$work/traffic.json" <<'PY' || die "traffic had errors (see $logs/traffic.log)"
import json, sys
s = json.load(open(sys.argv[1]))
print(f"test-deploy: traffic: {s['loops']} loops, {s['requests_total']} requests, "
      f"{s['errors_total']} errors, start->SUCCESS p50 {s['start_to_success_ms']['p50']} ms "
      f"p95 {s['start_to_success_ms']['p95']} ms", file=sys.stderr)
sys.exit(0 if s["errors_total"] == 0 and s["loops"] > 0 else 1)
PY

# --- 7. a training task: a worker writes the new model folder to the shared volume -----------
get() {  # path [--post]: HTTP from inside mlpnet (the prometheus stand-in has wget)
  # A POST says it is JSON: the API answers 415 to wget's default form content type.
  local post=()
  [ -n "${2:-}" ] && post=(--post-data= "--header=Content-Type: application/json")
  podman exec "$prom_ctr" wget -q -T 40 -O - "${post[@]}" "http://api:4789$1"
}
train_id=$(get /train/start post | python3 -c 'import json,sys; print(json.load(sys.stdin)["task_id"])')
status=PENDING
for _ in $(seq 10); do
  status=$(get "/train/status/$train_id?wait=20" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || echo FAILURE)
  case "$status" in SUCCESS|FAILURE) break ;; esac
done
[ "$status" = SUCCESS ] || die "training task $train_id ended $status"
podman exec "$api_ctr" test -f "/var/lib/mlprod/models/$train_id/model.json" ||
  die "the worker's model folder $train_id is not on the shared models volume"
log "training task $train_id: SUCCESS, model folder on the shared volume"

# --- 8. Prometheus scrapes api and worker ----------------------------------------------------
targets_up() {  # job -> number of targets of that job with health "up"
  podman exec "$prom_ctr" wget -q -O - http://127.0.0.1:9090/api/v1/targets 2>/dev/null |
    python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]["activeTargets"]
print(sum(1 for t in d if t["labels"].get("job") == sys.argv[1] and t["health"] == "up"))' "$1" 2>/dev/null ||
    echo 0
}
wait_targets() {  # job count seconds
  local deadline=$(($(date +%s) + $3)) n
  while :; do
    n=$(targets_up "$1")
    [ "$n" -ge "$2" ] && { log "prometheus: $n $1 target(s) up"; return 0; }
    [ "$(date +%s)" -lt "$deadline" ] || die "prometheus: $n of $2 '$1' targets up after $3 s"
    sleep 3
  done
}
wait_targets api 1 120
wait_targets worker 1 120

# --- 9. two workers --------------------------------------------------------------------------
log "scaling the workers to 2"
timeout 300 "${compose[@]}" up -d --no-build --no-recreate --scale worker=2 worker >"$logs/scale.log" 2>&1 ||
  { cat "$logs/scale.log" >&2; die "docker-compose up --scale worker=2 failed"; }
wait_healthy worker 2 240
wait_targets worker 2 180

t_total=$(since "$t_start")
cat >&2 <<EOF
test-deploy: summary
  base image:        ${t_base} s (0 when cached)
  build mlprod-api:  ${t_api} s, runtime image ${api_mb} MB
  build mlprod-worker: ${t_worker} s, runtime image ${worker_mb} MB
  test service images: ${t_test_images} s
  up -> all healthy: ${t_healthy} s
  total so far:      ${t_total} s (teardown follows)
EOF
