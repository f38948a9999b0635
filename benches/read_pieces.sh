#!/usr/bin/env bash
# What each piece of an authenticated read costs PostgreSQL: the request
# context alone, each helper of the per-statement check, the list's page
# through the policy and through the masking view, the minimal policy's page
# and app.me(). Each piece runs in the app's read shape, one pipeline of
# BEGIN, the context, the statement and ROLLBACK, as the first session of
# benches/run.sh's pgbench baselines; ./benches/backend_cpu.sh counts its
# backend's CPU per transaction (one client). The table of
# docs/performance.md ("Eighth session") comes from this script.
#
#   ./benches/run.sh --quick           # once: the data and bench-results/pgbench
#   ./benches/read_pieces.sh
#
#   READ_PIECES_SECONDS [8]   seconds per piece (BACKEND_CPU_SECONDS)
#   BENCH_OUT [bench-results] where run.sh wrote its pgbench scripts
#   BENCH_DB [tenet_bench]
# Prints a markdown table: CPU per transaction and what the statement adds to
# the context alone. Figures vary by about 5 us between runs. Nothing asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

P=${BENCH_OUT:-bench-results}/pgbench
for f in pg_list_appshape_1 pg_list_minimal_1 pg_me_1; do
  [ -f "$P/$f.sql" ] || die "$P/$f.sql is missing: run ./benches/run.sh first"
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# The app's context and list statement, as run.sh wrote them (lines 3 and 4
# of the pipeline), and the minimal policy's page (line 3 of its script).
CTX=$(bench_context)
LIST=$(sed -n 4p "$P/pg_list_appshape_1.sql")
MINIMAL=$(sed -n 3p "$P/pg_list_minimal_1.sql")
ME=$(sed -n 4p "$P/pg_me_1.sql")
[[ "$LIST" == *"FROM contacts_visible"* && "$MINIMAL" == *"bench.contacts_minimal"* && "$ME" == *"app.me()"* ]] \
  || die "the pgbench scripts of $P do not have the shape this script reads"
# pgbench reads ':name' as a variable, so a permission key is spelled with chr(58).
READ="'contacts' || chr(58) || 'read'"
PIECES=(
  "the context alone (SELECT 1)|SELECT 1;"
  "app.setting_uuid('app.tenant_id')|SELECT app.setting_uuid('app.tenant_id');"
  "app.scope_owners('contacts:read')|SELECT app.scope_owners($READ);"
  "app.hidden_fields('contacts')|SELECT app.hidden_fields('contacts');"
  "app.current_tenant_id()|SELECT app.current_tenant_id();"
  "app.tenant_with_permission('contacts:read')|SELECT app.tenant_with_permission($READ);"
  "app.authorize()|SELECT app.authorize();"
  "the list's page from contacts (its policy, no masking view)|$(sed -e 's/ email, phone,//' -e 's/FROM contacts_visible/FROM contacts/' <<<"$LIST")"
  "the list's page from contacts_visible (what the app sends)|$LIST"
  "the same page from bench.contacts_minimal (the minimal policy)|$MINIMAL"
  "app.me()|$ME"
)
echo "| statement (BEGIN, context, it, ROLLBACK: one pipeline) | CPU per transaction | over the context alone |"
echo "|---|---:|---:|"
base=
i=0
for piece in "${PIECES[@]}"; do
  i=$((i + 1))
  label=${piece%%|*}
  printf '\\startpipeline\nBEGIN;\n%s\n%s\nROLLBACK;\n\\endpipeline\n' "$CTX" "${piece#*|}" >"$TMP/piece_$i.sql"
  us=$(BACKEND_CPU_SECONDS=${READ_PIECES_SECONDS:-8} ./benches/backend_cpu.sh "$TMP/piece_$i.sql" | sed -n 's/^cpu\/txn \([0-9]*\) us.*/\1/p')
  [ -n "$us" ] || die "no figure for: $label"
  base=${base:-$us}
  echo "| $label | $us µs | $([ "$i" = 1 ] && echo – || echo "$((us - base)) µs") |"
done
