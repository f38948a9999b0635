#!/usr/bin/env bash
# PostgreSQL's own CPU time per transaction of pgbench scripts: by default one
# client, its backend's user + system time (/proc/PID/stat) over the middle of
# the run divided by the transactions pgbench logged in that span. Steadier
# than tps on a machine whose other tenants come and go, and blind to the
# client. With BACKEND_CPU_CLIENTS=16 (run.sh's -c), the time of every
# postgres process of the cluster and pgbench's own: what each costs at the
# benchmark's concurrency. Runs on the database benches/run.sh left behind,
# as its web role.
#
#   ./benches/run.sh                     # once (BENCH_QUICK=1 is enough)
#   ./benches/backend_cpu.sh bench-results/pgbench/pg_create_1.sql
#   ./benches/backend_cpu.sh bench-results/pgbench/pg_create_notrigger_1.sql
#   BACKEND_CPU_CLIENTS=16 ./benches/backend_cpu.sh bench-results/pgbench/pg_list_appshape_*.sql
#
#   BACKEND_CPU_SECONDS [10]  the run (the first 1.5 s and the last 1.5 s are not counted)
#   BACKEND_CPU_CLIENTS [1]   pgbench -c (-j 2 above 1); the scripts are drawn at random
#   BENCH_DB [tenet_bench]    PGOPTIONS is passed on (e.g. '-c synchronous_commit=off')
# Prints: cpu/txn <us> us, wall tps <n> (and pgbench's cpu/txn with more than
# one client). Nothing asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

[ $# -ge 1 ] || die "usage: benches/backend_cpu.sh PGBENCH_SCRIPT..."
SCRIPTS=()
for f in "$@"; do SCRIPTS+=(-f "$(realpath "$f")"); done
CLIENTS=${BACKEND_CPU_CLIENTS:-1}
[[ "$CLIENTS" =~ ^[1-9][0-9]*$ ]] || die "BACKEND_CPU_CLIENTS must be a positive number"
DB=${BENCH_DB:-tenet_bench}
SECS=${BACKEND_CPU_SECONDS:-10}
[ "$SECS" -ge 5 ] || die "BACKEND_CPU_SECONDS must be at least 5"
WEB_ROLE=$(bench_web_role "$DB")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ADMIN=$(local_url tenet_admin "$TENET_ADMIN_PASSWORD" "$DB")
APP="backend_cpu_$$"

(cd "$TMP" && PGAPPNAME=$APP PGPASSWORD="$TENET_WEB_PASSWORD" pgbench -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U "$WEB_ROLE" \
  -n -c "$CLIENTS" -j "$(( CLIENTS > 1 ? 2 : 1 ))" -M prepared -T "$SECS" -l "${SCRIPTS[@]}" "$DB" >"$TMP/out" 2>&1) &
RUN=$!
sleep 1.5
PID=$(psql "$ADMIN" -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = '$APP' LIMIT 1")
[ -n "$PID" ] || { wait "$RUN" || true; cat "$TMP/out" >&2; die "no pgbench backend found"; }
BENCH_PID=$(pgrep -n -x pgbench)
# One client: its backend. More: every process of the cluster (backends,
# walwriter, checkpointer, ...), so nothing the load causes is left out.
ticks() {
  if [ "$CLIENTS" = 1 ]; then cpu_ticks "$PID"; return; fi
  local p sum=0
  for p in $(pgrep -x postgres); do sum=$((sum + $(cpu_ticks "$p" 2>/dev/null || echo 0))); done
  echo "$sum"
}
c1=$(ticks); b1=$(cpu_ticks "$BENCH_PID"); t1=$(date +%s.%N)
sleep "$(awk -v s="$SECS" 'BEGIN { print s - 3 }')"
c2=$(ticks); b2=$(cpu_ticks "$BENCH_PID"); t2=$(date +%s.%N)
wait "$RUN" || { cat "$TMP/out" >&2; die "pgbench failed"; }
# Transaction log: client_id tx_no latency_us script_no epoch epoch_us.
n=$(cat "$TMP"/pgbench_log.* | awk -v a="$t1" -v b="$t2" '{ t = $5 + $6 / 1e6; if (t >= a && t <= b) n++ } END { print n + 0 }')
[ "$n" -gt 0 ] || die "no transactions in the window"
line="cpu/txn $(cpu_us_per $((c2 - c1)) "$n") us, wall tps $(awk -v n="$n" -v a="$t1" -v b="$t2" 'BEGIN { printf "%.0f", n / (b - a) }')"
[ "$CLIENTS" = 1 ] || line="$line, pgbench cpu/txn $(cpu_us_per $((b2 - b1)) "$n") us ($CLIENTS clients)"
echo "$line"
