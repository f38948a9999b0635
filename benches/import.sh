#!/usr/bin/env bash
# A large CSV import through a real `tenet serve`, with the server's memory
# measured (issue 17): the file is streamed in batches of 500 rows, so the
# server's resident memory must not grow with the file. Also a streamed
# export of the same rows. Reports rows/s and the server's RSS (VmRSS before,
# VmHWM peak after) as JSON and markdown; fails if the import or export lost
# a row or the peak grew by more than IMPORT_MAX_GROWTH_MIB.
#
#   ./benches/import.sh                                  100,000 contacts (release binary)
#   IMPORT_ROWS=10000 BENCH_BINARY=target/debug/tenet ./benches/import.sh   quick (the test command)
#
# Environment: BENCH_BINARY (a built tenet; default: build the release one
# with benches/build.sh), IMPORT_ROWS [100000], IMPORT_DB [tenet_import],
# IMPORT_OUT [bench-results/import], IMPORT_PORT [18293],
# IMPORT_MAX_GROWTH_MIB [64]; LOCAL_SERVER_KEEP_DB=1 keeps the database.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ROWS=${IMPORT_ROWS:-100000}
DB=${IMPORT_DB:-tenet_import}
OUT=${IMPORT_OUT:-bench-results/import}
PORT=${IMPORT_PORT:-18293}
MAX_GROWTH=${IMPORT_MAX_GROWTH_MIB:-64}
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "IMPORT_DB must be a plain lower-case name"
[[ "$ROWS" =~ ^[0-9]+$ ]] && [ "$ROWS" -ge 100 ] || die "IMPORT_ROWS must be at least 100"
mkdir -p "$OUT"

ensure_local_postgres
bootstrap_local_roles
need_command jq
if [ -n "${BENCH_BINARY:-}" ]; then
  TENET=$(realpath "$BENCH_BINARY")
else
  require_rust
  TENET=$(benches/build.sh)
fi

start_local_server "$DB" "$PORT" "$OUT"
trap 'stop_local_server; rm -f "$OUT/contacts.csv" "$OUT/export.csv"' EXIT

TOKEN=$(signup_token owner@import.bench "Import Bench")
auth=(-H "Authorization: Bearer $TOKEN")

log "writing a CSV of $ROWS contacts"
{
  echo "First name,Last name,E-mail,Phone"
  seq 1 "$ROWS" | awk '{ printf "Person %d,Row %d,person%d@import.bench,+1 555 %07d\n", $1, $1 % 97, $1, $1 }'
} >"$OUT/contacts.csv"
BYTES=$(stat -c %s "$OUT/contacts.csv")

IMPORT=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"resource":"contacts","mode":"create","mapping":{"First name":"first_name","Last name":"last_name","E-mail":"email","Phone":"phone"}}' \
  "$BASE/api/imports" | jq -er .id) || die "cannot create the import"
# A warm-up request, so the baseline includes the runtime's working set.
curl -sf "${auth[@]}" "$BASE/api/contacts" >/dev/null
BEFORE=$(rss_kib VmRSS)

log "importing $ROWS rows ($((BYTES / 1024)) KiB), streamed"
START=$(date +%s.%N)
RESULT=$(curl -sf "${auth[@]}" -H 'Content-Type: text/csv' --data-binary "@$OUT/contacts.csv" "$BASE/api/imports/$IMPORT/run") \
  || die "the import failed: $(tail -n 5 "$OUT/server.log")"
END=$(date +%s.%N)
PEAK=$(rss_kib VmHWM)
CREATED=$(jq -er .rows_created <<<"$RESULT")
FAILED=$(jq -er .rows_failed <<<"$RESULT")

log "exporting them again, streamed"
E_START=$(date +%s.%N)
curl -sf "${auth[@]}" "$BASE/api/contacts/export.csv" -o "$OUT/export.csv" || die "the export failed"
E_END=$(date +%s.%N)
EXPORTED=$(($(wc -l <"$OUT/export.csv") - 1))
PEAK_AFTER_EXPORT=$(rss_kib VmHWM)

IMPORT_SECS=$(awk -v a="$START" -v b="$END" 'BEGIN { printf "%.3f", b - a }')
EXPORT_SECS=$(awk -v a="$E_START" -v b="$E_END" 'BEGIN { printf "%.3f", b - a }')
GROWTH_KIB=$((PEAK_AFTER_EXPORT - BEFORE))
jq -n --argjson rows "$ROWS" --argjson bytes "$BYTES" --argjson created "$CREATED" --argjson failed "$FAILED" \
  --argjson exported "$EXPORTED" --arg import_s "$IMPORT_SECS" --arg export_s "$EXPORT_SECS" \
  --argjson rss_before "$BEFORE" --argjson peak_import "$PEAK" --argjson peak_export "$PEAK_AFTER_EXPORT" \
  --arg binary "$TENET" --arg git "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  '{git: $git, binary: $binary, rows: $rows, file_bytes: $bytes, created: $created, failed: $failed, exported: $exported,
    import_seconds: ($import_s | tonumber), import_rows_per_s: ($rows / ($import_s | tonumber) | floor),
    export_seconds: ($export_s | tonumber), export_rows_per_s: ($exported / ($export_s | tonumber) | floor),
    server_rss_kib: {before: $rss_before, peak_after_import: $peak_import, peak_after_export: $peak_export}}' >"$OUT/import.json"
{
  echo "| rows | file | import | rows/s | export | rows/s | server RSS before | peak (import) | peak (export) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  jq -r '"| \(.rows) | \(.file_bytes / 1048576 * 10 | floor / 10) MiB | \(.import_seconds * 10 | floor / 10) s | \(.import_rows_per_s) | \(.export_seconds * 10 | floor / 10) s | \(.export_rows_per_s) | \(.server_rss_kib.before / 1024 | floor) MiB | \(.server_rss_kib.peak_after_import / 1024 | floor) MiB | \(.server_rss_kib.peak_after_export / 1024 | floor) MiB |"' "$OUT/import.json"
} | tee "$OUT/import.md"

[ "$CREATED" = "$ROWS" ] && [ "$FAILED" = 0 ] || die "imported $CREATED of $ROWS rows ($FAILED failed)"
[ "$EXPORTED" = "$ROWS" ] || die "exported $EXPORTED of $ROWS rows"
[ "$GROWTH_KIB" -le $((MAX_GROWTH * 1024)) ] || die "the server's peak memory grew by $((GROWTH_KIB / 1024)) MiB (limit $MAX_GROWTH MiB)"
log "ok: $ROWS rows in and out; the server's peak grew by $((GROWTH_KIB / 1024)) MiB"
