#!/usr/bin/env bash
# Load test of the registry read path: trustmark's GET /p/{id} and
# GET /api/v1/registry/{id} against nginx serving the same page as a static
# file, side by side in one run, on loopback only.
#
# Needs: Go, and Debian's wrk, hey and nginx-light (installed if missing).
# Usage: bench/registry-load.sh [RECORDS]   (default 1000000)
# Environment: DURATION (default 15s), CONNS (default 64), WORK (scratch dir).
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
duration=${DURATION:-15s}
conns=${CONNS:-64}
work=${WORK:-${TMPDIR:-/tmp}}
data="$work/trustmark-bench-$records"
tport=18080
nport=18081

for tool in wrk hey nginx; do
  if ! command -v "$tool" >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk hey nginx-light >/dev/null
    break
  fi
done

go build -o "$work/trustmark-bench-bin" ./cmd/trustmark
bin="$work/trustmark-bench-bin"
if [ ! -f "$data/complete" ]; then
  rm -rf "$data"
  "$bin" generate --data "$data" --records "$records"
  touch "$data/complete"
fi

# The label in the middle of the generated range.
id=$(go run ./bench/labelid "$((records / 2))")

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start_trustmark() { # $1: log level
  "$bin" serve --data "$data" --addr 127.0.0.1:$tport --rate-limit 1000000 --log-level "$1" >/dev/null 2>&1 &
  tpid=$!
  pids+=("$tpid")
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$tport/healthz" >/dev/null && return; sleep 0.1; done
  echo "trustmark did not start" >&2; exit 1
}

start_trustmark warn
static="$work/trustmark-bench-static"
rm -rf "$static" && mkdir -p "$static/p"
curl -fs "http://127.0.0.1:$tport/p/$id" -o "$static/p/$id"
size=$(stat -c %s "$static/p/$id")
cat > "$work/trustmark-bench-nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $work/trustmark-bench-nginx.pid;
error_log $work/trustmark-bench-nginx.err warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$nport;
    root $static;
    location /p/ { default_type "text/html; charset=utf-8"; }
  }
}
CONF
nginx -c "$work/trustmark-bench-nginx.conf" &
pids+=($!)
sleep 0.5
curl -fs "http://127.0.0.1:$nport/p/$id" -o /dev/null

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); records: $records; page: $size bytes; label $id"
rate() { awk '/Requests\/sec/ {print $2}'; }
run_wrk() { # $1: name, $2: url
  out=$(wrk -t2 -c"$conns" -d"$duration" --latency "$2")
  rps=$(echo "$out" | rate)
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  printf '%-34s %10s req/s   p50 %8s   p99 %8s\n' "$1" "$rps" "$p50" "$p99"
  echo "$rps" > "$work/trustmark-bench-$1.rps"
}
# Warm both, then measure back to back.
wrk -t2 -c"$conns" -d3s "http://127.0.0.1:$tport/p/$id" >/dev/null
wrk -t2 -c"$conns" -d3s "http://127.0.0.1:$nport/p/$id" >/dev/null
run_wrk nginx-static "http://127.0.0.1:$nport/p/$id"
run_wrk trustmark-page "http://127.0.0.1:$tport/p/$id"
run_wrk trustmark-api "http://127.0.0.1:$tport/api/v1/registry/$id"
n=$(cat "$work/trustmark-bench-nginx-static.rps")
t=$(cat "$work/trustmark-bench-trustmark-page.rps")
echo "ratio trustmark-page / nginx-static: $(awk -v t="$t" -v n="$n" 'BEGIN {printf "%.2f", t/n}')"

# p99 at half of trustmark's measured throughput, at a constant rate (hey -q is per worker).
half=$(awk -v t="$t" 'BEGIN {printf "%d", t/2}')
workers=50
per=$(awk -v h="$half" -v w="$workers" 'BEGIN {printf "%d", h/w}')
echo "constant load: $half req/s ($workers workers × $per req/s) for $duration"
hey -z "$duration" -c "$workers" -q "$per" "http://127.0.0.1:$tport/p/$id" | awk '/Requests\/sec|50% in|90% in|99% in|\[200\]|\[[0-9]+\]/'

# Cost of request logging: the same page with one info log line per request (to /dev/null).
kill "$tpid"; sleep 0.5
start_trustmark info
run_wrk trustmark-page-with-logs "http://127.0.0.1:$tport/p/$id"
