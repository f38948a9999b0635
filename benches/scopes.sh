#!/usr/bin/env bash
# What record-level access costs (issue 15): the contacts list of one large
# tenant read with scope all, own and team, with and without the "mine / my
# team" filter, as the API role with a live session's context (pgbench
# -M prepared, the statements src/api/crm.rs builds, the app's read shape:
# BEGIN, context, the page, ROLLBACK in one pipeline). Every figure is
# measured in the same run; each ratio is against the scope-all list.
#
#   ./benches/scopes.sh                      1,000,000 contacts in one tenant
#   SCOPES_CONTACTS=20000 SCOPES_DURATION=3 ./benches/scopes.sh    quick (the test command)
#
# World: one tenant, its owner (system role owner: scope all), 10 reps (role
# bench_own: contacts:read scope own; or bench_team: scope team, 3 of them in
# one team with 2 own-scope reps). Contacts: 90 % owned by the reps round
# robin (each owns 9 %), 10 % unowned. Also written: the EXPLAIN (ANALYZE,
# BUFFERS) of every scenario (plans.txt), to show that the scope is an
# InitPlan evaluated once per statement and the page an index walk.
#
# Environment: BENCH_BINARY (a built tenet; default: build the release one
# with benches/build.sh), SCOPES_DB [tenet_scopes], SCOPES_CONTACTS [1000000],
# SCOPES_DURATION [10] seconds per scenario and round, SCOPES_ROUNDS [3]
# (the scenarios interleaved in each round; the median counts), SCOPES_CLIENTS [8],
# SCOPES_OUT [bench-results/scopes], SCOPES_DROP=1 drops the database after,
# SCOPES_REUSE=1 keeps the database of the last run with the same SCOPES_OUT.
# Exit status 0 only when every scenario ran without a failed client; no
# speed is asserted (the 1.2 x target is printed, not checked).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DB=${SCOPES_DB:-tenet_scopes}
N=${SCOPES_CONTACTS:-1000000}
DURATION=${SCOPES_DURATION:-10}
CLIENTS=${SCOPES_CLIENTS:-8}
ROUNDS=${SCOPES_ROUNDS:-3}
OUT=${SCOPES_OUT:-bench-results/scopes}
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "SCOPES_DB must be a plain lower-case name"
[[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 1000 ] && [ "$N" -le 10000000 ] || die "SCOPES_CONTACTS must be 1000..10000000"
mkdir -p "$OUT"
REUSE=${SCOPES_REUSE:-0}
[ "$REUSE" = 1 ] && [ -s "$OUT/seed.txt" ] || REUSE=0
find "$OUT" -maxdepth 1 -type f \( -name '*.sql' -o -name '*.txt' \) ! -name seed.txt -delete

ensure_local_postgres
bootstrap_local_roles
need_command pgbench postgresql-contrib

if [ -n "${BENCH_BINARY:-}" ]; then
  TENET=$(realpath "$BENCH_BINARY")
else
  require_rust
  TENET=$(benches/build.sh)
fi

# pgbench -M prepared prepares a pipeline's statements before the role
# switch, so it logs in as a role that inherits tenet_api (as benches/run.sh).
WEB_ROLE=tenet_bench_web
superuser_psql -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$WEB_ROLE') THEN
    CREATE ROLE $WEB_ROLE LOGIN INHERIT PASSWORD '$TENET_WEB_PASSWORD';
  END IF; END \$\$"
OWNER_URL=$(local_url tenet_owner "$TENET_OWNER_PASSWORD_DB" "$DB")
ADMIN_URL=$(local_url tenet_admin "$TENET_ADMIN_PASSWORD" "$DB")
WEB_URL=$(local_url "$WEB_ROLE" "$TENET_WEB_PASSWORD" "$DB")

SECRET=scopes-bench-secret
PASSWORD=scopes-bench-password-1
PORT=${SCOPES_PORT:-18292}
BASE=http://127.0.0.1:$PORT
if [ "$REUSE" = 1 ]; then
  # SCOPES_REUSE=1: the database and sessions of the last run (its
  # $OUT/seed.txt), with the current sql/ and policies/ applied again.
  log "reusing $DB (SCOPES_REUSE=1)"
  DATABASE_URL="$OWNER_URL" RUST_LOG=warn "$TENET" migrate >/dev/null
else
log "creating $DB with $N contacts in one tenant"
superuser_psql -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
superuser_psql -c "CREATE DATABASE $DB OWNER tenet_owner"
DATABASE_URL="$OWNER_URL" RUST_LOG=warn "$TENET" migrate >/dev/null
superuser_psql -c "GRANT tenet_api TO $WEB_ROLE"
# The owner through the CLI (a real bcrypt hash); the reps share it.
DATABASE_URL="$OWNER_URL" TENET_OWNER_PASSWORD="$PASSWORD" BCRYPT_COST=10 RUST_LOG=warn \
  "$TENET" admin create-tenant --tenant-name "Scopes bench" --email owner@scopes.bench --name Owner >/dev/null

# Seed as the superuser: the tenant and its roles through the app's own
# function, members and contacts set-based with triggers off (the audit
# chain is not what is measured here).
psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qAt -v n="$N" -v secret="$SECRET" >"$OUT/seed.txt" <<'SQL'
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SELECT setseed(0.15);
CREATE TEMP TABLE w AS
SELECT m.tenant_id, m.user_id, s.password_hash
  FROM users u JOIN memberships m ON m.user_id = u.id JOIN app_private.user_secrets s ON s.user_id = u.id
 WHERE u.email = 'owner@scopes.bench';
INSERT INTO roles (tenant_id, name, description) SELECT tenant_id, r, r FROM w, unnest(ARRAY['bench_own', 'bench_team']) r;
INSERT INTO role_permissions (tenant_id, role_id, permission_key, scope)
SELECT r.tenant_id, r.id, 'contacts:read', CASE r.name WHEN 'bench_own' THEN 'own' ELSE 'team' END
  FROM roles r JOIN w USING (tenant_id) WHERE r.name LIKE 'bench_%';
INSERT INTO users (email, name, home_tenant_id) SELECT 'rep' || i || '@scopes.bench', 'Rep ' || i, tenant_id FROM w, generate_series(1, 10) i;
CREATE TEMP TABLE reps AS
SELECT u.id AS user_id, substring(u.email FROM 'rep(\d+)@')::int AS i FROM users u WHERE u.email LIKE 'rep%@scopes.bench';
INSERT INTO memberships (tenant_id, user_id) SELECT w.tenant_id, reps.user_id FROM w, reps;
INSERT INTO app_private.user_secrets (user_id, password_hash) SELECT reps.user_id, w.password_hash FROM w, reps;
-- rep1, rep2: scope own; rep3..rep5: scope team; the rest own.
INSERT INTO membership_roles (tenant_id, user_id, role_id)
SELECT w.tenant_id, reps.user_id, r.id FROM w, reps JOIN roles r ON r.name = CASE WHEN reps.i BETWEEN 3 AND 5 THEN 'bench_team' ELSE 'bench_own' END;
INSERT INTO teams (tenant_id, name) SELECT tenant_id, 'North' FROM w;
INSERT INTO team_members (tenant_id, team_id, user_id)
SELECT w.tenant_id, t.id, reps.user_id FROM w, teams t, reps WHERE reps.i BETWEEN 1 AND 5;
CREATE TEMP TABLE rep_ids AS SELECT array_agg(user_id ORDER BY i) AS ids FROM reps;
SET session_replication_role = replica;
INSERT INTO contacts (tenant_id, first_name, last_name, email, phone, owner_id, created_at)
SELECT w.tenant_id, 'First' || g, 'Last' || (g % 977), 'c' || g || '@scopes.bench', '+1 555 ' || lpad((g % 10000000)::text, 7, '0'),
       CASE WHEN g % 10 <> 0 THEN rep_ids.ids[g % 10] END,
       now() - interval '3 years' + random() * interval '3 years'
  FROM w, rep_ids, generate_series(1, :n) g;
RESET session_replication_role;
ANALYZE;
-- Sessions with a known secret for pgbench: the owner (scope all), rep1
-- (scope own), rep3 (scope team: rep1..rep5).
WITH who AS (
  SELECT 'all' AS label, user_id FROM w
  UNION ALL SELECT 'own', user_id FROM reps WHERE i = 1
  UNION ALL SELECT 'team', user_id FROM reps WHERE i = 3
), s AS (
  INSERT INTO sessions (user_id, tenant_id, refresh_token_hash, secret_hash, expires_at)
  SELECT who.user_id, w.tenant_id, sha256(convert_to(gen_random_uuid()::text || who.label, 'UTF8')),
         sha256(convert_to(:'secret', 'UTF8')), now() + interval '1 day'
    FROM who, w
  RETURNING tenant_id, user_id, id
)
SELECT who.label || ' ' || s.tenant_id || ' ' || s.user_id || ' ' || s.id FROM s JOIN who USING (user_id);
SQL
fi
mapfile -t SESSIONS < <(grep -E '^(all|own|team) ' "$OUT/seed.txt")
[ "${#SESSIONS[@]}" = 3 ] || die "seeding did not answer three sessions (see $OUT/seed.txt)"

# The statements of src/api/crm.rs (ListQuery) for contacts. An unfiltered
# list reads owner by owner once the server has seen (ScopeHints) that the
# caller's scope is narrower than all: list_own and list_team are that
# steady state, list_own_first the first list of such a session.
COLS="id, first_name, last_name, email, phone, company_id, owner_id, created_at, updated_at"
ORDER="ORDER BY created_at DESC, id DESC LIMIT 51"
SCOPE="(SELECT app.scope_owners(E'contacts\\x3aread'))"
simple_list() { # tenant: no filter, scope all last time (the plain walk; the last column feeds the server's hint)
  echo "SELECT $COLS, $SCOPE IS NOT NULL AS narrowed FROM contacts_visible WHERE tenant_id = $1 $ORDER;"
}
hinted_list() { # tenant: no filter, scope narrower than all last time (owner by owner; a stale hint answers one marker row)
  echo "SELECT hit.*, s.owners IS NOT NULL AS narrowed FROM (SELECT $SCOPE AS owners OFFSET 0) AS s LEFT JOIN LATERAL (SELECT page.* FROM unnest(s.owners) AS o(owner) CROSS JOIN LATERAL (SELECT $COLS FROM contacts_visible WHERE tenant_id = $1 AND owner_id = o.owner $ORDER) AS page $ORDER) AS hit ON true WHERE s.owners IS NULL OR hit.id IS NOT NULL ORDER BY hit.created_at DESC, hit.id DESC LIMIT 51;"
}
# ('contacts:read' is spelled E'contacts\x3aread': pgbench would take ":read"
# for one of its variables; the value and the plan are the same.)
owner_list() { # tenant filter: one ordered index walk per owner, merged
  echo "SELECT $COLS, NULL::boolean AS narrowed FROM (SELECT page.* FROM unnest((SELECT app.list_owners(E'contacts\\x3aread', '$2'))) AS o(owner) CROSS JOIN LATERAL (SELECT $COLS FROM contacts_visible WHERE tenant_id = $1 AND owner_id = o.owner $ORDER) AS page) AS u $ORDER;"
}
# The context as src/db/scope.rs sets it (plan_cache_mode included: the app's
# statements run on generic plans). Its values, like the tenant of the
# statements, are pgbench variables, so pgbench -M prepared binds them as
# parameters the way the app does (literals would let every execution be
# planned for its values, which the app's statements never are).
context() { # tenant user session (quoted literals or pgbench variables)
  echo "SELECT set_config('role', 'tenet_api', true), set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), set_config('app.session_id', $3, true), set_config('app.session_secret', '$SECRET', true), set_config('app.request_id', 'pgbench', true), set_config('plan_cache_mode', 'force_generic_plan', true);"
}

declare -A TPS LAT RUNS
SCENARIOS=()
prepare() { # name label-of-session sql
  local name=$1 who=$2 sql=$3 line tenant user session
  line=$(printf '%s\n' "${SESSIONS[@]}" | awk -v w="$who" '$1 == w')
  read -r _ tenant user session <<<"$line"
  printf '\\startpipeline\nBEGIN;\n%s\n%s\nROLLBACK;\n\\endpipeline\n' "$(context :tenant :user :session)" "${sql//TENANT/:tenant}" >"$OUT/$name.sql"
  echo "-D tenant=$tenant -D user=$user -D session=$session" >"$OUT/$name.vars"
  local body=${sql%;}
  local literal=${body//TENANT/\'$tenant\'} prepared=${body//TENANT/\$1}
  # The rows it answers and the plan (the generic one the app runs), as the
  # API role with that context.
  psql "$ADMIN_URL" -qAt >"$OUT/plan-$name.txt" 2>&1 <<PSQL || true
BEGIN;
$(context "'$tenant'" "'$user'" "'$session'")
SELECT 'rows answered: ' || count(*) FROM ($literal) q;
PREPARE q(uuid) AS $prepared;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE q('$tenant');
ROLLBACK;
PSQL
  SCENARIOS+=("$name|$who")
}
run_once() { # name
  local name=$1 status=0
  PGPASSWORD="$TENET_WEB_PASSWORD" pgbench -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U "$WEB_ROLE" -n -M prepared \
    -c "$CLIENTS" -j 2 -T "$DURATION" $(cat "$OUT/$name.vars") -f "$OUT/$name.sql" "$DB" >"$OUT/pgbench-$name.txt" 2>&1 || status=$?
  if [ "$status" != 0 ] || grep -qiE 'aborted|error' "$OUT/pgbench-$name.txt"; then
    die "pgbench $name failed: $(grep -m 2 -iE 'error|abort' "$OUT/pgbench-$name.txt" | tr '\n' ' ')"
  fi
  RUNS[$name]="${RUNS[$name]:-} $(awk '/^tps/ { printf "%.0f", $3 }' "$OUT/pgbench-$name.txt")"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

T=TENANT
prepare list_all all "$(simple_list "$T")"
prepare list_own_first own "$(simple_list "$T")"
prepare list_own own "$(hinted_list "$T")"
prepare list_own_mine own "$(owner_list "$T" me)"
prepare list_team team "$(hinted_list "$T")"
prepare list_team_filter team "$(owner_list "$T" team)"
# Rounds, the scenarios interleaved in each, so that a noisy moment of the
# machine does not land on one scenario only; the median round counts.
for round in $(seq 1 "$ROUNDS"); do
  for s in "${SCENARIOS[@]}"; do
    log "round $round/$ROUNDS: pgbench ${s%%|*} (${s#*|}), ${DURATION}s, -c $CLIENTS"
    run_once "${s%%|*}"
  done
done
for s in "${SCENARIOS[@]}"; do
  name=${s%%|*}
  TPS[$name]=$(median <<<"${RUNS[$name]}")
done

# --- the same lists over HTTP (wrk), the server's own work included ------------
need_command wrk
need_command jq
if curl -s -o /dev/null "$BASE/api/health" 2>/dev/null; then die "port $PORT is already in use"; fi
DATABASE_URL="$WEB_URL" JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" AUTH_RATE_LIMIT_PER_MINUTE=0 \
  DB_POOL_SIZE=16 PORT="$PORT" ACCESS_TOKEN_TTL_SECONDS=3600 RUST_LOG=warn "$TENET" serve >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 3000); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/ready" || true)" = 200 ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "tenet serve exited: $(tail -n 5 "$OUT/server.log")"
  sleep 0.01
done
token() { # email
  curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/api/auth/login" \
    | jq -er .access_token || die "login of $1 failed"
}
declare -A TOKEN=([all]=$(token owner@scopes.bench) [own]=$(token rep1@scopes.bench) [team]=$(token rep3@scopes.bench))
API=()
api_prepare() { # name who path
  echo "GET $3 ${TOKEN[$2]}" >"$OUT/$1.targets"
  local n; n=$(curl -sf -H "Authorization: Bearer ${TOKEN[$2]}" "$BASE$3" | jq -er '.items | length') || die "$1: GET $3 failed"
  echo "$n" >"$OUT/rows-$1.txt"
  API+=("$1|$2|$3")
}
api_prepare api_list_all all "/api/contacts?limit=50"
api_prepare api_list_own own "/api/contacts?limit=50"
api_prepare api_list_own_mine own "/api/contacts?limit=50&owner=me"
api_prepare api_list_team team "/api/contacts?limit=50"
api_prepare api_list_team_filter team "/api/contacts?limit=50&owner=team"
for round in $(seq 1 "$ROUNDS"); do
  for a in "${API[@]}"; do
    name=${a%%|*}
    log "round $round/$ROUNDS: wrk $name, ${DURATION}s, -t2 -c$CLIENTS"
    wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --timeout 5s -s benches/rotate.lua "$BASE" -- "$OUT/$name.targets" >"$OUT/wrk-$name.txt" 2>&1 \
      || die "wrk $name failed"
    if grep -qE 'Non-2xx|Socket errors' "$OUT/wrk-$name.txt"; then die "wrk $name had errors: $(grep -E 'Non-2xx|Socket errors' "$OUT/wrk-$name.txt")"; fi
    RUNS[$name]="${RUNS[$name]:-} $(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$OUT/wrk-$name.txt")"
  done
done
for a in "${API[@]}"; do
  name=${a%%|*}
  TPS[$name]=$(median <<<"${RUNS[$name]}")
done
kill "$SERVER_PID" 2>/dev/null || true

{
  echo "# Record-level access: the contacts list at $N contacts in one tenant"
  echo
  echo "pgbench -M prepared -c $CLIENTS -j 2 -T $DURATION, $ROUNDS interleaved rounds, as $WEB_ROLE (role tenet_api, a live session's context), the app's read shape (BEGIN, context, the page of 51, ROLLBACK in one pipeline); $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null || echo '?'). Each rep owns 10 % of the contacts; 10 % are unowned."
  echo
  echo "| scenario | who | tps (median of $ROUNDS) | every round | cost / scope all | rows answered |"
  echo "|---|---|---:|---|---:|---:|"
  for s in "${SCENARIOS[@]}"; do
    name=${s%%|*}; who=${s#*|}
    ratio=$(awk -v a="${TPS[list_all]}" -v b="${TPS[$name]}" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
    rows=$(sed -n 's/^rows answered: //p' "$OUT/plan-$name.txt")
    echo "| $name | $who | ${TPS[$name]} | ${RUNS[$name]# } | ${ratio} x | $rows |"
  done
  echo
  echo "Over HTTP: wrk -t2 -c$CLIENTS -d${DURATION}s against tenet serve (the same binary), GET /api/contacts?limit=50 as each session's person, $ROUNDS interleaved rounds."
  echo
  echo "| scenario | who | request | req/s (median) | every round | cost / scope all | rows answered |"
  echo "|---|---|---|---:|---|---:|---:|"
  for a in "${API[@]}"; do
    IFS='|' read -r name who path <<<"$a"
    ratio=$(awk -v a="${TPS[api_list_all]}" -v b="${TPS[$name]}" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
    echo "| $name | $who | \`$path\` | ${TPS[$name]} | ${RUNS[$name]# } | ${ratio} x | $(cat "$OUT/rows-$name.txt") |"
  done
  echo
  echo "Target (issue 15): a list as an own member costs no more than 1.2 x the scope-all list (cost = scope-all throughput / its throughput)."
  echo
  echo "Plans (EXPLAIN ANALYZE as tenet_api with the scenario's context): $OUT/plan-*.txt"
} >"$OUT/summary.md"
cat "$OUT/summary.md"

if [ "${SCOPES_DROP:-0}" = 1 ]; then
  superuser_psql -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
fi
