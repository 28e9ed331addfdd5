#!/usr/bin/env bash
# The transparency-log benchmarks of issue 5, side by side in one run (see
# docs/benchmarks.md): trustmark's BenchmarkAppend, tessera's POSIX log under
# the same workload (this module), trustmark again; proof generation and
# verification; and a load test of proof serving over HTTP, on loopback only.
#
# Needs: Go, and Debian's wrk (installed if missing).
# Usage: bench/tessera/run.sh
# Environment: EVENTS64 (default 6000) and EVENTS1024 (default 20000) events
# per write run, DURATION (default 15s), RECORDS (default 100000), WORK
# (scratch dir, default $TMPDIR or /tmp).
set -euo pipefail
cd "$(dirname "$0")/../.."
events64=${EVENTS64:-6000}
events1024=${EVENTS1024:-20000}
duration=${DURATION:-15s}
records=${RECORDS:-100000}
work=${WORK:-${TMPDIR:-/tmp}}
port=18600

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r), $(go version | cut -d' ' -f3); $(date -u +%FT%TZ)"
go test -c -o "$work/tlog-bench.test" ./internal/tlog/
(cd bench/tessera && go build -o "$work/tessera-bench" .)
go build -o "$work/tm" ./cmd/trustmark

trustmark_append() { # $1: writers, $2: events
  "$work/tlog-bench.test" -test.run XXX -test.bench "Append/writers=$1\$" -test.benchtime "$2x" | grep '^Benchmark'
}
tessera_append() { # $1: writers, $2: events, $3: checkpoint interval
  "$work/tessera-bench" -writers "$1" -events "$2" -checkpoint-interval "$3" 2>/dev/null
}

echo "== writes: trustmark, tessera, trustmark again"
trustmark_append 64 "$events64"
trustmark_append 1024 "$events1024"
tessera_append 64 "$events64" 200ms
tessera_append 1024 "$events1024" 200ms
tessera_append 64 "$events64" 100ms
tessera_append 1024 "$events1024" 100ms
trustmark_append 64 "$events64"
trustmark_append 1024 "$events1024"

echo "== proofs in a log of 100,000"
"$work/tlog-bench.test" -test.run XXX -test.bench 'Prove|VerifyProof' -test.benchmem | grep '^Benchmark'
"$work/tessera-bench" -writers '' -proofs 20000 -proof-log 100000 2>/dev/null | grep proof

echo "== proof serving over HTTP ($records records)"
pristine="$work/trustmark-proof-$records"
if [ ! -f "$pristine/complete" ]; then
  rm -rf "$pristine"
  "$work/tm" generate --data "$pristine" --records "$records" 2>/dev/null
  touch "$pristine/complete"
fi
data="$work/trustmark-proof-$records.run"
rm -rf "$data" && cp -a "$pristine" "$data"
"$work/tm" serve --data "$data" --rate-limit 0 --log-level warn --addr 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
start=$(date +%s.%N)
size=0
for _ in $(seq 1200); do
  size=$(curl -fs "http://127.0.0.1:$port/log/checkpoint" | sed -n 2p || true)
  [ -n "$size" ] && [ "$size" -ge "$records" ] && break
  sleep 0.1
done
echo "checkpoint size $size $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e-s}') s after start (integration of the generated log)"

id=$(go run ./bench/labelid "$((records / 2))")
go build -o "$work/labelid" ./bench/labelid
shuf -i 0-$((records - 1)) -n 1000 --random-source=<(yes) | while read -r n; do "$work/labelid" "$n"; done >"$work/trustmark-proof-labels.txt"
cat >"$work/trustmark-proof-random.lua" <<'LUA'
-- GET /api/v1/registry/{id}/proof for a random label of $LABELS.
local ids = {}
for line in io.lines(os.getenv("LABELS")) do ids[#ids + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/registry/" .. ids[math.random(#ids)] .. "/proof")
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
LUA
run_wrk() { # $1: name, then wrk's arguments
  name=$1; shift
  out=$(wrk -t2 -c64 -d"$duration" --latency "$@")
  printf '%-28s %10s req/s   p50 %8s   p99 %8s   %s\n' "$name" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" \
    "$(echo "$out" | grep -Ei 'non-2xx' | tr -s ' ' | tr '\n' ' ')"
}
base="http://127.0.0.1:$port"
curl -fs "$base/api/v1/registry/$id/proof" -o "$work/trustmark-proof.txt"
echo "label $id, proof $(stat -c %s "$work/trustmark-proof.txt") bytes"
wrk -t2 -c64 -d3s "$base/api/v1/registry/$id/proof" >/dev/null
LABELS="$work/trustmark-proof-labels.txt" wrk -t2 -c64 -d3s -s "$work/trustmark-proof-random.lua" "$base" >/dev/null
run_wrk checkpoint "$base/log/checkpoint"
run_wrk registry-record "$base/api/v1/registry/$id"
run_wrk proof-one-label "$base/api/v1/registry/$id/proof"
LABELS="$work/trustmark-proof-labels.txt" run_wrk proof-random-labels -s "$work/trustmark-proof-random.lua" "$base"
