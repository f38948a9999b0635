#!/usr/bin/env bash
# A/B of two `tenet` binaries on the database benches/run.sh left behind
# (BENCH_DB): each round starts one binary, signs in 10 bench owners and
# loads each path with wrk, then the other binary, alternating (A B A B ...)
# so that the machine's drift hits both alike. Reports req/s, p99, the server's CPU
# time per request and its RSS idle and after load, per binary and round. Nothing asserted.
#
#   ./benches/ab.sh /path/to/tenet-a /path/to/tenet-b
#   AB_ROUNDS [2]  AB_SECONDS [10]  AB_PATHS ["/api/contacts?limit=50 /api/auth/me"]
#   AB_ENV_A, AB_ENV_B [empty]  extra VAR=value settings of each side's server
#                  (they override the defaults), e.g. the same binary twice, B
#                  through PgBouncer:
#     PGBOUNCER_USERS=tenet_bench_web:tenet_web scripts/pgbouncer start
#     AB_ENV_B="DATABASE_URL=postgres://tenet_bench_web:tenet_web@127.0.0.1:6439/tenet_bench
#       DATABASE_TRANSACTION_POOLING=true" ./benches/ab.sh $BIN $BIN
#   BENCH_DB [tenet_bench]  BENCH_PORT [18186]  BENCH_THREADS [2]  BENCH_CONNECTIONS [32]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

[ $# = 2 ] && [ -x "$1" ] && [ -x "$2" ] || die "usage: benches/ab.sh <tenet binary A> <tenet binary B>"
DB=${BENCH_DB:-tenet_bench}
PORT=${BENCH_PORT:-18186}
ROUNDS=${AB_ROUNDS:-2}
SECS=${AB_SECONDS:-10}
PATHS=${AB_PATHS:-/api/contacts?limit=50 /api/auth/me}
WEB_ROLE=$(bench_web_role "$DB")
TMP=$(mktemp -d)
SERVER_PID=
trap '[ -z "$SERVER_PID" ] || kill $SERVER_PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
rss() { awk -v kib="$(rss_kib VmRSS)" 'BEGIN { printf "%.1f", kib / 1024 }'; }

one() { # label binary round
  TENET=$2
  local extra
  if [ "$1" = A ]; then extra=${AB_ENV_A:-}; else extra=${AB_ENV_B:-}; fi
  # shellcheck disable=SC2086 # the settings are words on purpose
  serve_local "$(local_url "$WEB_ROLE" "$TENET_WEB_PASSWORD" "$DB")" "$PORT" "$TMP" RUST_LOG=info $extra
  local toks p r idle cpu0 rps cpu_us
  toks=$(bench_owner_tokens 10)
  idle=$(rss)
  for p in $PATHS; do
    sed "s|^|$p |" <<<"$toks" >"$TMP/targets.txt"
    cpu0=$(cpu_ticks "$SERVER_PID")
    r=$(wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNECTIONS:-32}" -d"${SECS}s" --latency -s benches/rotate.lua \
      "$BASE" -- "$TMP/targets.txt" | grep '^BENCH_RESULT')
    rps=$(wrk_field "$r" rps)
    # The server's own CPU time per request (user + system, all its threads):
    # steadier than req/s on a machine whose other tenants come and go.
    cpu_us=$(cpu_us_per $(( $(cpu_ticks "$SERVER_PID") - cpu0 )) "$(wrk_field "$r" requests)")
    printf '%s\tround %s\t%-28s\t%s req/s\tp99 %s ms\tserver CPU %s us/req\terrors %s\n' "$1" "$3" "$p" \
      "$rps" \
      "$(wrk_field "$r" p99_us | awk '{ printf "%.1f", $1 / 1000 }')" "$cpu_us" \
      "$(grep -oE 'errors_[a-z]+=[0-9]+' <<<"$r" | awk -F= '{ s += $2 } END { print s + 0 }')"
  done
  printf '%s\tround %s\tRSS idle %s MiB, after load %s MiB\n' "$1" "$3" "$idle" "$(rss)"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
}

for round in $(seq 1 "$ROUNDS"); do
  one A "$1" "$round"
  one B "$2" "$round"
done
