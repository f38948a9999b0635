#!/usr/bin/env bash
# What `me`'s tail during a login flood waits for: wrk loads GET /api/auth/me
# alone, then again with a login flood beside it (run.sh's me and
# me_during_login), while `perf sched record` watches the whole machine for
# part of each run. Prints each run's me p50/p99/max and, per thread kind
# (the server's tokio workers, PostgreSQL's backends, the bcrypt threads, wrk,
# anything else that waited), its CPU time and its average and longest wait
# between being woken and running (`perf sched latency`).
# Runs on the database benches/run.sh left behind.
#
#   ./benches/run.sh                   # once (BENCH_QUICK=1 is enough)
#   ./benches/flood_sched.sh
#
#   FLOOD_SECONDS [10]  each wrk run (perf records its middle FLOOD_SECONDS - 4 s)
#   BENCH_DB [tenet_bench], BENCH_PORT [18189], BENCH_BINARY [release build]
#   BENCH_THREADS [2], BENCH_CONNECTIONS [32]   each wrk's -t and -c, as in run.sh
# Nothing is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DB=${BENCH_DB:-tenet_bench}
PORT=${BENCH_PORT:-18189}
SECS=${FLOOD_SECONDS:-10}
[ "$SECS" -ge 6 ] || die "FLOOD_SECONDS must be at least 6"
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
need_command perf linux-perf
need_command wrk
TENET=${BENCH_BINARY:-$(benches/build.sh)}
WEB_ROLE=$(bench_web_role "$DB")
TMP=$(mktemp -d)
SERVER_PID=
trap '[ -z "$SERVER_PID" ] || kill $SERVER_PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
serve_local "$(local_url "$WEB_ROLE" "$TENET_WEB_PASSWORD" "$DB")" "$PORT" "$TMP" RUST_LOG=info
bench_owner_tokens 10 | sed 's|^|/api/auth/me |' >"$TMP/me.txt"
for i in $(seq 1 10); do echo "POST /api/auth/login - $(bench_login_body "$i")"; done >"$TMP/login.txt"

result() { # wrk output file -> "req/s, p50, p99, max"
  local line; line=$(grep '^BENCH_RESULT' "$1") || die "no result in $1"
  awk -v rps="$(wrk_field "$line" rps)" -v p50="$(wrk_field "$line" p50_us)" -v p99="$(wrk_field "$line" p99_us)" \
    -v max="$(wrk_field "$line" max_us)" 'BEGIN { printf "%.0f req/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms", rps, p50 / 1000, p99 / 1000, max / 1000 }'
}

# The threads by kind: tokio-rt-worker (the server), postgres, bcrypt-N (the
# hashing process), wrk; the rest as "other".
waits() { # perf.data
  perf sched latency -i "$1" 2>/dev/null | awk -F'|' '
    NF >= 5 && $1 ~ /:/ {
      task = $1; gsub(/^ +| +$/, "", task); sub(/:.*/, "", task)
      kind = task ~ /^tokio-rt-worker/ ? "server (tokio workers)" : task ~ /^postgres/ ? "postgres" : task ~ /^bcrypt/ ? "bcrypt (hashing process)" : task ~ /^wrk/ ? "wrk" : "other"
      run = $2; sub(/ms.*/, "", run); sw = $3 + 0
      avg = $4; sub(/.*avg: */, "", avg); sub(/ ms.*/, "", avg)
      mx = $5; sub(/.*max: */, "", mx); sub(/ ms.*/, "", mx)
      cpu[kind] += run; n[kind] += sw; wsum[kind] += avg * sw
      if (mx + 0 > worst[kind]) worst[kind] = mx + 0
    }
    END {
      for (k in cpu) printf "  %-26s CPU %8.1f ms   waits: avg %6.3f ms, longest %7.1f ms\n", k, cpu[k], (n[k] ? wsum[k] / n[k] : 0), worst[k]
    }' | sort
}

run() { # label flood(0|1)
  local label=$1 flood=$2 lp=
  wrk -t"$THREADS" -c"$CONNS" -d2s -s benches/rotate.lua "$BASE" -- "$TMP/me.txt" >/dev/null 2>&1
  if [ "$flood" = 1 ]; then
    wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --timeout 30s -s benches/rotate.lua "$BASE" -- "$TMP/login.txt" >"$TMP/wrk-login.txt" 2>&1 &
    lp=$!
  fi
  wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" -s benches/rotate.lua "$BASE" -- "$TMP/me.txt" >"$TMP/wrk-me.txt" 2>&1 &
  local mp=$!
  sleep 2
  perf sched record -q -o "$TMP/sched.data" -- sleep $((SECS - 4)) >/dev/null 2>&1 || die "perf sched record failed"
  wait "$mp" || die "wrk (me) failed"
  [ -z "$lp" ] || wait "$lp" || die "wrk (login) failed"
  echo "$label: me $(result "$TMP/wrk-me.txt")"
  [ -z "$lp" ] || echo "  logins during it: $(result "$TMP/wrk-login.txt")"
  echo "  waits of the last $((SECS - 4)) s, by thread kind (perf sched latency):"
  waits "$TMP/sched.data"
}

log "me alone, then me during a login flood: ${SECS}s each, wrk -t$THREADS -c$CONNS"
run "me alone" 0
run "me during a login flood" 1
