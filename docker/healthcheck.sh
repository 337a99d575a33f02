#!/bin/bash
# HEALTHCHECK probe of the mlprod images, with bash alone (the runtime image has no curl):
# GET http://127.0.0.1:PORT/PATH, healthy (exit 0) on an HTTP 200 within 5 seconds.
# Usage: mlprod-healthcheck PORT PATH    e.g. mlprod-healthcheck 4789 /health/ready
port=${1:?port}
path=${2:-/health/live}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3
IFS= read -r -t 5 status <&3 || exit 1
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "$path: $status"; exit 1 ;;
esac
