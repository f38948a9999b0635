#!/usr/bin/env bash
# Overload (issue 18): far more clients than database connections. The server
# must shed what it cannot serve with a quick 503 + Retry-After (a bounded
# wait for a connection, DB_POOL_TIMEOUT_MS) instead of queueing without
# bound, keep serving what it can, and keep its memory flat. wrk with
# OVERLOAD_CLIENTS connections against a server with a pool of 2 and a
# OVERLOAD_POOL_WAIT_MS wait; reports req/s, how many were shed (non-2xx), latency and the
# server's RSS before and at peak, as JSON and markdown. Fails if the server
# answered nothing successfully, died, or its peak grew past
# OVERLOAD_MAX_GROWTH_MIB.
#
#   ./benches/overload.sh                                        512 clients, 15 s, 50 ms wait (release binary)
#   OVERLOAD_SECONDS=3 BENCH_BINARY=target/debug/tenet ./benches/overload.sh   quick
#
# Environment: BENCH_BINARY, OVERLOAD_CLIENTS [512], OVERLOAD_POOL_WAIT_MS [50], OVERLOAD_SECONDS [15],
# OVERLOAD_DB [tenet_overload], OVERLOAD_OUT [bench-results/overload],
# OVERLOAD_PORT [18296], OVERLOAD_MAX_GROWTH_MIB [64].
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CLIENTS=${OVERLOAD_CLIENTS:-512}
WAIT_MS=${OVERLOAD_POOL_WAIT_MS:-50}
SECONDS_RUN=${OVERLOAD_SECONDS:-15}
DB=${OVERLOAD_DB:-tenet_overload}
OUT=${OVERLOAD_OUT:-bench-results/overload}
PORT=${OVERLOAD_PORT:-18296}
MAX_GROWTH=${OVERLOAD_MAX_GROWTH_MIB:-64}
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "OVERLOAD_DB must be a plain lower-case name"
mkdir -p "$OUT"

ensure_local_postgres
bootstrap_local_roles
need_command wrk
need_command jq
if [ -n "${BENCH_BINARY:-}" ]; then
  TENET=$(realpath "$BENCH_BINARY")
else
  require_rust
  TENET=$(benches/build.sh)
fi

start_local_server "$DB" "$PORT" "$OUT" DB_POOL_SIZE=2 DB_POOL_TIMEOUT_MS="$WAIT_MS" RUST_LOG=error
TOKEN=$(signup_token owner@overload.bench Overload)
for i in $(seq 1 50); do
  curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "{\"first_name\":\"P$i\"}" "$BASE/api/contacts" >/dev/null
done
curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/contacts" >/dev/null
BEFORE=$(rss_kib VmRSS)

log "wrk: $CLIENTS connections for ${SECONDS_RUN}s against a pool of 2 connections ($WAIT_MS ms wait)"
wrk -t2 -c"$CLIENTS" -d"${SECONDS_RUN}s" --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/contacts?limit=50" >"$OUT/wrk.txt" 2>&1 \
  || die "wrk failed: $(tail -n 5 "$OUT/wrk.txt")"
kill -0 "$SERVER_PID" 2>/dev/null || die "the server died under overload"
PEAK=$(rss_kib VmHWM)
AFTER=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/api/contacts")
TOTAL=$(awk '/requests in/ { print $1 }' "$OUT/wrk.txt")
RPS=$(awk '/Requests\/sec/ { printf "%d", $2 }' "$OUT/wrk.txt")
NON2XX=$(awk '/Non-2xx or 3xx responses/ { print $5 }' "$OUT/wrk.txt"); NON2XX=${NON2XX:-0}
P50=$(awk '$1 == "50%" { print $2 }' "$OUT/wrk.txt")
P99=$(awk '$1 == "99%" { print $2 }' "$OUT/wrk.txt")
SOCKET_ERRORS=$(awk '/Socket errors/ { print }' "$OUT/wrk.txt")
jq -n --argjson clients "$CLIENTS" --argjson seconds "$SECONDS_RUN" --argjson total "$TOTAL" --argjson rps "$RPS" \
  --argjson shed "$NON2XX" --arg p50 "$P50" --arg p99 "$P99" --arg socket_errors "$SOCKET_ERRORS" \
  --argjson before "$BEFORE" --argjson peak "$PEAK" --arg after "$AFTER" --arg binary "$TENET" --argjson wait_ms "$WAIT_MS" \
  '{binary: $binary, clients: $clients, wait_ms: $wait_ms, seconds: $seconds, requests: $total, req_per_s: $rps, shed_503: $shed,
    served: ($total - $shed), latency_p50: $p50, latency_p99: $p99, socket_errors: $socket_errors,
    server_rss_kib: {before: $before, peak: $peak}, status_after: $after}' >"$OUT/overload.json"
{
  echo "| clients | pool (wait) | requests | req/s | served (2xx) | shed (503) | p50 | p99 | RSS before | RSS peak |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  jq -r '"| \(.clients) | 2 (\(.wait_ms) ms) | \(.requests) | \(.req_per_s) | \(.served) | \(.shed_503) | \(.latency_p50) | \(.latency_p99) | \(.server_rss_kib.before / 1024 | floor) MiB | \(.server_rss_kib.peak / 1024 | floor) MiB |"' "$OUT/overload.json"
} | tee "$OUT/overload.md"
[ "$AFTER" = 200 ] || die "the server did not serve a request after the overload (HTTP $AFTER)"
[ "$((TOTAL - NON2XX))" -gt 0 ] || die "nothing was served during the overload"
[ "$((PEAK - BEFORE))" -le $((MAX_GROWTH * 1024)) ] || die "the peak grew by $(((PEAK - BEFORE) / 1024)) MiB (limit $MAX_GROWTH MiB)"
log "ok: shed $NON2XX of $TOTAL, served the rest, memory peak +$(((PEAK - BEFORE) / 1024)) MiB"
