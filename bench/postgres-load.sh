#!/usr/bin/env bash
# PostgreSQL beside SQLite, in one run, on loopback only (docs/benchmarks.md):
#
#  1. durable events/s: BenchmarkAppend (SQLite) and BenchmarkAppendPostgres
#     (one server, and two servers on one database), every writer waiting
#     for a published checkpoint;
#  2. registry lookups/s over HTTP: trustmark serve on each store, wrk on
#     GET /api/v1/registry/{id} for random labels, with the record cache on
#     (the production setting) and off (every request a store lookup).
#
# Needs: Go, wrk, a PostgreSQL server (PGURL, default the CI one).
# Usage: bench/postgres-load.sh [RECORDS]   (default 100000)
# Environment: DURATION (default 15s), EVENTS (default 20000), PGURL, WORK,
# SKIP_EVENTS=1 to measure lookups only.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-100000}
duration=${DURATION:-15s}
events=${EVENTS:-20000}
pgurl=${PGURL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
work=${WORK:-${TMPDIR:-/tmp}}
data="$work/trustmark-bench-$records"
schema="trustmark_load_$records"
port=18700

go build -o "$work/trustmark-bench-bin" ./cmd/trustmark
bin="$work/trustmark-bench-bin"

if [ -z "${SKIP_EVENTS:-}" ]; then
  echo "== durable events/s ($events events; PostgreSQL with one and two servers, then SQLite)"
  go test -c -o "$work/tlog-bench.test" ./internal/tlog/
  TRUSTMARK_TEST_POSTGRES="$pgurl" "$work/tlog-bench.test" -test.run XXX \
    -test.bench 'Append' -test.benchtime "${events}x" | grep -E '^Benchmark'
fi

echo "== stores of $records records"
if [ ! -f "$data/complete" ]; then
  rm -rf "$data"
  "$bin" generate --data "$data" --records "$records"
  touch "$data/complete"
fi
pgstore="${pgurl}&search_path=$schema"
if ! psql "$pgurl" -Atc "SELECT 1 FROM pg_tables WHERE schemaname = '$schema' AND tablename = 'bench_complete'" | grep -q 1; then
  psql "$pgurl" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema"
  "$bin" migrate --database-url "$pgstore"
  "$bin" generate --database-url "$pgstore" --records "$records"
  psql "$pgurl" -qc "VACUUM ANALYZE; CREATE TABLE $schema.bench_complete ()"
fi

go build -o "$work/labelid" ./bench/labelid
shuf -i 0-$((records - 1)) -n 1000 --random-source=<(yes) | while read -r n; do "$work/labelid" "$n"; done >"$work/trustmark-lookup-labels.txt"
cat >"$work/trustmark-lookup-random.lua" <<'LUA'
-- GET /api/v1/registry/{id} for a random label of $LABELS.
local ids = {}
for line in io.lines(os.getenv("LABELS")) do ids[#ids + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/registry/" .. ids[math.random(#ids)])
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
LUA

pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT
lookup() { # $1: name, then serve's store flags and options
  name=$1; shift
  "$bin" serve --addr 127.0.0.1:$port --rate-limit 0 --log-level warn "$@" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  # Measure once the server has integrated the generated log.
  for _ in $(seq 1200); do
    size=$(curl -fs "http://127.0.0.1:$port/log/checkpoint" | sed -n 2p || true)
    [ -n "$size" ] && [ "$size" -ge "$records" ] && break
    sleep 0.1
  done
  LABELS="$work/trustmark-lookup-labels.txt" wrk -t2 -c64 -d3s -s "$work/trustmark-lookup-random.lua" "http://127.0.0.1:$port" >/dev/null
  out=$(LABELS="$work/trustmark-lookup-labels.txt" wrk -t2 -c64 -d"$duration" --latency -s "$work/trustmark-lookup-random.lua" "http://127.0.0.1:$port")
  printf '%-24s %10s req/s   p50 %8s   p99 %8s   %s\n' "$name" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" \
    "$(echo "$out" | grep -Ei 'non-2xx' | tr -s ' ' | tr '\n' ' ')"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
echo "== registry lookups/s: GET /api/v1/registry/{id}, 1,000 random labels of $records, wrk -c64 $duration"
for round in 1 2; do
  lookup "postgres-cached #$round" --database-url "$pgstore" --data "$work/trustmark-bench-pg-keys"
  lookup "sqlite-cached #$round" --data "$data"
  lookup "postgres-uncached #$round" --database-url "$pgstore" --data "$work/trustmark-bench-pg-keys" --cache-entries -1
  lookup "sqlite-uncached #$round" --data "$data" --cache-entries -1
done
