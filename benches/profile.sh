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
mkdir -p "$OUT"

need_command perf linux-perf
need_command wrk
TENET=${BENCH_BINARY:-$(benches/build.sh)}
WEB_ROLE=$(bench_web_role "$DB")
SERVER_PID=
trap '[ -z "$SERVER_PID" ] || kill $SERVER_PID 2>/dev/null || true' EXIT
serve_local "$(local_url "$WEB_ROLE" "$TENET_WEB_PASSWORD" "$DB")" "$PORT" "$OUT" RUST_LOG=info
bench_owner_tokens 10 | sed "s|^|$PATH_ |" >"$OUT/targets.txt"

log "profiling $PATH_ for ${SECONDS_}s (perf record -a -g -e cpu-clock)"
perf record -a -g -e cpu-clock -F 499 -o "$OUT/perf.data" -- \
  wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNECTIONS:-32}" -d"${SECONDS_}s" --latency -s benches/rotate.lua \
  "$BASE" -- "$OUT/targets.txt" >"$OUT/wrk.txt" 2>"$OUT/perf-record.log"
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
