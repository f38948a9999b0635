#!/usr/bin/env bash
# Load benchmark of the Tenet API against a seeded PostgreSQL, with the
# database's own ceiling for the same request shape (pgbench) measured in
# the same run. Everything runs on this machine; load goes to 127.0.0.1 only
# and every load loop is bounded in time.
#
#   ./benches/run.sh                 full size: 200 tenants x 5,000 contacts
#   BENCH_QUICK=1 ./benches/run.sh   small and short, to check the script
#
# Environment (defaults in brackets; BENCH_QUICK=1 changes the first five):
#   BENCH_TENANTS [200]               tenants, each with an owner, membership, system roles
#   BENCH_CONTACTS_PER_TENANT [5000]  contacts per tenant
#   BENCH_COMPANIES_PER_TENANT [500]  companies per tenant
#   BENCH_DURATION [20]               seconds per measured scenario (wrk and pgbench)
#   BENCH_LOGINS [50]                 tenants whose owners sign in (tokens rotated by wrk)
#   BENCH_THREADS [2], BENCH_CONNECTIONS [32]   wrk -t / -c
#   BENCH_PGBENCH_CLIENTS [16]        pgbench -c (with -j 2 -M prepared)
#   BENCH_Q [ann]                     the q= substring of the search scenario
#   BENCH_PORT [18181]                port of `tenet serve`
#   BENCH_DB [tenet_bench]            database (dropped and re-created)
#   BENCH_DROP [0]                    1: drop the database at the end
#   BENCH_RUST_LOG [info]             RUST_LOG of the server (info logs every request, as in production)
#   BENCH_OUT [bench-results]         where summary.md and the raw logs go
#   BENCH_QUIET_WAIT [300]            seconds to wait for idle CPUs before each scenario
#
# Seeding: tenants and owners go through app.create_tenant_with_owner() as the
# owner role (audit triggers fire); the bulk companies/contacts are inserted
# set-based by the superuser tenet_admin with session_replication_role =
# replica (no per-row audit or FK triggers), see benches/seed_data.sql.
#
# Output: bench-results/ (gitignored): summary.md plus the raw logs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib.sh
require_rust

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  : "${BENCH_TENANTS:=10}" "${BENCH_CONTACTS_PER_TENANT:=1000}" "${BENCH_COMPANIES_PER_TENANT:=100}"
  : "${BENCH_DURATION:=5}" "${BENCH_LOGINS:=10}"
fi
TENANTS=${BENCH_TENANTS:-200}
CONTACTS_PER_TENANT=${BENCH_CONTACTS_PER_TENANT:-5000}
COMPANIES_PER_TENANT=${BENCH_COMPANIES_PER_TENANT:-500}
DURATION=${BENCH_DURATION:-20}
LOGINS=${BENCH_LOGINS:-50}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PGB_CLIENTS=${BENCH_PGBENCH_CLIENTS:-16}
Q=${BENCH_Q:-ann}
PORT=${BENCH_PORT:-18181}
DB=${BENCH_DB:-tenet_bench}
BENCH_PASSWORD='bench-Owner-pass-2026'
[ "$LOGINS" -le "$TENANTS" ] || LOGINS=$TENANTS
[ "$TENANTS" -ge 1 ] && [ "$TENANTS" -le 9999 ] || die "BENCH_TENANTS must be 1..9999"
[[ "$Q" =~ ^[A-Za-z0-9]+$ ]] || die "BENCH_Q must be alphanumeric"

OUT=${BENCH_OUT:-$ROOT/bench-results}
rm -rf "$OUT/pgbench" "$OUT/targets"
mkdir -p "$OUT/pgbench" "$OUT/targets"
BASE=http://127.0.0.1:$PORT

now() { date +%s.%N; }
# Percent of CPU idle over one second (from /proc/stat).
cpu_idle() {
  local a b
  a=$(awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat); sleep 1
  b=$(awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2]) }'
}
# The machine is shared: before each measured scenario wait (bounded) until
# the CPUs are mostly idle, and record what they were doing.
QUIET_WAIT=${BENCH_QUIET_WAIT:-300}
QUIET_NOTES=()
wait_quiet() { # scenario
  local idle waited=0
  idle=$(cpu_idle)
  while [ "$idle" -lt 85 ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
    [ "$waited" = 0 ] && log "CPU only ${idle}% idle before $1 (other processes): waiting up to ${QUIET_WAIT}s"
    sleep 4; waited=$((waited + 5)); idle=$(cpu_idle)
  done
  if [ "$waited" -gt 0 ]; then QUIET_NOTES+=("$1 ${idle}% after ${waited}s wait"); else QUIET_NOTES+=("$1 ${idle}%"); fi
}
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }

# --- tools -------------------------------------------------------------------
ensure_local_postgres
bootstrap_local_roles
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
command -v pgbench >/dev/null || missing+=(postgresql-contrib)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} with apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

OWNER_URL=$(local_url tenet_owner "$TENET_OWNER_PASSWORD_DB" "$DB")
WEB_URL=$(local_url tenet_web "$TENET_WEB_PASSWORD" "$DB")
ADMIN_URL=$(local_url tenet_admin "$TENET_ADMIN_PASSWORD" "$DB")
SERVER_PID=

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# --- build (one cargo at a time) ----------------------------------------------
waited=0
while pgrep -x cargo >/dev/null; do
  [ "$waited" = 0 ] && log "another cargo is running: waiting for it to finish"
  waited=$((waited + 5))
  [ "$waited" -lt 3600 ] || die "cargo still running after an hour"
  sleep 5
done
log "building tenet (release)"
cargo build --release --locked --quiet --bin tenet
TENET=$CARGO_TARGET_DIR/release/tenet
# What was built and migrated (sql/ and policies/ are compiled into the binary).
GIT_STATE="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock sql policies migrations 2>/dev/null || echo ' + uncommitted changes in src/sql/policies/migrations')"

# --- database -----------------------------------------------------------------
log "creating database $DB"
superuser_psql -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
superuser_psql -c "CREATE DATABASE $DB OWNER tenet_owner"
DATABASE_URL="$OWNER_URL" RUST_LOG=warn "$TENET" migrate
superuser_psql -c "GRANT tenet_api TO tenet_web"

# --- seed ---------------------------------------------------------------------
log "seeding $TENANTS tenants x $CONTACTS_PER_TENANT contacts, $COMPANIES_PER_TENANT companies each"
t_seed=$(now)
# Tenant 1 through the CLI; its bcrypt hash (cost 10) is reused for every owner.
DATABASE_URL="$OWNER_URL" TENET_OWNER_PASSWORD="$BENCH_PASSWORD" BCRYPT_COST=10 RUST_LOG=warn \
  "$TENET" admin create-tenant --tenant-name "Bench Tenant 0001" --email owner0001@bench.example --name "Owner 0001" >/dev/null
HASH=$(psql "$OWNER_URL" -Atqc "SELECT s.password_hash FROM app_private.user_secrets s JOIN users u ON u.id = s.user_id WHERE lower(u.email) = 'owner0001@bench.example'")
if [ "$TENANTS" -ge 2 ]; then
  psql "$OWNER_URL" -q -v ON_ERROR_STOP=1 -v tenants="$TENANTS" -v hash="$HASH" -f benches/seed_tenants.sql >"$OUT/seed_tenants.log"
fi
t_tenants=$(now)
psql "$ADMIN_URL" -q -v ON_ERROR_STOP=1 -v companies_per_tenant="$COMPANIES_PER_TENANT" \
  -v contacts_per_tenant="$CONTACTS_PER_TENANT" -f benches/seed_data.sql >"$OUT/seed_data.log"
t_seeded=$(now)
SEED_TENANTS_S=$(secs "$t_seed" "$t_tenants")
SEED_DATA_S=$(secs "$t_tenants" "$t_seeded")
SEED_TOTAL_S=$(secs "$t_seed" "$t_seeded")
COUNTS=$(psql "$ADMIN_URL" -Atqc "SELECT (SELECT count(*) FROM tenants) || ' tenants, ' || (SELECT count(*) FROM companies)
  || ' companies, ' || (SELECT count(*) FROM contacts) || ' contacts, ' || (SELECT count(*) FROM audit_log) || ' audit rows'")
SIZES=$(psql "$ADMIN_URL" -Atqc "SELECT 'contacts heap ' || pg_size_pretty(pg_relation_size('contacts')) || ', indexes '
  || pg_size_pretty(pg_indexes_size('contacts')) || ' (page_idx ' || pg_size_pretty(pg_relation_size('contacts_page_idx'))
  || '); database ' || pg_size_pretty(pg_database_size(current_database())) || '; shared_buffers ' || current_setting('shared_buffers')")
log "seeded in ${SEED_TOTAL_S}s (tenants ${SEED_TENANTS_S}s, data ${SEED_DATA_S}s): $COUNTS"

# --- server -------------------------------------------------------------------
if curl -s -o /dev/null "$BASE/api/health" 2>/dev/null; then die "port $PORT is already in use"; fi
log "starting tenet serve on 127.0.0.1:$PORT"
t_start=$(now)
DATABASE_URL="$WEB_URL" JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" BCRYPT_COST=10 \
  AUTH_RATE_LIMIT_PER_MINUTE=0 DB_POOL_SIZE=16 PORT="$PORT" ACCESS_TOKEN_TTL_SECONDS=3600 \
  RUST_LOG="${BENCH_RUST_LOG:-info}" "$TENET" serve >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/ready" || true)" = 200 ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$OUT/server.log" >&2; die "tenet serve exited"; }
  sleep 0.05
done
READY_S=$(secs "$t_start" "$(now)")
rss_mib() { awk -v kb="$(ps -o rss= -p "$SERVER_PID")" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# --- sign in, build the wrk target files ---------------------------------------------
log "signing in as $LOGINS tenant owners"
t_login=$(now)
for i in $(seq 1 "$LOGINS"); do
  n=$(printf '%04d' "$i")
  body=$(jq -nc --arg e "owner$n@bench.example" --arg p "$BENCH_PASSWORD" --arg t "bench-tenant-$n" \
    '{email: $e, password: $p, tenant: $t}')
  token=$(curl -sf -H 'Content-Type: application/json' -d "$body" "$BASE/api/auth/login" | jq -er .access_token) \
    || die "login failed for owner$n"
  cursor=$(curl -sf -H "Authorization: Bearer $token" "$BASE/api/contacts?limit=50" | jq -r '.next_cursor // empty')
  echo "/api/contacts?limit=50 $token" >>"$OUT/targets/list.txt"
  echo "/api/auth/me $token" >>"$OUT/targets/me.txt"
  echo "/api/contacts?limit=50&q=$Q $token" >>"$OUT/targets/search.txt"
  if [ -n "$cursor" ]; then echo "/api/contacts?limit=50&cursor=$cursor $token" >>"$OUT/targets/page2.txt"; fi
done
LOGIN_S=$(secs "$t_login" "$(now)")
RSS_IDLE=$(rss_mib)

# Each scenario answers 200 with what we expect before it is timed.
check() { # name path token jq-expression
  local got
  got=$(curl -sf -H "Authorization: Bearer $3" "$BASE$2" | jq -r "$4") || die "$1: request failed: $2"
  log "$1: $got"
}
read -r p tok <"$OUT/targets/list.txt"; check list "$p" "$tok" '"\(.items | length) items"'
read -r p tok <"$OUT/targets/me.txt"; check me "$p" "$tok" '"\(.permissions | length) permissions"'
read -r p tok <"$OUT/targets/search.txt"; check search "$p" "$tok" '"\(.items | length) items"'
if [ -s "$OUT/targets/page2.txt" ]; then
  read -r p tok <"$OUT/targets/page2.txt"; check page2 "$p" "$tok" '"\(.items | length) items"'
fi

# --- API load (wrk) -------------------------------------------------------------
declare -A RPS P50 P99 ERR
RSS_MAX=$RSS_IDLE
run_wrk() { # name targets-file seconds [record]
  local name=$1 file=$2 dur=$3 line
  [ "${4:-record}" = record ] && wait_quiet "$name"
  log "wrk $name: ${dur}s, -t$THREADS -c$CONNECTIONS"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${dur}s" --timeout 5s --latency -s benches/rotate.lua "$BASE" -- "$file" \
    >"$OUT/wrk-$name.txt" 2>&1 &
  local wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    sleep 1
    local r; r=$(rss_mib)
    RSS_MAX=$(awk -v a="$RSS_MAX" -v b="$r" 'BEGIN { print (b > a ? b : a) }')
  done
  wait "$wrk_pid" || die "wrk $name failed: $(cat "$OUT/wrk-$name.txt")"
  [ "${4:-record}" = record ] || return 0
  line=$(grep '^BENCH_RESULT' "$OUT/wrk-$name.txt") || die "wrk $name: no result"
  val() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$line"; }
  RPS[$name]=$(val rps)
  P50[$name]=$(ms "$(val p50_us)")
  P99[$name]=$(ms "$(val p99_us)")
  ERR[$name]=$(( $(val errors_connect) + $(val errors_read) + $(val errors_write) + $(val errors_status) + $(val errors_timeout) ))
}
run_wrk warmup "$OUT/targets/list.txt" 5 skip
run_wrk list "$OUT/targets/list.txt" "$DURATION"
run_wrk me "$OUT/targets/me.txt" "$DURATION"
run_wrk search "$OUT/targets/search.txt" "$DURATION"
if [ -s "$OUT/targets/page2.txt" ]; then run_wrk page2 "$OUT/targets/page2.txt" "$DURATION"; fi
RSS_AFTER=$(rss_mib)

# --- pgbench baseline: the same SQL a list request runs -----------------------------
log "pgbench baseline"
SELECT_SQL="SELECT id, first_name, last_name, email, phone, company_id, owner_id, created_at, updated_at FROM contacts"
# Sessions of their own for pgbench, one per tenant (at most 16 scripts), with
# a known secret: a request context is valid only with its session's secret
# (app.session_secret, stored as sha256), which the server derives and never
# stores, so pgbench cannot reuse the sessions the API opened.
PGB_SECRET=pgbench-session-secret
psql "$ADMIN_URL" -AtqF ' ' -c "INSERT INTO sessions (user_id, tenant_id, refresh_token_hash, secret_hash, expires_at)
  SELECT DISTINCT ON (m.tenant_id) m.user_id, m.tenant_id, sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
         sha256(convert_to('$PGB_SECRET', 'UTF8')), now() + interval '1 day'
    FROM memberships m JOIN tenants t ON t.id = m.tenant_id
   WHERE m.active AND t.slug LIKE 'bench-tenant-%'
   ORDER BY m.tenant_id, m.created_at
   LIMIT 16
  RETURNING tenant_id, user_id, id" | grep -E '^[0-9a-f-]{36} ' >"$OUT/pgbench/sessions.txt"
[ -s "$OUT/pgbench/sessions.txt" ] || die "no live session found for pgbench"
context_sql() { # tenant user session
  echo "SELECT set_config('role', 'tenet_api', true), set_config('app.tenant_id', '$1', true), set_config('app.user_id', '$2', true), set_config('app.session_id', '$3', true), set_config('app.session_secret', '$PGB_SECRET', true), set_config('app.request_id', 'pgbench', true), set_config('app.client_ip', '127.0.0.1', true), set_config('app.user_agent', 'pgbench', true);"
}
k=0
while read -r tenant user session; do
  k=$((k + 1))
  ctx=$(context_sql "$tenant" "$user" "$session")
  list="$SELECT_SQL WHERE tenant_id = '$tenant' ORDER BY created_at DESC, id DESC LIMIT 51;"
  # One round trip per statement.
  printf 'BEGIN;\n%s\nSELECT app.authorize();\n%s\nCOMMIT;\n' "$ctx" "$list" >"$OUT/pgbench/plain_$k.sql"
  # Everything in one pipeline (one round trip).
  printf '\\startpipeline\nBEGIN;\n%s\nSELECT app.authorize();\n%s\nCOMMIT;\n\\endpipeline\n' "$ctx" "$list" >"$OUT/pgbench/pipeline_$k.sql"
  # What the server does today: BEGIN+context+authorize pipelined, the query, then ROLLBACK (Scope::release).
  printf '\\startpipeline\nBEGIN;\n%s\nSELECT app.authorize();\n\\endpipeline\n%s\nROLLBACK;\n' "$ctx" "$list" >"$OUT/pgbench/appshape_$k.sql"
done <"$OUT/pgbench/sessions.txt"

declare -A TPS
run_pgbench() { # name
  local name=$1 args=() f
  for f in "$OUT/pgbench/${name}"_*.sql; do args+=(-f "$f"); done
  wait_quiet "pgbench-$name"
  log "pgbench $name: ${DURATION}s, -c $PGB_CLIENTS -j 2 -M prepared, ${#args[@]} scripts / 2"
  PGPASSWORD="$TENET_WEB_PASSWORD" pgbench -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U tenet_web -n \
    -c "$PGB_CLIENTS" -j 2 -M prepared -T "$DURATION" -l --log-prefix="$OUT/pgbench/log_$name" "${args[@]}" "$DB" \
    >"$OUT/pgbench-$name.txt" 2>&1 || die "pgbench $name failed: $(tail -n 5 "$OUT/pgbench-$name.txt")"
  TPS[$name]=$(sed -nE 's/^tps = ([0-9]+\.[0-9]).* \(without initial connection time\).*/\1/p' "$OUT/pgbench-$name.txt")
  # Transaction log: client_id tx_no latency_us script_no epoch epoch_us.
  local sorted=$OUT/pgbench/lat_$name
  cat "$OUT/pgbench/log_$name".* | awk '{ print $3 }' | sort -n >"$sorted"
  local n; n=$(wc -l <"$sorted")
  P50[$name]=$(ms "$(sed -n "$(( (n + 1) / 2 ))p" "$sorted")")
  P99[$name]=$(ms "$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$sorted")")
  ERR[$name]=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$OUT/pgbench-$name.txt")
  rm -f "$OUT/pgbench/log_$name".* "$sorted"
}
run_pgbench plain
run_pgbench pipeline
run_pgbench appshape

# --- plans ------------------------------------------------------------------------
log "EXPLAIN (ANALYZE, BUFFERS) as tenet_web / tenet_api"
read -r tenant user session <"$OUT/pgbench/sessions.txt"
cursor_row=$(psql "$ADMIN_URL" -AtqF ' ' -c "SELECT created_at, id FROM contacts WHERE tenant_id = '$tenant'
  ORDER BY created_at DESC, id DESC OFFSET 49 LIMIT 1")
c_at=${cursor_row% *}; c_id=${cursor_row##* }
PLANS=$(psql "$WEB_URL" -v ON_ERROR_STOP=1 -q -P pager=off 2>&1 <<SQL
BEGIN;
\o /dev/null
$(context_sql "$tenant" "$user" "$session")
\o
SELECT app.authorize() IS NOT NULL AS authorized;
\echo '### list: first page'
EXPLAIN (ANALYZE, BUFFERS) $SELECT_SQL WHERE tenant_id = '$tenant' ORDER BY created_at DESC, id DESC LIMIT 51;
\echo '### list: second page (cursor)'
EXPLAIN (ANALYZE, BUFFERS) $SELECT_SQL WHERE tenant_id = '$tenant' AND (created_at, id) < ('$c_at', '$c_id') ORDER BY created_at DESC, id DESC LIMIT 51;
\echo '### search q=$Q (custom plan, literal values)'
EXPLAIN (ANALYZE, BUFFERS) $SELECT_SQL WHERE tenant_id = '$tenant' AND (first_name ILIKE '%$Q%' OR last_name ILIKE '%$Q%' OR email ILIKE '%$Q%') ORDER BY created_at DESC, id DESC LIMIT 51;
\echo '### search q=$Q (generic plan, as a cached prepared statement may run it)'
PREPARE search(uuid, text, bigint) AS $SELECT_SQL WHERE tenant_id = \$1 AND (first_name ILIKE \$2 OR last_name ILIKE \$2 OR email ILIKE \$2) ORDER BY created_at DESC, id DESC LIMIT \$3;
SET LOCAL plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE search('$tenant', '%$Q%', 51);
ROLLBACK;
SQL
)
echo "$PLANS" >"$OUT/explain.txt"

# What the per-request authorization functions cost on their own: 200 fresh
# statements each (as every request runs them: SQL function bodies are
# planned per statement), as tenet_api with a live session's context.
FN_COST=$(psql "$WEB_URL" -v ON_ERROR_STOP=1 -qAt 2>&1 <<SQL | sed -nE 's/^NOTICE: +//p'
BEGIN;
$(context_sql "$tenant" "$user" "$session")
DO \$\$
DECLARE
  f text;
  t0 timestamptz;
  x text;
BEGIN
  FOREACH f IN ARRAY ARRAY['1', 'app.current_tenant_id()', 'app.has_permission(''contacts:read'')',
                           'app.current_permissions()', 'app.authorize()'] LOOP
    t0 := clock_timestamp();
    FOR i IN 1..200 LOOP
      EXECUTE 'SELECT ' || f || '::text' INTO x;
    END LOOP;
    RAISE NOTICE 'SELECT %: % us', f, round(extract(epoch FROM clock_timestamp() - t0) * 1e6 / 200);
  END LOOP;
END
\$\$;
ROLLBACK;
SQL
)

# --- summary ------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row_api() { # name label
  [ -n "${RPS[$1]:-}" ] || return 0
  echo "| $2 | ${RPS[$1]} | ${P50[$1]} | ${P99[$1]} | ${ERR[$1]} | $(ratio "${RPS[$1]}" "${TPS[plain]}") | $(ratio "${RPS[$1]}" "${TPS[pipeline]}") |"
}
row_pgb() { echo "| $2 | ${TPS[$1]} | ${P50[$1]} | ${P99[$1]} | ${ERR[$1]:-0} | $(ratio "${TPS[$1]}" "${TPS[plain]}") | $(ratio "${TPS[$1]}" "${TPS[pipeline]}") |"; }
{
  echo "# Tenet benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(psql "$ADMIN_URL" -Atqc 'SHOW server_version' | cut -d' ' -f1); built from git $GIT_STATE."
  echo "Data: $COUNTS. $SIZES."
  echo "Seed: ${SEED_TOTAL_S}s (tenants through app.create_tenant_with_owner ${SEED_TENANTS_S}s; companies + contacts as superuser with triggers off, index rebuild, ANALYZE ${SEED_DATA_S}s)."
  echo "Server: start to first /api/ready 200 ${READY_S}s; $LOGINS logins (bcrypt cost 10, sequential) ${LOGIN_S}s; RSS idle $RSS_IDLE MiB, max under load $RSS_MAX MiB, after load $RSS_AFTER MiB."
  echo "Load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on 127.0.0.1, tokens of $LOGINS tenants rotated; pgbench -c $PGB_CLIENTS -j 2 -M prepared -T $DURATION as tenet_web, $(wc -l <"$OUT/pgbench/sessions.txt") sessions/tenants. Load generator, server and PostgreSQL share the cores."
  echo "CPU idle just before each scenario: $(IFS=,; echo "${QUIET_NOTES[*]}" | sed 's/,/, /g')."
  echo
  echo "| scenario | req/s or tps | p50 | p99 | errors | / pgbench 1 RT per stmt | / pgbench pipelined |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  row_api list "API GET /api/contacts?limit=50"
  row_api page2 "API GET /api/contacts?limit=50&cursor= (2nd page)"
  row_api search "API GET /api/contacts?limit=50&q=$Q"
  row_api me "API GET /api/auth/me"
  row_pgb plain "pgbench list, one round trip per statement"
  row_pgb appshape "pgbench list, app's shape (pipelined BEGIN+context+authorize; query; ROLLBACK)"
  row_pgb pipeline "pgbench list, all statements in one pipeline"
  echo
  echo "Database time per statement of the authorization functions (warm, 200 statements each): $(echo "$FN_COST" | paste -sd ';' | sed 's/;/; /g')."
  echo
  echo "## Plans (tenant $tenant, as tenet_web with role tenet_api and a live session)"
  echo
  echo '```'
  echo "$PLANS"
  echo '```'
} >"$OUT/summary.md"
cat "$OUT/summary.md"

# --- stop -----------------------------------------------------------------------------
cleanup
SERVER_PID=
if [ "${BENCH_DROP:-0}" = 1 ]; then
  log "dropping database $DB"
  superuser_psql -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
else
  log "database $DB kept (BENCH_DROP=1 drops it); results in bench-results/summary.md"
fi
