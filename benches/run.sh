#!/usr/bin/env bash
# Load benchmark of the Tenet API against a seeded PostgreSQL, with the
# database's own figures for the same statements (pgbench) measured in the
# same run. Everything runs on this machine; load goes to 127.0.0.1 only and
# every load loop is bounded in time.
#
#   ./benches/run.sh                        full size: 200 tenants x 5,000 contacts
#   BENCH_QUICK=1 BENCH_QUIET_WAIT=5 ./benches/run.sh
#                                           small and short (about 2 to 3 minutes after
#                                           the build), to check the script
#   BENCH_SCALE=10000000 ./benches/run.sh   10 million contacts (50,000 per tenant)
#   ./benches/run.sh --scale 10000000       the same; the flags stand for the variables below:
#                      --quick (BENCH_QUICK=1), --scale N (BENCH_SCALE), --duration S
#                      (BENCH_DURATION), --postgraphile / --no-postgraphile (BENCH_POSTGRAPHILE),
#                      --binary PATH (BENCH_BINARY), --help
#   BENCH_QUICK=1 BENCH_BINARY=$CARGO_TARGET_DIR/debug/tenet ./benches/run.sh
#                                           no build: an existing binary (debug is slow,
#                                           its figures only check the script)
#
# Before it is timed, every scenario's first request is sent once with curl
# and its answer checked (refresh: rotation, and reuse detection answering 401,
# on a session of its own). Exit status: 0 only if every scenario below ran and none had an error
# (wrk: connect/read/write errors, timeouts, non-2xx answers, for refresh any
# non-200; pgbench: a failed or aborted client). The summary is written
# either way. No speed is ever asserted: targets are printed, not checked.
#
# Scenarios. API, with wrk (req/s, p50, p99, errors), tokens of BENCH_LOGINS
# tenant owners rotated, -t BENCH_THREADS -c BENCH_CONNECTIONS:
#   list        GET /api/contacts?limit=50
#   page2       GET /api/contacts?limit=50&cursor=... (the second page)
#   list_scale  GET /api/contacts?limit=50&cursor=... with the cursor in the middle
#               of the tenant's contacts: the list page at this scale (BENCH_SCALE)
#   get         GET /api/contacts/{id}, 20 ids of each signed-in tenant, rotated
#   search      GET /api/contacts?limit=50&q=BENCH_Q
#   create      POST /api/contacts {"first_name":"Bench","last_name":"Writer","email":"w<seq>@bench.example"}
#               (audit trigger and hash chain on: the real write path)
#   update      PATCH /api/contacts/{id} {"last_name":"Changed<seq>"} (every request changes the row)
#   mixed       80 % reads (list, get) and 20 % writes (create, update) in one run
#   me          GET /api/auth/me
#   refresh     POST /api/auth/refresh {"refresh_token":...}: rotating single-use tokens,
#               each wrk connection continues a session's chain (benches/refresh.lua);
#               BENCH_REFRESH_SESSIONS sessions are signed in for it
#   login       POST /api/auth/login (bcrypt cost 10 per request, rate limit off); reported
#               against the bcrypt ceiling = cores / time of one cost-10 hash (measured in
#               this run, see "bcrypt ceiling" below)
#   me_during_login / login_during_me   two wrk processes at once: a login flood and me
#   postgraphile PostGraphile v4 (benches/postgraphile, npm) on the same database and
#               schema, as the same login role, with the same RLS per request: each request's
#               Tenet access token verified and its context set (role tenet_api, app.tenant_id,
#               app.user_id, app.session_id, app.session_secret); the first 50 rows of
#               contacts_visible in the list's order, the same fields as the list.
#               Target: list >= 10 x this. Skipped when BENCH_POSTGRAPHILE=0 (the quick
#               mode's default); needs Node.js and npm (installed with apt when missing)
# PostgreSQL, with pgbench -M prepared as the login role (BENCH_WEB_ROLE), role tenet_api and a live
# session's context (the statements of src/api/contacts.rs and src/db/scope.rs):
#   pg_list_plain      BEGIN; context; SELECT app.authorize(); the page of 51; COMMIT (one round trip each)
#   pg_list_appshape   the app's shape for lists: BEGIN, context, the page, ROLLBACK in one pipeline (no
#                      authorize(): rows prove the context, see Database::authenticated_read_via_policy)
#   pg_list_pipeline   all of pg_list_plain (ending in COMMIT) in one pipeline
#   pg_list_minimal    the minimal policy shape: the same page from bench.contacts_minimal, a copy
#                      of contacts whose only policy is tenant_id = current_setting('app.tenant_id')::uuid
#                      (ENABLE + FORCE RLS, read by tenet_api, not the owner; no authorize()):
#                      BEGIN; set_config; the page; COMMIT (one round trip each). Target: list >= 0.8 x this
#   pg_get             pipeline(BEGIN, context, SELECT ... WHERE id = ..., ROLLBACK)
#   pg_create          the app's shape for a create: pipeline(BEGIN, context, authorize,
#                      INSERT INTO contacts ... RETURNING id); pipeline(the read-back, COMMIT)
#   pg_create_notrigger the same into bench.contacts_notrigger: a copy of contacts (data, indexes,
#                      checks, FKs, RLS policies, grants, its other triggers) without the audit
#                      trigger. Target: pg_create >= 0.7 x this
#   pg_update          pipeline(BEGIN, context, authorize, UPDATE contacts ... RETURNING id); the read-back; COMMIT
#   pg_me              pipeline(BEGIN, context, SELECT ... FROM app.me(), ROLLBACK): the me request
#   pg_login           a login's SQL without its bcrypt: BEGIN, the anonymous context,
#                      app.begin_login(...), COMMIT; then pipeline(BEGIN, context,
#                      app.finish_login(the attempt, the stored hash as the computed one, a new
#                      session), COMMIT). The server pipelines the first transaction too; pgbench
#                      cannot carry the attempt's id out of a pipeline (\gset), so it takes 2 more
#                      round trips. login's bound = cores / (one hash + cores / pg_login tps)
#   (these shapes are written out by hand after src/db/scope.rs at commit 10550b0:
#   Database::authenticated_read for reads, authenticated_query_requiring + commit for writes;
#   a create's read-back and COMMIT pipelined since Scope::query_opt_then_commit)
#
# Environment (defaults in brackets; BENCH_QUICK=1 changes those marked *):
#   BENCH_QUICK [0]                   1: small data, short runs (the defaults after the *)
#   BENCH_TENANTS [200 *10]           tenants, each with an owner, membership, system roles (1..9999)
#   BENCH_CONTACTS_PER_TENANT [5000 *1000]  contacts per tenant
#   BENCH_SCALE [unset]               total contacts (1..10,000,000): sets contacts per tenant to
#                                     ceil(BENCH_SCALE / BENCH_TENANTS), overriding the line above.
#                                     The seed is set-based and int-safe at that size; expect the seed,
#                                     the index builds and the two baseline copies of contacts to take
#                                     a long while and several GB of disk at 10,000,000 (not timed here)
#   BENCH_COMPANIES_PER_TENANT [500 *100]   companies per tenant
#   BENCH_DURATION [20 *4]            seconds per measured scenario (wrk and pgbench)
#   BENCH_WARMUP [5 *2]               seconds of unrecorded list load before the first scenario
#   BENCH_LOGINS [50 *10]             tenants whose owners sign in (their tokens are rotated by wrk)
#   BENCH_THREADS [2], BENCH_CONNECTIONS [32]   wrk -t / -c (every wrk run, each of the two at once)
#   BENCH_REFRESH_SESSIONS [T x (C/T + max(4, C/T/2))]  sessions for the refresh scenario, so each
#                                     wrk thread holds more tokens than connections
#   BENCH_PGBENCH_CLIENTS [16]        pgbench -c (with -j 2 -M prepared)
#   BENCH_Q [ann]                     the q= substring of the search scenario
#   BENCH_BCRYPT_SAMPLES [20 *5]      cost-10 hashes timed for the bcrypt ceiling
#   BENCH_WEB_ROLE [tenet_web if it inherits tenet_api, else tenet_bench_web]  login role of
#                                     `tenet serve` and pgbench (see "login role" below)
#   BENCH_PORT [18181]                port of `tenet serve` (PostGraphile: the next one)
#   BENCH_POSTGRAPHILE [1 *0]         1: measure PostGraphile side by side (see postgraphile above)
#   BENCH_DB [tenet_bench]            database (dropped and re-created)
#   BENCH_DROP [0]                    1: drop the database at the end
#   BENCH_RUST_LOG [info]             RUST_LOG of the server (info logs every request, as in production)
#   BENCH_OUT [bench-results]         where summary.md, summary.json and the raw logs go
#   BENCH_QUIET_WAIT [300]            seconds to wait for idle CPUs before each scenario
#   BENCH_BINARY [unset]              path of an already built `tenet`: used as is, no cargo build
#                                     (else benches/build.sh builds the release binary, waiting
#                                     while another cargo runs)
#   CARGO_TARGET_DIR [~/.cache/tenet-target]
#
# Seeding: tenants and owners go through app.create_tenant_with_owner() as the
# owner role (audit triggers fire); the bulk companies/contacts are inserted
# set-based by the superuser tenet_admin with session_replication_role =
# replica (no per-row audit or FK triggers), see benches/seed_data.sql. The
# copies for the baselines (schema bench) are made by benches/bench_tables.sql.
#
# bcrypt ceiling: the time of one bcrypt hash at cost 10 of a 44-character
# password (the server hashes base64(sha256(password))), the fastest of
# BENCH_BCRYPT_SAMPLES hashes timed one by one on an idle machine (the
# fastest is the one least disturbed by other processes). Timed with
# python3's bcrypt module (pyca/bcrypt wraps the same Rust `bcrypt` crate as
# the server; installed from PyPI into a venv of ~/.cache when python3 lacks
# it), else with pgcrypto's crypt(.., gen_salt('bf', 10)) inside PostgreSQL (a
# C implementation of the same algorithm, installed in schema bench of the
# bench database; on the 2-core machine of 2026-11-29 it took 42 ms against
# 50 ms for the crate, so that ceiling is about 19 % high). Ceiling = cores / that time: the logins per second the CPUs could
# do if they did nothing but bcrypt.
#
# Login role: a NOINHERIT login role cannot prepare statements outside a
# request transaction, which both the server and pgbench do; see WEB_ROLE below.
#
# Output: bench-results/ (gitignored): summary.md, summary.json, raw logs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib.sh

# Flags: each sets the variable it stands for (a flag wins over the
# environment); anything else stops the run before it seeds or builds.
usage() { sed -n '2,/^set -euo pipefail$/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) BENCH_QUICK=1 ;;
    --scale|--duration|--binary)
      [ $# -ge 2 ] || die "$1 needs a value (benches/run.sh --help)"
      case "$1" in --scale) BENCH_SCALE=$2 ;; --duration) BENCH_DURATION=$2 ;; --binary) BENCH_BINARY=$2 ;; esac
      shift ;;
    --postgraphile) BENCH_POSTGRAPHILE=1 ;;
    --no-postgraphile) BENCH_POSTGRAPHILE=0 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (benches/run.sh --help)" ;;
  esac
  shift
done

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
  : "${BENCH_TENANTS:=10}" "${BENCH_CONTACTS_PER_TENANT:=1000}" "${BENCH_COMPANIES_PER_TENANT:=100}"
  : "${BENCH_DURATION:=4}" "${BENCH_LOGINS:=10}" "${BENCH_WARMUP:=2}" "${BENCH_BCRYPT_SAMPLES:=5}"
fi
TENANTS=${BENCH_TENANTS:-200}
CONTACTS_PER_TENANT=${BENCH_CONTACTS_PER_TENANT:-5000}
COMPANIES_PER_TENANT=${BENCH_COMPANIES_PER_TENANT:-500}
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-5}
LOGINS=${BENCH_LOGINS:-50}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PGB_CLIENTS=${BENCH_PGBENCH_CLIENTS:-16}
BCRYPT_SAMPLES=${BENCH_BCRYPT_SAMPLES:-20}
Q=${BENCH_Q:-ann}
PORT=${BENCH_PORT:-18181}
DB=${BENCH_DB:-tenet_bench}
BENCH_PASSWORD=$BENCH_OWNER_PASSWORD
[ "$TENANTS" -ge 1 ] && [ "$TENANTS" -le 9999 ] || die "BENCH_TENANTS must be 1..9999"
[ "$LOGINS" -le "$TENANTS" ] || LOGINS=$TENANTS
if [ -n "${BENCH_SCALE:-}" ]; then
  [[ "$BENCH_SCALE" =~ ^[0-9]+$ ]] && [ "$BENCH_SCALE" -ge 1 ] && [ "$BENCH_SCALE" -le 10000000 ] \
    || die "BENCH_SCALE must be 1..10000000 (total contacts)"
  CONTACTS_PER_TENANT=$(( (BENCH_SCALE + TENANTS - 1) / TENANTS ))
fi
[ "$CONTACTS_PER_TENANT" -ge 1 ] && [ "$COMPANIES_PER_TENANT" -ge 1 ] || die "contacts and companies per tenant must be >= 1"
[ "$THREADS" -ge 1 ] && [ "$CONNECTIONS" -ge "$THREADS" ] || die "BENCH_CONNECTIONS must be >= BENCH_THREADS >= 1"
PER_THREAD=$(( CONNECTIONS / THREADS ))
SPARE=$(( PER_THREAD / 2 > 4 ? PER_THREAD / 2 : 4 ))
REFRESH_SESSIONS=${BENCH_REFRESH_SESSIONS:-$(( THREADS * (PER_THREAD + SPARE) ))}
[[ "$Q" =~ ^[A-Za-z0-9]+$ ]] || die "BENCH_Q must be alphanumeric"

OUT=${BENCH_OUT:-$ROOT/bench-results}
rm -rf "$OUT/pgbench" "$OUT/targets"
rm -f "$OUT"/wrk-*.txt "$OUT"/pgbench-*.txt "$OUT/summary.md" "$OUT/summary.json"
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
us_to_ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

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
# The login role of the server and of pgbench. A NOINHERIT role (what
# scripts/lib.sh creates as tenet_web) has no privileges of its own outside a
# request transaction. The server copes (it prepares every statement that
# names schema app inside the transaction, after the role switch), but
# pgbench -M prepared prepares a pipeline's statements at \startpipeline,
# before the role switch: "permission denied for schema app".
# So unless BENCH_WEB_ROLE says otherwise, tenet_web is used only when it
# inherits tenet_api, else tenet_bench_web, created here if missing: LOGIN
# INHERIT, granted only tenet_api (the server accepts it), password
# TENET_WEB_PASSWORD. The privileges inside a request are tenet_api's either way.
WEB_ROLE=${BENCH_WEB_ROLE:-}
if [ -z "$WEB_ROLE" ]; then
  if [ "$(superuser_psql -c "SELECT rolinherit FROM pg_roles WHERE rolname = 'tenet_web'")" = t ]; then
    WEB_ROLE=tenet_web
  else
    WEB_ROLE=tenet_bench_web
  fi
fi
[[ "$WEB_ROLE" =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_WEB_ROLE must be a plain lower-case role name"
if [ "$WEB_ROLE" != tenet_web ]; then
  superuser_psql -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$WEB_ROLE') THEN
      CREATE ROLE $WEB_ROLE LOGIN INHERIT PASSWORD '$TENET_WEB_PASSWORD';
    END IF; END \$\$"
fi
WEB_URL=$(local_url "$WEB_ROLE" "$TENET_WEB_PASSWORD" "$DB")
ADMIN_URL=$(local_url tenet_admin "$TENET_ADMIN_PASSWORD" "$DB")
SERVER_PID=

GRAPHILE_PID=
cleanup() {
  local p
  for p in "$SERVER_PID" "$GRAPHILE_PID"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT

# --- binary -------------------------------------------------------------------
# sql/ and policies/ are compiled into the binary: note what it was built from.
GIT_STATE="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock sql policies migrations 2>/dev/null || echo ' + uncommitted changes in src/sql/policies/migrations')"
if [ -n "${BENCH_BINARY:-}" ]; then
  [ -x "$BENCH_BINARY" ] || die "BENCH_BINARY is not an executable file: $BENCH_BINARY"
  TENET=$(realpath "$BENCH_BINARY")
  BUILD_NOTE="binary $TENET (BENCH_BINARY, not built by this run; modified $(date -u -r "$TENET" '+%Y-%m-%d %H:%M UTC')); working tree at git $GIT_STATE"
  log "using $TENET (no build)"
else
  require_rust
  TENET=$(benches/build.sh)
  BUILD_NOTE="release build of git $GIT_STATE"
fi

# --- database -----------------------------------------------------------------
log "creating database $DB"
superuser_psql -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
superuser_psql -c "CREATE DATABASE $DB OWNER tenet_owner"
DATABASE_URL="$OWNER_URL" RUST_LOG=warn "$TENET" migrate
superuser_psql -c "GRANT tenet_api TO $WEB_ROLE"

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

# The baselines' copies of contacts (schema bench), before the server starts.
log "copying contacts for the baselines (bench.contacts_minimal, bench.contacts_notrigger)"
psql "$ADMIN_URL" -q -v ON_ERROR_STOP=1 -f benches/bench_tables.sql >"$OUT/bench_tables.log"
COPIES_S=$(secs "$t_seeded" "$(now)")

read -r N_TENANTS N_COMPANIES N_CONTACTS N_AUDIT < <(psql "$ADMIN_URL" -AtqF ' ' -c "SELECT (SELECT count(*) FROM tenants),
  (SELECT count(*) FROM companies), (SELECT count(*) FROM contacts), (SELECT count(*) FROM audit_log)")
COUNTS="$N_TENANTS tenants, $N_COMPANIES companies, $N_CONTACTS contacts ($CONTACTS_PER_TENANT per tenant), $N_AUDIT audit rows"
SIZES=$(psql "$ADMIN_URL" -Atqc "SELECT 'contacts heap ' || pg_size_pretty(pg_relation_size('contacts')) || ', indexes '
  || pg_size_pretty(pg_indexes_size('contacts')) || ' (page_idx ' || pg_size_pretty(pg_relation_size('contacts_page_idx'))
  || '); database ' || pg_size_pretty(pg_database_size(current_database())) || '; shared_buffers ' || current_setting('shared_buffers')")
log "seeded in ${SEED_TOTAL_S}s (tenants ${SEED_TENANTS_S}s, data ${SEED_DATA_S}s), copies ${COPIES_S}s: $COUNTS"

# --- server -------------------------------------------------------------------
if curl -s -o /dev/null "$BASE/api/health" 2>/dev/null; then die "port $PORT is already in use"; fi
log "starting tenet serve on 127.0.0.1:$PORT"
t_start=$(now)
# The request transaction timeouts are given explicitly (their defaults) so
# that the pgbench context below sets exactly the same values.
JWT=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
DATABASE_URL="$WEB_URL" JWT_SECRET="$JWT" BCRYPT_COST=10 \
  AUTH_RATE_LIMIT_PER_MINUTE=0 PORT="$PORT" ACCESS_TOKEN_TTL_SECONDS=3600 \
  DB_STATEMENT_TIMEOUT_MS=10000 DB_IDLE_IN_TRANSACTION_TIMEOUT_MS=5000 \
  RUST_LOG="${BENCH_RUST_LOG:-info}" "$TENET" serve >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 1 3000); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/ready" || true)" = 200 ]; then ready=1; break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$OUT/server.log" >&2; die "tenet serve exited"; }
  sleep 0.01
done
[ "$ready" = 1 ] || die "tenet serve not ready after 30s"
# Polled every 10 ms (plus a curl start each time): the figure is an upper bound.
READY_S=$(awk -v a="$t_start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
READY_MS=$(awk -v s="$READY_S" 'BEGIN { printf "%.0f", s * 1000 }')
rss_mib() { awk -v kb="$(ps -o rss= -p "$SERVER_PID")" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# --- sign in, build the wrk target files ---------------------------------------------
owner_n() { printf '%04d' "$1"; }
login() { # n -> "<access token> <refresh token>"
  curl -sf -H 'Content-Type: application/json' -d "$(bench_login_body "$1")" "$BASE/api/auth/login" \
    | jq -er '"\(.access_token) \(.refresh_token)"' \
    || die "login failed for owner$(owner_n "$1") (see $OUT/server.log and the PostgreSQL log)"
}

log "signing in as $LOGINS tenant owners"
t_login=$(now)
declare -A TOKEN
for i in $(seq 1 "$LOGINS"); do
  pair=$(login "$i")
  TOKEN[$i]=${pair% *}
done
LOGIN_S=$(secs "$t_login" "$(now)")
SEQ_LOGIN_MS=$(awk -v s="$LOGIN_S" -v n="$LOGINS" 'BEGIN { printf "%.0f", 1000 * s / n }')

# Per signed-in tenant: 20 contact ids spread over its newest 2,000, the
# cursor of its second page, and a cursor in the middle of its contacts
# (the list page at this scale). Cursor = base64url("<created_at µs>|<id>"),
# as src/api/pagination.rs encodes it.
psql "$ADMIN_URL" -AtqF ' ' -v ON_ERROR_STOP=1 >"$OUT/targets/rows.txt" <<SQL
WITH t AS (
  SELECT id, right(slug, 4)::int AS n FROM tenants
   WHERE slug ~ '^bench-tenant-[0-9]{4}$' AND right(slug, 4)::int <= $LOGINS
), cursor_of AS (
  SELECT t.n, k.kind,
         translate(rtrim(replace(encode(convert_to((extract(epoch FROM c.created_at) * 1000000)::bigint || '|' || c.id, 'UTF8'),
                                        'base64'), E'\n', ''), '='), '+/', '-_') AS cursor
    FROM t
   CROSS JOIN (VALUES ('page2', 49), ('deep', greatest($CONTACTS_PER_TENANT / 2 - 1, 0))) k(kind, off)
   CROSS JOIN LATERAL (SELECT created_at, id FROM contacts WHERE tenant_id = t.id
                        ORDER BY created_at DESC, id DESC OFFSET k.off LIMIT 1) c
)
SELECT n, 'id', id::text FROM (
  SELECT t.n, c.id, row_number() OVER (PARTITION BY t.n ORDER BY c.created_at DESC, c.id DESC) AS rn
    FROM t CROSS JOIN LATERAL (SELECT id, created_at FROM contacts WHERE tenant_id = t.id
                                ORDER BY created_at DESC, id DESC LIMIT 2000) c
) s WHERE (rn - 1) % greatest(least($CONTACTS_PER_TENANT, 2000) / 20, 1) = 0 AND rn <= 2000
UNION ALL
SELECT n, kind, cursor FROM cursor_of
ORDER BY 1, 2;
SQL
T=$OUT/targets
for i in $(seq 1 "$LOGINS"); do
  tok=${TOKEN[$i]}
  mapfile -t ids < <(awk -v n="$i" '$1 == n && $2 == "id" { print $3 }' "$T/rows.txt" | head -n 20)
  page2=$(awk -v n="$i" '$1 == n && $2 == "page2" { print $3 }' "$T/rows.txt")
  deep=$(awk -v n="$i" '$1 == n && $2 == "deep" { print $3 }' "$T/rows.txt")
  [ "${#ids[@]}" -ge 1 ] || die "no contacts found for tenant $i"
  echo "/api/contacts?limit=50 $tok" >>"$T/list.txt"
  echo "/api/auth/me $tok" >>"$T/me.txt"
  echo "/api/contacts?limit=50&q=$Q $tok" >>"$T/search.txt"
  # The cursors of pages that exist: 50 rows for page 2, the middle of the tenant's contacts.
  if [ -n "$page2" ] && [ "$CONTACTS_PER_TENANT" -gt 50 ]; then echo "/api/contacts?limit=50&cursor=$page2 $tok" >>"$T/page2.txt"; fi
  if [ -n "$deep" ] && [ "$CONTACTS_PER_TENANT" -gt 100 ]; then echo "/api/contacts?limit=50&cursor=$deep $tok" >>"$T/list_scale.txt"; fi
  for id in "${ids[@]}"; do
    echo "GET /api/contacts/$id $tok" >>"$T/get.txt"
    echo "PATCH /api/contacts/$id $tok {\"last_name\":\"Changed{seq}\"}" >>"$T/update.txt"
  done
  echo "POST /api/contacts $tok {\"first_name\":\"Bench\",\"last_name\":\"Writer\",\"email\":\"w{seq}@bench.example\"}" >>"$T/create.txt"
  echo "POST /api/auth/login - $(bench_login_body "$i")" >>"$T/login.txt"
  # 80/20 in every block of ten: 4 list, 4 get, 1 create, 1 update.
  for k in 0 1 2 3; do
    echo "GET /api/contacts?limit=50 $tok" >>"$T/mixed.txt"
    echo "GET /api/contacts/${ids[$(( k % ${#ids[@]} ))]} $tok" >>"$T/mixed.txt"
    [ "$k" = 1 ] && echo "POST /api/contacts $tok {\"first_name\":\"Bench\",\"last_name\":\"Mixed\",\"email\":\"m{seq}@bench.example\"}" >>"$T/mixed.txt"
    [ "$k" = 3 ] && echo "PATCH /api/contacts/${ids[$(( (k + 4) % ${#ids[@]} ))]} $tok {\"last_name\":\"Mixed{seq}\"}" >>"$T/mixed.txt"
  done
done

# Sessions of their own for the refresh scenario (their refresh tokens are
# rotated by wrk, so they must not be shared with any other scenario),
# two logins at a time, owners round-robin.
log "signing in $REFRESH_SESSIONS sessions for the refresh scenario"
mkdir -p "$T/refresh.d"
k=0
while [ "$k" -lt "$REFRESH_SESSIONS" ]; do
  pids=()
  for _ in 1 2; do
    [ "$k" -lt "$REFRESH_SESSIONS" ] || break
    k=$((k + 1))
    ( login $(( (k - 1) % LOGINS + 1 )) | cut -d' ' -f2 >"$T/refresh.d/$k" ) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || die "a login for the refresh scenario failed"; done
done
for k in $(seq 1 "$REFRESH_SESSIONS"); do cat "$T/refresh.d/$k"; done >"$T/refresh.txt"
rm -rf "$T/refresh.d"
RSS_IDLE=$(rss_mib)

# Each scenario answers what we expect before it is timed.
check() { # name method path token body jq-expression
  local got body=${5//\{seq\}/check} args=(-sf -X "$2" -H 'Accept: application/json')
  [ "$4" = - ] || args+=(-H "Authorization: Bearer $4")
  [ -z "$body" ] || args+=(-H 'Content-Type: application/json' -d "$body")
  got=$(curl "${args[@]}" "$BASE$3" | jq -er "$6") || die "$1: $2 $3 failed or answered something else"
  log "check $1: $got"
}
first_line() { # targets file -> method path token body
  local line f; line=$(head -n 1 "$1")
  read -ra f <<<"$line"
  if [ "${#f[@]}" = 2 ]; then echo "GET ${f[0]} ${f[1]} -"; else echo "$line"; fi
}
check_file() { # name jq-expression
  local m p tok body
  read -r m p tok body < <(first_line "$T/$1.txt")
  check "$1" "$m" "$p" "$tok" "$([ "$body" = - ] || echo "$body")" "$2"
}
check_file list '"\(.items | length) items" | select(startswith("50 "))'
[ ! -s "$T/page2.txt" ] || check_file page2 '"\(.items | length) items"'
[ ! -s "$T/list_scale.txt" ] || check_file list_scale '"\(.items | length) items" | select(startswith("50 "))'
check_file get '.id'
check_file search '"\(.items | length) items"'
check_file create '"created \(.id)"'
check_file update '"\(.id): last_name \(.last_name)" | select(endswith("Changedcheck"))'
check_file me '"\(.permissions | length) permissions"'
check_file login '.access_token | "token of \(length) characters"'
# Refresh: rotation and reuse detection on a session of its own.
pair=$(login 1)
r0=${pair#* }
r1=$(curl -sf -H 'Content-Type: application/json' -d "{\"refresh_token\":\"$r0\"}" "$BASE/api/auth/refresh" | jq -er .refresh_token) \
  || die "refresh: a fresh refresh token was refused"
[ "$r1" != "$r0" ] || die "refresh: the token did not rotate"
reuse=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "{\"refresh_token\":\"$r0\"}" "$BASE/api/auth/refresh")
after=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "{\"refresh_token\":\"$r1\"}" "$BASE/api/auth/refresh")
[ "$reuse" = 401 ] && [ "$after" = 401 ] || die "refresh: reuse of a rotated token answered $reuse, then its successor $after (expected 401, 401)"
log "check refresh: rotates; replaying the old token answers 401 and revokes the session"

# --- API load (wrk) -------------------------------------------------------------
# Figures per scenario id: RPS (req/s or tps), P50/P99 (ms), ERR (count),
# FAILED (why it has no figures).
declare -A RPS P50 P99 ERR FAILED EXTRA NA
RSS_MAX=$RSS_IDLE
start_wrk() { # name lua connections seconds args... (background; sets WRK_PID)
  local name=$1 lua=$2 conns=$3 dur=$4; shift 4
  # Logins queue behind bcrypt (cores / 80 ms each): with 32 connections a
  # login waits seconds by design, which is a latency to report, not an error.
  local timeout=5s
  case $name in login*) timeout=30s ;; esac
  log "wrk $name: ${dur}s, -t$THREADS -c$conns, timeout $timeout"
  wrk -t"$THREADS" -c"$conns" -d"${dur}s" --timeout "$timeout" --latency -s "$lua" "${WRK_BASE:-$BASE}" -- "$@" >"$OUT/wrk-$name.txt" 2>&1 &
  WRK_PID=$!
}
watch_rss() { # pids...: sample the server's RSS every second while any runs
  local p alive=1 r
  while [ "$alive" = 1 ]; do
    sleep 1; alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    r=$(rss_mib)
    RSS_MAX=$(awk -v a="$RSS_MAX" -v b="$r" 'BEGIN { print (b > a ? b : a) }')
  done
}
record_wrk() { # name exit-status
  local name=$1 line
  if [ "$2" != 0 ]; then FAILED[$name]="wrk exited with $2: $(tail -n 2 "$OUT/wrk-$name.txt" | tr '\n' ' ')"; return 0; fi
  line=$(grep '^BENCH_RESULT' "$OUT/wrk-$name.txt") || { FAILED[$name]="no result in wrk-$name.txt"; return 0; }
  val() { wrk_field "$line" "$1"; }
  RPS[$name]=$(val rps)
  P50[$name]=$(us_to_ms "$(val p50_us)")
  P99[$name]=$(us_to_ms "$(val p99_us)")
  ERR[$name]=$(( $(val errors_connect) + $(val errors_read) + $(val errors_write) + $(val errors_status) + $(val errors_timeout) ))
  if grep -q ' exhausted=' <<<"$line"; then EXTRA[$name]="$(val tokens) tokens, queue empty $(val exhausted) times"; fi
  if [ "${ERR[$name]}" -gt 0 ]; then log "wrk $name: ${ERR[$name]} errors ($line)"; fi
}
run_wrk() { # name lua args...
  local name=$1 lua=$2 status=0; shift 2
  wait_quiet "$name"
  start_wrk "$name" "$lua" "$CONNECTIONS" "$DURATION" "$@"
  local pid=$WRK_PID
  watch_rss "$pid"
  wait "$pid" || status=$?
  record_wrk "$name" "$status"
}
rotate() { # name
  if [ -s "$T/$1.txt" ]; then run_wrk "$1" benches/rotate.lua "$T/$1.txt"; else FAILED[$1]="no targets"; fi
}
# Pages that do not exist with so few contacts per tenant.
[ "$CONTACTS_PER_TENANT" -gt 50 ] || NA[page2]="not applicable: at most 50 contacts per tenant"
[ "$CONTACTS_PER_TENANT" -gt 100 ] || NA[list_scale]="not applicable: at most 100 contacts per tenant"

start_wrk warmup benches/rotate.lua "$CONNECTIONS" "$WARMUP" "$T/list.txt"
watch_rss "$WRK_PID"; wait "$WRK_PID" || die "wrk warmup failed: $(cat "$OUT/wrk-warmup.txt")"
rotate list
[ -n "${NA[page2]:-}" ] || rotate page2
[ -n "${NA[list_scale]:-}" ] || rotate list_scale
rotate get
rotate search
rotate create
rotate update
rotate mixed
rotate me
run_wrk refresh benches/refresh.lua "$T/refresh.txt" "$THREADS"

# PostGraphile side by side: the same list, database, login role, tokens and RLS.
GRAPHILE=${BENCH_POSTGRAPHILE:-$([ "$QUICK" = 1 ] && echo 0 || echo 1)}
if [ "$GRAPHILE" = 1 ]; then
  require_node
  log "installing PostGraphile (benches/postgraphile, npm, from its lock)"
  (cd benches/postgraphile && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  GRAPHILE_BASE=http://127.0.0.1:$((PORT + 1))
  DATABASE_URL="$WEB_URL" JWT_SECRET="$JWT" PORT=$((PORT + 1)) node benches/postgraphile/server.js >"$OUT/postgraphile.log" 2>&1 &
  GRAPHILE_PID=$!
  GQL='{"query":"{allContactsVisibles(first:50,orderBy:[CREATED_AT_DESC,ID_DESC]){nodes{id firstName lastName email phone companyId ownerId createdAt updatedAt}}}"}'
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "$GRAPHILE_BASE/graphql" && break
    kill -0 "$GRAPHILE_PID" 2>/dev/null || { tail -n 20 "$OUT/postgraphile.log" >&2; die "PostGraphile exited"; }
    sleep 0.1
  done
  for i in $(seq 1 "$LOGINS"); do echo "POST /graphql ${TOKEN[$i]} $GQL"; done >"$T/postgraphile.txt"
  got=$(curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer ${TOKEN[1]}" -d "$GQL" "$GRAPHILE_BASE/graphql" \
    | jq -er '.data.allContactsVisibles.nodes | "\(length) rows"') || die "postgraphile: the list query failed"
  log "check postgraphile: $got"
  WRK_BASE=$GRAPHILE_BASE rotate postgraphile
  kill "$GRAPHILE_PID" 2>/dev/null || true
  wait "$GRAPHILE_PID" 2>/dev/null || true
  GRAPHILE_PID=
else
  NA[postgraphile]="not run (BENCH_POSTGRAPHILE=0, the quick mode's default)"
fi

# bcrypt ceiling: one cost-10 hash of a 44-character password (what the
# server hashes: base64 of sha256), the fastest of BCRYPT_SAMPLES.
wait_quiet bcrypt
BCRYPT_PW=$(psql "$ADMIN_URL" -Atqc "SELECT encode(sha256(convert_to('$BENCH_PASSWORD', 'UTF8')), 'base64')")
# The ceiling is the server's own hash: pyca/bcrypt is the Rust bcrypt crate
# the server uses (pgcrypto's C implementation, the fallback, is faster: 42
# against 50 ms here, which would understate login / ceiling). Installed
# from PyPI into a venv of the cache directory when python3 lacks it.
BCRYPT_PY=python3
if ! python3 -c 'import bcrypt' 2>/dev/null; then
  venv=${XDG_CACHE_HOME:-$HOME/.cache}/tenet-bench-python
  { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } >/dev/null 2>&1 \
    && { "$venv/bin/python" -c 'import bcrypt' 2>/dev/null || "$venv/bin/pip" install -q bcrypt==5.0.0 >/dev/null 2>&1; } \
    && BCRYPT_PY=$venv/bin/python
fi
if "$BCRYPT_PY" -c 'import bcrypt' 2>/dev/null; then
  BCRYPT_METHOD="python3 bcrypt (pyca/bcrypt: the Rust bcrypt crate, as the server)"
  BCRYPT_MS=$("$BCRYPT_PY" - "$BCRYPT_PW" "$BCRYPT_SAMPLES" <<'PY'
import sys, time, bcrypt
pw, n = sys.argv[1].encode(), int(sys.argv[2])
times = []
for _ in range(n):
    salt = bcrypt.gensalt(rounds=10)
    t = time.perf_counter(); bcrypt.hashpw(pw, salt); times.append(time.perf_counter() - t)
print(f"{min(times) * 1000:.1f} {sorted(times)[len(times) // 2] * 1000:.1f}")
PY
)
else
  BCRYPT_METHOD="pgcrypto crypt(.., gen_salt('bf', 10)) in PostgreSQL (C implementation)"
  BCRYPT_MS=$(psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qAt 2>&1 <<SQL | sed -nE 's/^NOTICE: +bcrypt //p'
DO \$\$
DECLARE
  t0 timestamptz;
  x text;
  ms float8[] := '{}';
BEGIN
  FOR i IN 1..$BCRYPT_SAMPLES LOOP
    t0 := clock_timestamp();
    x := bench.crypt('$BCRYPT_PW', bench.gen_salt('bf', 10));
    ms := ms || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
  END LOOP;
  RAISE NOTICE 'bcrypt % %', round((SELECT min(m) FROM unnest(ms) m)::numeric, 1),
    round((SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY m) FROM unnest(ms) m)::numeric, 1);
END
\$\$;
SQL
)
fi
read -r BCRYPT_MIN_MS BCRYPT_MEDIAN_MS <<<"$BCRYPT_MS"
[ -n "${BCRYPT_MEDIAN_MS:-}" ] || die "could not time bcrypt ($BCRYPT_METHOD): $BCRYPT_MS"
CORES=$(nproc)
BCRYPT_CEILING=$(awk -v c="$CORES" -v ms="$BCRYPT_MIN_MS" 'BEGIN { printf "%.1f", c * 1000 / ms }')
log "bcrypt cost 10: fastest ${BCRYPT_MIN_MS} ms, median ${BCRYPT_MEDIAN_MS} ms ($BCRYPT_METHOD): ceiling $BCRYPT_CEILING logins/s on $CORES cores"

rotate login
# Both at once: a login flood and me.
wait_quiet me_during_login
start_wrk login_during_me benches/rotate.lua "$CONNECTIONS" "$DURATION" "$T/login.txt"; flood=$WRK_PID
start_wrk me_during_login benches/rotate.lua "$CONNECTIONS" "$DURATION" "$T/me.txt"; me_pid=$WRK_PID
watch_rss "$flood" "$me_pid"
status=0; wait "$flood" || status=$?; record_wrk login_during_me "$status"
status=0; wait "$me_pid" || status=$?; record_wrk me_during_login "$status"
RSS_AFTER=$(rss_mib)

# --- pgbench: the same SQL as the API, and the baselines ------------------------------
log "pgbench baselines"
SELECT_SQL="SELECT id, first_name, last_name, email, phone, company_id, owner_id, created_at, updated_at"
# Writes answer the id; the row is read back through contacts_visible (the
# fields hidden from the caller masked), as src/api/contacts.rs does.
RETURNING_SQL="RETURNING id"
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
# SET_CONTEXT of src/db/scope.rs with the server's values (timeouts as passed to it above).
context_sql() { # tenant user session [secret, default PGB_SECRET]
  echo "SELECT set_config('role', 'tenet_api', true), set_config('app.tenant_id', '$1', true), set_config('app.user_id', '$2', true), set_config('app.session_id', '$3', true), set_config('app.session_secret', '${4-$PGB_SECRET}', true), set_config('app.request_id', 'pgbench', true), set_config('app.client_ip', '127.0.0.1', true), set_config('app.user_agent', 'pgbench', true), set_config('statement_timeout', '10000', true), set_config('idle_in_transaction_session_timeout', '5000', true), set_config('plan_cache_mode', 'force_generic_plan', true);"
}
# The baselines mean nothing unless they set what the server sets: the same
# settings as SET_CONTEXT (a run whose pgbench context lacked plan_cache_mode
# re-planned the audit chain's guard query in every write the server plans once).
[ "$(grep -oE "set_config\('[a-z_.]+'" src/db/scope.rs | sort -u)" = "$(context_sql t u s | grep -oE "set_config\('[a-z_.]+'" | sort -u)" ] \
  || die "the pgbench context (context_sql) does not set what SET_CONTEXT of src/db/scope.rs sets"
# One contact per pgbench session's tenant, for get and update.
PGB_IDS=$(psql "$ADMIN_URL" -AtqF ' ' -c "SELECT s.tenant_id, c.id FROM (VALUES $(awk '{ printf "%s(%s::uuid)", (NR > 1 ? ", " : ""), "'\''" $1 "'\''" }' "$OUT/pgbench/sessions.txt")) s(tenant_id)
  CROSS JOIN LATERAL (SELECT id FROM contacts WHERE tenant_id = s.tenant_id ORDER BY created_at DESC, id DESC OFFSET 7 LIMIT 1) c")
# Each pgbench session's user: email, tenant slug and stored password hash (pg_login).
PGB_OWNERS=$(psql "$ADMIN_URL" -AtqF ' ' -c "SELECT u.id, u.email, t.slug, s.password_hash
  FROM users u JOIN app_private.user_secrets s ON s.user_id = u.id JOIN memberships m ON m.user_id = u.id JOIN tenants t ON t.id = m.tenant_id
 WHERE t.slug LIKE 'bench-tenant-%'")
# The context of a request without a session (login): no tenant, user, session or secret.
ANON_CTX=$(context_sql '' '' '' '')
P=$OUT/pgbench
k=0
while read -r tenant user session; do
  k=$((k + 1))
  ctx=$(context_sql "$tenant" "$user" "$session")
  cid=$(awk -v t="$tenant" '$1 == t { print $2 }' <<<"$PGB_IDS")
  [ -n "$cid" ] || die "no contact of tenant $tenant for pgbench"
  page="ORDER BY created_at DESC, id DESC LIMIT 51;"
  list="$SELECT_SQL FROM contacts_visible WHERE tenant_id = '$tenant' $page"
  get="$SELECT_SQL FROM contacts_visible WHERE id = '$cid';"
  # A new contact is owned by its creator (the API's default).
  insert="(tenant_id, first_name, last_name, email, phone, company_id, owner_id)
  VALUES ('$tenant', 'Bench', 'Writer', 'w' || :n::text || '@bench.example', NULL, NULL, '$user') $RETURNING_SQL;"
  update="UPDATE contacts SET last_name = 'Changed' || :n::text WHERE id = '$cid' $RETURNING_SQL"
  # The read-back (pgbench cannot carry the new id inside a pipeline: the
  # insert's is found as the tenant's newest row, one index probe).
  readback_new="$SELECT_SQL FROM contacts_visible WHERE tenant_id = '$tenant' ORDER BY created_at DESC, id DESC LIMIT 1;"
  # List, one round trip per statement.
  printf 'BEGIN;\n%s\nSELECT app.authorize();\n%s\nCOMMIT;\n' "$ctx" "$list" >"$P/pg_list_plain_$k.sql"
  # List, everything in one pipeline (one round trip).
  printf '\\startpipeline\nBEGIN;\n%s\nSELECT app.authorize();\n%s\nCOMMIT;\n\\endpipeline\n' "$ctx" "$list" >"$P/pg_list_pipeline_$k.sql"
  # The app's shapes (src/db/scope.rs). Reads (Database::authenticated_read):
  # BEGIN, context, the statement and ROLLBACK in one pipeline (lists and
  # single reads of contacts skip authorize() when RLS answered rows).
  printf '\\startpipeline\nBEGIN;\n%s\n%s\nROLLBACK;\n\\endpipeline\n' "$ctx" "$list" >"$P/pg_list_appshape_$k.sql"
  printf '\\startpipeline\nBEGIN;\n%s\n%s\nROLLBACK;\n\\endpipeline\n' "$ctx" "$get" >"$P/pg_get_$k.sql"
  # Writes (Database::authenticated_query_requiring): BEGIN, context,
  # authorize and the statement in one pipeline; then the read-back. A create
  # sends its read-back and COMMIT in one pipeline (Scope::query_opt_then_commit);
  # an update sends COMMIT after it (a row it can no longer read is rolled back).
  write_head() { printf '\\set n random(1, 1000000000)\n\\startpipeline\nBEGIN;\n%s\nSELECT app.authorize();\n%s\n\\endpipeline\n' "$ctx" "$1"; }
  pg_write() { write_head "$1"; printf '%s\nCOMMIT;\n' "$2"; }
  pg_create() { write_head "$1"; printf '\\startpipeline\n%s\nCOMMIT;\n\\endpipeline\n' "$2"; }
  pg_create "INSERT INTO contacts $insert" "$readback_new" >"$P/pg_create_$k.sql"
  pg_create "INSERT INTO bench.contacts_notrigger $insert" "$(sed 's/contacts_visible/bench.contacts_notrigger/' <<<"$readback_new")" >"$P/pg_create_notrigger_$k.sql"
  pg_write "$update;" "$get" >"$P/pg_update_$k.sql"
  # me (src/api/auth.rs): one call that validates the context itself.
  printf '\\startpipeline\nBEGIN;\n%s\n%s\nROLLBACK;\n\\endpipeline\n' "$ctx" \
    "SELECT user_id, email, name, email_verified, tenant_id, tenant_name, tenant_slug, permissions, memberships FROM app.me();" >"$P/pg_me_$k.sql"
  # login (src/api/auth.rs) without the bcrypt: the database's half of a
  # sign-in. The bcrypt the server computes with the stored salt is the stored
  # hash, so that is the computed hash a correct password gives.
  read -r email slug stored <<<"$(awk -v u="$user" '$1 == u { print $2, $3, $4 }' <<<"$PGB_OWNERS")"
  [ -n "$stored" ] || die "no owner of tenant $tenant for pgbench"
  printf '\\startpipeline\nBEGIN;\n%s\n\\endpipeline\n%s\n' "$ANON_CTX" \
    "SELECT attempt_id FROM app.begin_login('$email', '$slug', 10) \\gset" >"$P/pg_login_$k.sql"
  printf '\\startpipeline\nCOMMIT;\nBEGIN;\n%s\n%s\nCOMMIT;\n\\endpipeline\n' "$ANON_CTX" \
    "SELECT status FROM app.finish_login(:attempt_id, '$stored', gen_random_uuid(), sha256(convert_to(random()::text, 'UTF8')), sha256(convert_to(random()::text, 'UTF8')), make_interval(secs => 3600));" >>"$P/pg_login_$k.sql"
  # The minimal policy shape: one round trip per statement, no authorize().
  printf "BEGIN;\nSELECT set_config('role', 'tenet_api', true), set_config('app.tenant_id', '%s', true);\n%s\nCOMMIT;\n" \
    "$tenant" "$SELECT_SQL FROM bench.contacts_minimal WHERE tenant_id = '$tenant' $page" >"$P/pg_list_minimal_$k.sql"
done <"$P/sessions.txt"
PGB_SCRIPTS=$k

run_pgbench() { # name
  local name=$1 args=() f status=0
  for f in "$P/${name}"_[0-9]*.sql; do args+=(-f "$f"); done
  wait_quiet "$name"
  log "pgbench $name: ${DURATION}s, -c $PGB_CLIENTS -j 2 -M prepared, ${#args[@]} scripts / 2"
  PGPASSWORD="$TENET_WEB_PASSWORD" pgbench -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U "$WEB_ROLE" -n \
    -c "$PGB_CLIENTS" -j 2 -M prepared -T "$DURATION" -l --log-prefix="$P/log_$name" "${args[@]}" "$DB" \
    >"$OUT/pgbench-$name.txt" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    FAILED[$name]="pgbench exited with $status: $(grep -m 2 -iE 'error|abort' "$OUT/pgbench-$name.txt" | tr '\n' ' ')"
    log "pgbench $name failed: ${FAILED[$name]}"
    rm -f "$P/log_$name".*
    return 0
  fi
  RPS[$name]=$(sed -nE 's/^tps = ([0-9]+\.[0-9]).* \(without initial connection time\).*/\1/p' "$OUT/pgbench-$name.txt")
  # Transaction log: client_id tx_no latency_us script_no epoch epoch_us.
  local sorted=$P/lat_$name n
  cat "$P/log_$name".* | awk '{ print $3 }' | sort -n >"$sorted"
  n=$(wc -l <"$sorted")
  if [ -z "${RPS[$name]}" ] || [ "$n" = 0 ]; then FAILED[$name]="no result in pgbench-$name.txt"; unset "RPS[$name]"; return 0; fi
  P50[$name]=$(us_to_ms "$(sed -n "$(( (n + 1) / 2 ))p" "$sorted")")
  P99[$name]=$(us_to_ms "$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$sorted")")
  ERR[$name]=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$OUT/pgbench-$name.txt")
  ERR[$name]=${ERR[$name]:-0}
  rm -f "$P/log_$name".* "$sorted"
}
for name in pg_list_plain pg_list_appshape pg_list_pipeline pg_list_minimal pg_get pg_create pg_create_notrigger pg_update pg_me pg_login; do
  run_pgbench "$name"
done

# --- plans ------------------------------------------------------------------------
log "EXPLAIN (ANALYZE, BUFFERS) as $WEB_ROLE / tenet_api"
read -r tenant user session <"$P/sessions.txt"
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
EXPLAIN (ANALYZE, BUFFERS) $SELECT_SQL FROM contacts_visible WHERE tenant_id = '$tenant' ORDER BY created_at DESC, id DESC LIMIT 51;
\echo '### list: second page (cursor)'
EXPLAIN (ANALYZE, BUFFERS) $SELECT_SQL FROM contacts_visible WHERE tenant_id = '$tenant' AND (created_at, id) < ('$c_at', '$c_id') ORDER BY created_at DESC, id DESC LIMIT 51;
\echo '### list: first page, minimal policy copy (bench.contacts_minimal)'
EXPLAIN (ANALYZE, BUFFERS) $SELECT_SQL FROM bench.contacts_minimal WHERE tenant_id = '$tenant' ORDER BY created_at DESC, id DESC LIMIT 51;
\echo '### get one'
EXPLAIN (ANALYZE, BUFFERS) $SELECT_SQL FROM contacts_visible WHERE id = '$c_id';
\echo '### search q=$Q as the app runs it: ids from app.search_contacts (trigram indexes, as the owner), rows through RLS'
EXPLAIN (ANALYZE, BUFFERS) $SELECT_SQL FROM contacts_visible WHERE tenant_id = '$tenant' AND id = ANY(ARRAY(SELECT app.search_contacts('%$Q%', NULL::uuid, 'all', NULL::timestamptz, NULL::uuid, 51::bigint))) ORDER BY created_at DESC, id DESC LIMIT 51;
\echo '### search q=$Q the naive way: ILIKE under RLS (not leakproof, so filtered after the policy: no trigram index)'
EXPLAIN (ANALYZE, BUFFERS) $SELECT_SQL FROM contacts_visible WHERE tenant_id = '$tenant' AND (first_name ILIKE '%$Q%' OR last_name ILIKE '%$Q%' OR email ILIKE '%$Q%') ORDER BY created_at DESC, id DESC LIMIT 51;
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
                           'app.tenant_with_permission(''contacts:read'')', 'app.current_permissions()', 'app.authorize()'] LOOP
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
# ratio a b: a / b with two decimals, empty when either is missing.
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b + 0 > 0) printf "%.2f", a / b }'; }
CREATE_TRIGGER_RATIO=$(ratio "${RPS[pg_create]:-}" "${RPS[pg_create_notrigger]:-}")
LIST_MINIMAL_RATIO=$(ratio "${RPS[list]:-}" "${RPS[pg_list_minimal]:-}")
LOGIN_CEILING_RATIO=$(ratio "${RPS[login]:-}" "$BCRYPT_CEILING")
# Login's bound: per sign-in the cores do one hash and the database's half (pg_login).
LOGIN_BOUND=$(awk -v c="$CORES" -v ms="$BCRYPT_MIN_MS" -v t="${RPS[pg_login]:-}" 'BEGIN { if (t + 0 > 0) printf "%.1f", c * 1000 / (ms + c * 1000 / t) }')
LOGIN_BOUND_RATIO=$(ratio "${RPS[login]:-}" "$LOGIN_BOUND")
ME_P99_RATIO=$(ratio "${P99[me_during_login]:-}" "${P99[me]:-}")
LIST_GRAPHILE_RATIO=$(ratio "${RPS[list]:-}" "${RPS[postgraphile]:-}")

# scenario id | kind | label | same-SQL baseline | compare with the minimal list? | note
SCENARIOS=(
  "list|api|API GET /api/contacts?limit=50|pg_list_appshape|yes|target >= 0.80 x minimal policy list"
  "page2|api|API GET /api/contacts?limit=50&cursor= (2nd page)|||"
  "list_scale|api|API list page at this scale: cursor in the middle of a tenant's $CONTACTS_PER_TENANT contacts ($N_CONTACTS in all)|||"
  "get|api|API GET /api/contacts/{id}|pg_get||"
  "search|api|API GET /api/contacts?limit=50&q=$Q|||"
  "create|api|API POST /api/contacts (audit trigger + hash chain)|pg_create||"
  "update|api|API PATCH /api/contacts/{id}|pg_update||"
  "mixed|api|API mixed: 80 % list + get, 20 % create + update|||"
  "me|api|API GET /api/auth/me|pg_me||target >= 6000 req/s"
  "refresh|api|API POST /api/auth/refresh (rotating tokens)|||"
  "login|api|API POST /api/auth/login (bcrypt cost 10)|||login / bcrypt ceiling ($BCRYPT_CEILING/s): ${LOGIN_CEILING_RATIO:--}; / bcrypt + its SQL (${LOGIN_BOUND:--}/s): ${LOGIN_BOUND_RATIO:--}"
  "me_during_login|api|API GET /api/auth/me during a login flood|||p99 / p99 of me alone: ${ME_P99_RATIO:--}"
  "login_during_me|api|API POST /api/auth/login, the flood running with me|||"
  "postgraphile|other|PostGraphile v4, the same list (allContactsVisibles first 50, same RLS, login role and tokens)||yes|API list / this: ${LIST_GRAPHILE_RATIO:--} (target >= 10)"
  "pg_list_plain|pgbench|pgbench list, one round trip per statement||yes|"
  "pg_list_appshape|pgbench|pgbench list, app's shape (BEGIN, context, page, ROLLBACK: one pipeline)||yes|"
  "pg_list_pipeline|pgbench|pgbench list, all statements in one pipeline, COMMIT||yes|"
  "pg_list_minimal|pgbench|pgbench list, minimal policy shape (tenant_id = current_setting(), no authorize(); 1 RT per statement)||yes|"
  "pg_get|pgbench|pgbench get one, app's shape (BEGIN, context, SELECT, ROLLBACK: one pipeline)|||"
  "pg_create|pgbench|pgbench create, app's shape (BEGIN, context, authorize, INSERT RETURNING pipelined; read-back and COMMIT pipelined), audit trigger on|||with / without audit trigger: ${CREATE_TRIGGER_RATIO:--} (target >= 0.70)"
  "pg_create_notrigger|pgbench|pgbench create into bench.contacts_notrigger (no audit trigger)|||"
  "pg_update|pgbench|pgbench update, app's shape (BEGIN, context, authorize, UPDATE RETURNING pipelined; read-back; COMMIT), audit trigger on|||"
  "pg_me|pgbench|pgbench me, app's shape (BEGIN, context, app.me(), ROLLBACK: one pipeline)|||"
  "pg_login|pgbench|pgbench login without bcrypt (begin_login, then finish_login opening a session: two transactions)|||"
)

PROBLEMS=()
for s in "${SCENARIOS[@]}"; do
  IFS='|' read -r id _ <<<"$s"
  if [ -n "${NA[$id]:-}" ]; then continue
  elif [ -n "${FAILED[$id]:-}" ]; then PROBLEMS+=("$id did not run: ${FAILED[$id]}")
  elif [ -z "${RPS[$id]:-}" ]; then PROBLEMS+=("$id did not run")
  elif [ "${ERR[$id]:-0}" != 0 ]; then PROBLEMS+=("$id had ${ERR[$id]} errors")
  fi
done
fmt_ms() { if [ -n "${1:-}" ]; then echo "$1 ms"; else echo "-"; fi; }
row() { # spec
  local id kind label same minimal note
  IFS='|' read -r id kind label same minimal note <<<"$1"
  local rps=${RPS[$id]:-} r_same="" r_min=""
  [ -z "$same" ] || r_same=$(ratio "$rps" "${RPS[$same]:-}")
  [ -z "$minimal" ] || r_min=$(ratio "$rps" "${RPS[pg_list_minimal]:-}")
  [ -z "${EXTRA[$id]:-}" ] || note="${note:+$note; }${EXTRA[$id]}"
  [ -z "${FAILED[$id]:-}" ] || note="DID NOT RUN: ${FAILED[$id]}"
  [ -z "${NA[$id]:-}" ] || note="${NA[$id]}"
  echo "| $label | $kind | ${rps:--} | $(fmt_ms "${P50[$id]:-}") | $(fmt_ms "${P99[$id]:-}") | ${ERR[$id]:--} | ${r_same:--}${same:+ (/ $same)} | ${r_min:--} | ${note} |"
}
json_row() { # spec
  local id kind label same minimal note
  IFS='|' read -r id kind label same minimal note <<<"$1"
  local rps=${RPS[$id]:-}
  jq -nc --arg name "$id" --arg kind "$kind" --arg title "$label" --arg rps "$rps" --arg p50 "${P50[$id]:-}" \
    --arg p99 "${P99[$id]:-}" --arg errors "${ERR[$id]:-}" --arg failed "${FAILED[$id]:-}" --arg na "${NA[$id]:-}" \
    --arg same "$same" --arg r_same "$([ -z "$same" ] || ratio "$rps" "${RPS[$same]:-}")" \
    --arg r_min "$([ -z "$minimal" ] || ratio "$rps" "${RPS[pg_list_minimal]:-}")" --arg note "$note" --arg extra "${EXTRA[$id]:-}" '
    def num: if . == "" then null else tonumber end;
    {name: $name, kind: (if $kind == "pgbench" or $kind == "other" then $kind else "api" end), "label": $title,
     ran: ($rps != ""), rps: ($rps | num), p50_ms: ($p50 | num), p99_ms: ($p99 | num), errors: ($errors | num),
     same_sql_baseline: (if $same == "" then null else $same end), ratio_vs_same_sql: ($r_same | num),
     ratio_vs_minimal_list: ($r_min | num), note: (if $note == "" then null else $note end),
     detail: (if $extra == "" then null else $extra end), failure: (if $failed == "" then null else $failed end),
     not_applicable: (if $na == "" then null else $na end)}'
}
{
  echo "# Tenet benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')$([ "$QUICK" = 1 ] && echo ' (BENCH_QUICK=1: checks the script, the figures mean little)')"
  echo
  echo "Machine: $CORES cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(psql "$ADMIN_URL" -Atqc 'SHOW server_version' | cut -d' ' -f1); $BUILD_NOTE."
  echo "Data: $COUNTS. $SIZES."
  echo "Seed: ${SEED_TOTAL_S}s (tenants through app.create_tenant_with_owner ${SEED_TENANTS_S}s; companies + contacts as superuser with triggers off, index rebuild, ANALYZE ${SEED_DATA_S}s); baseline copies of contacts ${COPIES_S}s."
  echo "Server: login role $WEB_ROLE; DB_POOL_SIZE ${DB_POOL_SIZE:-unset: the default, 4 x $(nproc) cores}; start to first /api/ready 200 ${READY_MS} ms (polled every 10 ms: an upper bound); $LOGINS logins (bcrypt cost 10, sequential) ${LOGIN_S}s (${SEQ_LOGIN_MS} ms each); RSS idle $RSS_IDLE MiB, max under load $RSS_MAX MiB, after load $RSS_AFTER MiB."
  echo "bcrypt cost 10: fastest of $BCRYPT_SAMPLES hashes ${BCRYPT_MIN_MS} ms (median ${BCRYPT_MEDIAN_MS} ms), timed with $BCRYPT_METHOD; ceiling $CORES cores / ${BCRYPT_MIN_MS} ms = $BCRYPT_CEILING logins/s."
  echo "Load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout 5s (30s for logins) on 127.0.0.1 (two such wrk at once for the login flood), tokens of $LOGINS tenants rotated, $REFRESH_SESSIONS refresh sessions; pgbench -c $PGB_CLIENTS -j 2 -M prepared -T $DURATION as $WEB_ROLE, $PGB_SCRIPTS sessions/tenants. Load generator, server and PostgreSQL share the cores."
  echo "CPU idle just before each scenario: $(IFS=,; echo "${QUIET_NOTES[*]}" | sed 's/,/, /g')."
  echo
  echo "| scenario | kind | req/s or tps | p50 | p99 | errors | / same SQL in pgbench | / minimal policy list | note |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
  for s in "${SCENARIOS[@]}"; do row "$s"; done
  echo
  echo "Targets (printed, never checked): API list >= 0.80 x minimal policy list: ${LIST_MINIMAL_RATIO:--}; create with / without audit trigger >= 0.70: ${CREATE_TRIGGER_RATIO:--}; login / bcrypt ceiling: ${LOGIN_CEILING_RATIO:--}; me p99 during a login flood / alone: ${ME_P99_RATIO:--}; API list / PostGraphile >= 10: ${LIST_GRAPHILE_RATIO:--}."
  echo
  if [ ${#PROBLEMS[@]} -gt 0 ]; then
    echo "**Problems:** $(IFS=';'; echo "${PROBLEMS[*]}" | sed 's/;/; /g')."
  else
    echo "Every scenario ran without errors."
  fi
  echo
  echo "Database time per statement of the authorization functions (warm, 200 statements each): $(echo "$FN_COST" | paste -sd ';' | sed 's/;/; /g')."
  echo
  echo "## Plans (tenant $tenant, as $WEB_ROLE with role tenet_api and a live session)"
  echo
  echo '```'
  echo "$PLANS"
  echo '```'
} >"$OUT/summary.md"

for s in "${SCENARIOS[@]}"; do json_row "$s"; done | jq -s \
  --arg at "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" --arg build "$BUILD_NOTE" --argjson quick "$([ "$QUICK" = 1 ] && echo true || echo false)" \
  --argjson cores "$CORES" --arg pg "$(psql "$ADMIN_URL" -Atqc 'SHOW server_version' | cut -d' ' -f1)" \
  --argjson tenants "$N_TENANTS" --argjson companies "$N_COMPANIES" --argjson contacts "$N_CONTACTS" --argjson audit "$N_AUDIT" \
  --argjson cpt "$CONTACTS_PER_TENANT" --arg scale "${BENCH_SCALE:-}" \
  --argjson rss_idle "$RSS_IDLE" --argjson rss_max "$RSS_MAX" --argjson rss_after "$RSS_AFTER" --argjson ready "$READY_S" \
  --argjson seed "$SEED_TOTAL_S" --argjson copies "$COPIES_S" --argjson seq_login "$SEQ_LOGIN_MS" \
  --argjson bmin "$BCRYPT_MIN_MS" --argjson bmed "$BCRYPT_MEDIAN_MS" --arg bmethod "$BCRYPT_METHOD" --argjson bceil "$BCRYPT_CEILING" \
  --arg r_list_min "$LIST_MINIMAL_RATIO" --arg r_create "$CREATE_TRIGGER_RATIO" --arg r_login "$LOGIN_CEILING_RATIO" --arg r_me "$ME_P99_RATIO" --arg r_graphile "$LIST_GRAPHILE_RATIO" \
  --argjson duration "$DURATION" --argjson threads "$THREADS" --argjson connections "$CONNECTIONS" --argjson pgb_clients "$PGB_CLIENTS" \
  --arg web_role "$WEB_ROLE" --argjson logins "$LOGINS" --argjson refresh_sessions "$REFRESH_SESSIONS" \
  --arg problems "$(printf '%s\n' "${PROBLEMS[@]}")" '
  def num: if . == "" then null else tonumber end;
  {generated_at: $at, quick: $quick, build: $build,
   environment: {cores: $cores, postgres: $pg, tenants: $tenants, companies: $companies, contacts: $contacts,
                 contacts_per_tenant: $cpt, bench_scale: ($scale | num), audit_rows: $audit,
                 web_role: $web_role, rss_idle_mib: $rss_idle, rss_max_mib: $rss_max, rss_after_mib: $rss_after,
                 start_to_ready_s: $ready, seed_s: $seed, baseline_copies_s: $copies, sequential_login_ms: $seq_login},
   load: {duration_s: $duration, wrk_threads: $threads, wrk_connections: $connections, pgbench_clients: $pgb_clients,
          signed_in_tenants: $logins, refresh_sessions: $refresh_sessions},
   bcrypt: {cost: 10, method: $bmethod, fastest_ms: $bmin, median_ms: $bmed, ceiling_logins_per_s: $bceil},
   targets: {list_vs_minimal_list: {ratio: ($r_list_min | num), target: 0.8},
             create_with_vs_without_audit_trigger: {ratio: ($r_create | num), target: 0.7},
             login_vs_bcrypt_ceiling: ($r_login | num), me_p99_during_login_vs_alone: ($r_me | num),
             list_vs_postgraphile: {ratio: ($r_graphile | num), target: 10}},
   scenarios: .,
   problems: ($problems | split("\n") | map(select(. != "")))}' >"$OUT/summary.json"
cat "$OUT/summary.md"

# --- stop -----------------------------------------------------------------------------
cleanup
SERVER_PID=
if [ "${BENCH_DROP:-0}" = 1 ]; then
  log "dropping database $DB"
  superuser_psql -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
else
  log "database $DB kept (BENCH_DROP=1 drops it); results in $OUT/summary.md and summary.json"
fi
if [ ${#PROBLEMS[@]} -gt 0 ]; then
  printf '%s\n' "${PROBLEMS[@]}" >&2
  die "${#PROBLEMS[@]} scenario(s) did not run or had errors"
fi
