#!/usr/bin/env bash
# What each helper of the per-statement check costs a call, timed inside
# PostgreSQL: a PL/pgSQL loop of CHECK_CALLS_N calls of each, in the bench's
# request context (the context of run.sh's first list script), as the web
# role. No client, network or pgbench in the figure, so it is steadier than
# backend_cpu.sh's per-transaction CPU for differences of a few µs. The
# ninth session's table in docs/performance.md comes from it.
#
#   ./benches/run.sh --quick                  # once: the data and bench-results/pgbench
#   ./benches/check_calls.sh                  # the functions as installed
#   ./benches/check_calls.sh OLD.sql NEW.sql  # each file applied in turn, every round
#
#   CHECK_CALLS_N [20000]     calls of each function per round
#   CHECK_CALLS_ROUNDS [2]    rounds
#   BENCH_OUT [bench-results] where run.sh wrote its pgbench scripts
#   BENCH_DB [tenet_bench]
# A file is SQL the owner role runs before its measurement (CREATE OR REPLACE
# FUNCTION ...); the last file stays installed. Prints a markdown table of
# µs per call, one figure per round. Nothing asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

for f in "$@"; do [ -f "$f" ] || die "$f is not a file"; done
N=${CHECK_CALLS_N:-20000}
ROUNDS=${CHECK_CALLS_ROUNDS:-2}
[[ "$N" =~ ^[1-9][0-9]*$ && "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "CHECK_CALLS_N and CHECK_CALLS_ROUNDS must be positive numbers"
DB=${BENCH_DB:-tenet_bench}
CTX=$(bench_context)
WEB_ROLE=$(bench_web_role "$DB")
OWNER_URL=$(local_url tenet_owner "$TENET_OWNER_PASSWORD_DB" "$DB")

CALLS=(
  "app.setting_uuid('app.tenant_id')|u := app.setting_uuid('app.tenant_id')"
  "app.current_tenant_id()|u := app.current_tenant_id()"
  "app.tenant_with_permission('contacts:read')|u := app.tenant_with_permission('contacts:read')"
  "app.scope_owners('contacts:read')|us := app.scope_owners('contacts:read')"
  "app.hidden_fields('contacts')|t := app.hidden_fields('contacts')"
  "app.authorize()|t := app.authorize()"
)
# One DO block: each call N times after N/10 to warm its plans; a NOTICE
# "<index> <µs per call>" for each.
loop=""
i=0
for c in "${CALLS[@]}"; do
  i=$((i + 1))
  loop+="
  FOR k IN 1..$((N / 10 + 1)) LOOP ${c#*|}; END LOOP;
  t0 := clock_timestamp();
  FOR k IN 1..$N LOOP ${c#*|}; END LOOP;
  RAISE NOTICE 'call % %', $i, round(extract(epoch FROM clock_timestamp() - t0) * 1e6 / $N, 2);"
done
# The context sets the app's statement timeout; the loop outlasts it.
run_calls() {
  local out
  out=$(PGPASSWORD="$TENET_WEB_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U "$WEB_ROLE" "$DB" 2>&1 <<SQL
BEGIN;
$CTX;
SET LOCAL statement_timeout = 0;
DO \$\$
DECLARE t0 timestamptz; u uuid; us uuid[]; t text[];
BEGIN$loop
END \$\$;
ROLLBACK;
SQL
) || die "the loop failed: $out"
  sed -n 's/^.*NOTICE:  call \([0-9]*\) \([0-9.]*\)$/\1 \2/p' <<<"$out"
}

LABELS=("$@")
[ $# -gt 0 ] || LABELS=("as installed")
declare -A FIG
for r in $(seq "$ROUNDS"); do
  for label in "${LABELS[@]}"; do
    [ $# -eq 0 ] || psql "$OWNER_URL" -X -q -v ON_ERROR_STOP=1 -f "$label" >/dev/null
    got=$(run_calls)
    [ "$(wc -l <<<"$got")" = "${#CALLS[@]}" ] || die "the loop did not time every call: $got"
    while read -r idx us; do
      FIG[$label,$idx]+="${FIG[$label,$idx]:+ / }$us"
    done <<<"$got"
  done
done

header="| call ($N a round, $ROUNDS rounds) |"
rule="|---|"
for label in "${LABELS[@]}"; do header+=" $(basename "$label") |"; rule+="---:|"; done
echo "$header"
echo "$rule"
i=0
for c in "${CALLS[@]}"; do
  i=$((i + 1))
  row="| \`${c%%|*}\` |"
  for label in "${LABELS[@]}"; do row+=" ${FIG[$label,$i]} µs |"; done
  echo "$row"
done
