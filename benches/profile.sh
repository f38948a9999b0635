#!/usr/bin/env bash
# Where the CPU goes under load: a CPU profile of the whole machine (perf,
# software cpu-clock sampling, which works in a VM without hardware counters)
# while wrk drives one API request kind against `tenet serve` on the database
# that benches/run.sh left behind (BENCH_DB, kept unless BENCH_DROP=1).
#
#   ./benches/run.sh                   # once, to seed tenet_bench (or BENCH_QUICK=1)
#   PROFILE_PATH=/api/contacts?limit=50 ./benches/profile.sh
#   PROFILE_PATH=/api/auth/me ./benches/profile.sh
#
# Prints the share of samples per process (tenet, postgres, wrk, ...) and the
# hottest symbols of tenet and of postgres. Nothing is asserted.
#   PROFILE_PATH [/api/contacts?limit=50]  the GET to load
#   PROFILE_SECONDS [15]                   wrk -d (perf records the same span)
#   BENCH_DB [tenet_bench], BENCH_PORT [18185], BENCH_BINARY [release build]
#   BENCH_THREADS [2], BENCH_CONNECTIONS [32]
#   PROFILE_OUT [bench-results/profile]    perf.data and the reports
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DB=${BENCH_DB:-tenet_bench}
PORT=${BENCH_PORT:-18185}
SECONDS_=${PROFILE_SECONDS:-15}
PATH_=${PROFILE_PATH:-/api/contacts?limit=50}
OUT=${PROFILE_OUT:-bench-results/profile}
BENCH_PASSWORD='bench-Owner-pass-2026'
mkdir -p "$OUT"

command -v perf >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
command -v wrk >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
TENET=${BENCH_BINARY:-$(benches/build.sh)}
[ "$(superuser_psql -c "SELECT count(*) FROM pg_database WHERE datname = '$DB'")" = 1 ] \
  || die "database $DB not found: run ./benches/run.sh first (it keeps its database)"
WEB_ROLE=tenet_bench_web
[ "$(superuser_psql -c "SELECT count(*) FROM pg_roles WHERE rolname = '$WEB_ROLE'")" = 1 ] || WEB_ROLE=tenet_web

DATABASE_URL=$(local_url "$WEB_ROLE" "$TENET_WEB_PASSWORD" "$DB") JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" \
  AUTH_RATE_LIMIT_PER_MINUTE=0 DB_POOL_SIZE=16 PORT="$PORT" RUST_LOG=info "$TENET" serve >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/ready" && break
  sleep 0.05
done

: >"$OUT/targets.txt"
for i in $(seq 1 10); do
  n=$(printf '%04d' "$i")
  tok=$(curl -sf -H 'Content-Type: application/json' \
    -d "{\"email\":\"owner$n@bench.example\",\"password\":\"$BENCH_PASSWORD\",\"tenant\":\"bench-tenant-$n\"}" \
    "http://127.0.0.1:$PORT/api/auth/login" | jq -er .access_token) || break
  echo "$PATH_ $tok" >>"$OUT/targets.txt"
done
[ -s "$OUT/targets.txt" ] || die "no bench owner could sign in"

log "profiling $PATH_ for ${SECONDS_}s (perf record -a -g -e cpu-clock)"
perf record -a -g -e cpu-clock -F 499 -o "$OUT/perf.data" -- \
  wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNECTIONS:-32}" -d"${SECONDS_}s" --latency -s benches/rotate.lua \
  "http://127.0.0.1:$PORT" -- "$OUT/targets.txt" >"$OUT/wrk.txt" 2>"$OUT/perf-record.log"
grep -E '^BENCH_RESULT' "$OUT/wrk.txt" || true
perf report -i "$OUT/perf.data" --no-children --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -12 | tee "$OUT/by-process.txt"
# The server's threads are tokio's workers (tokio-rt-worker) and its main thread (tenet).
echo "--- tenet (self time, by library, then by symbol; percentages of all samples)"
perf report -i "$OUT/perf.data" --no-children --comm tokio-rt-worker,tenet --sort dso --stdio 2>/dev/null \
  | grep -E '^ +[0-9.]+%' | head -6 | tee "$OUT/tenet-libraries.txt"
perf report -i "$OUT/perf.data" --no-children --comm tokio-rt-worker,tenet --sort sym --stdio 2>/dev/null \
  | grep -E '^ +[0-9.]+%' | head -25 | tee "$OUT/tenet-symbols.txt"
echo "--- postgres (self time, by symbol)"
perf report -i "$OUT/perf.data" --no-children --comm postgres --sort sym --stdio 2>/dev/null \
  | grep -E '^ +[0-9.]+%' | head -25 | tee "$OUT/postgres-symbols.txt"
