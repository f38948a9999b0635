#!/usr/bin/env bash
# What the per-tenant audit hash chain costs on writes: pgbench inserts
# companies through the API role (context set, RLS and audit triggers on),
# 16 clients all in ONE tenant (appends serialise on that tenant's chain head)
# versus 16 clients spread over 16 tenants (independent chains).
# Needs the database seeded by benches/run.sh (default tenet_bench) with live
# sessions from its logins. Bounded: BENCH_DURATION seconds per scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
DB=${BENCH_DB:-tenet_bench}
DURATION=${BENCH_DURATION:-15}
CLIENTS=${BENCH_PGBENCH_CLIENTS:-16}
OUT=${BENCH_OUT:-bench-results}
mkdir -p "$OUT/chain"
WEB_URL=$(local_url tenet_web "$TENET_WEB_PASSWORD" "$DB")

# Sessions of distinct tenants with a known secret (the API's sessions have
# secrets only the server can derive): one pgbench script per client slot.
SECRET=pgbench-session-secret
mapfile -t SESSIONS < <(psql "$(local_url tenet_admin "$TENET_ADMIN_PASSWORD" "$DB")" -Atqc \
  "INSERT INTO sessions (user_id, tenant_id, refresh_token_hash, secret_hash, expires_at)
   SELECT DISTINCT ON (m.tenant_id) m.user_id, m.tenant_id, sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
          sha256(convert_to('$SECRET', 'UTF8')), now() + interval '1 day'
     FROM memberships m WHERE m.active ORDER BY m.tenant_id, m.created_at LIMIT $CLIENTS
   RETURNING tenant_id || ' ' || user_id || ' ' || id" | grep -E '^[0-9a-f-]{36} ')
[ "${#SESSIONS[@]}" -ge 2 ] || die "no live sessions in $DB: run benches/run.sh first"

script() { # tenant user session -> pgbench script
  cat <<SQL
BEGIN;
SELECT set_config('role', 'tenet_api', true), set_config('app.tenant_id', '$1', true),
       set_config('app.user_id', '$2', true), set_config('app.session_id', '$3', true),
       set_config('app.session_secret', '$SECRET', true);
INSERT INTO companies (tenant_id, name) VALUES ('$1', 'chain bench ' || :client_id);
COMMIT;
SQL
}

run() { # name, then script files
  local name=$1; shift
  local args=()
  for f in "$@"; do args+=(-f "$f"); done
  pgbench "$WEB_URL" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" "${args[@]}" > "$OUT/chain/$name.txt" 2>&1
  awk -v n="$name" '/^tps/ {tps=$3} /^latency average/ && !lat {lat=$4} END {printf "| %s | %.0f | %s ms |\n", n, tps, lat}' "$OUT/chain/$name.txt"
}

read -r T U S <<<"${SESSIONS[0]}"
script "$T" "$U" "$S" > "$OUT/chain/one.sql"
files=()
for i in "${!SESSIONS[@]}"; do
  read -r T U S <<<"${SESSIONS[$i]}"
  script "$T" "$U" "$S" > "$OUT/chain/t$i.sql"
  files+=("$OUT/chain/t$i.sql")
done

OWNER_URL=$(local_url tenet_owner "$TENET_OWNER_PASSWORD_DB" "$DB")
{
  echo "| $CLIENTS clients inserting companies | tps | latency avg |"
  echo "|---|---:|---:|"
  run "one tenant, audit + chain" "$OUT/chain/one.sql"
  run "${#SESSIONS[@]} tenants, audit + chain" "${files[@]}"
  # Baseline in the same run: the same inserts with the audit trigger off
  # (this bench database only; re-enabled right after).
  psql "$OWNER_URL" -qc "ALTER TABLE companies DISABLE TRIGGER companies_audit"
  run "one tenant, no audit" "$OUT/chain/one.sql"
  run "${#SESSIONS[@]} tenants, no audit" "${files[@]}"
  psql "$OWNER_URL" -qc "ALTER TABLE companies ENABLE TRIGGER companies_audit"
} | tee "$OUT/chain/summary.md"
psql "$(local_url tenet_admin "$TENET_ADMIN_PASSWORD" "$DB")" -qc "DELETE FROM companies WHERE name LIKE 'chain bench %'" >/dev/null 2>&1 || true
