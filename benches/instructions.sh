#!/usr/bin/env bash
# The server's instructions per request, counted by callgrind: the same count
# in every run whatever else the machine does, so a change of a few percent
# shows where wall-clock figures (ab.sh) drown in noise. Each binary serves
# the database benches/run.sh left behind under valgrind; after
# INSTR_WARMUP requests the instrumentation is switched on, INSTR_REQUESTS
# more are sent one at a time with curl, and the count is dumped.
#
#   ./benches/run.sh                   # once (BENCH_QUICK=1 is enough)
#   ./benches/instructions.sh OLD_BINARY NEW_BINARY
#
#   INSTR_PATH [/api/contacts?limit=50]  the GET to send
#   INSTR_REQUESTS [300], INSTR_WARMUP [50]
#   INSTR_TOP [0]                        also print the N functions that spend the most
#                                        instructions, their own (callgrind_annotate)
#   BENCH_DB [tenet_bench], BENCH_PORT [18190]
# Prints one line per binary: instructions per request. Nothing asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

[ $# -ge 1 ] || die "usage: benches/instructions.sh BINARY..."
for b in "$@"; do [ -x "$b" ] || die "$b is not an executable"; done
DB=${BENCH_DB:-tenet_bench}
PORT=${BENCH_PORT:-18190}
PATH_=${INSTR_PATH:-/api/contacts?limit=50}
N=${INSTR_REQUESTS:-300}
WARMUP=${INSTR_WARMUP:-50}
need_command valgrind
WEB_ROLE=$(bench_web_role "$DB")
TMP=$(mktemp -d)
SERVER_PID=
trap '[ -z "$SERVER_PID" ] || kill $SERVER_PID 2>/dev/null || true; rm -rf "$TMP"' EXIT

for bin in "$@"; do
  rm -f "$TMP"/cg.out*
  # serve_local runs $TENET: here a script that runs the binary under valgrind.
  printf '#!/bin/sh\nexec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=%s "%s" "$@"\n' "$TMP/cg.out" "$bin" >"$TMP/tenet"
  chmod +x "$TMP/tenet"
  TENET=$TMP/tenet
  serve_local "$(local_url "$WEB_ROLE" "$TENET_WEB_PASSWORD" "$DB")" "$PORT" "$TMP"
  token=$(bench_owner_tokens 1)
  for _ in $(seq 1 "$WARMUP"); do curl -sf -o /dev/null -H "Authorization: Bearer $token" "$BASE$PATH_"; done
  callgrind_control -i on "$SERVER_PID" >/dev/null 2>&1
  for _ in $(seq 1 "$N"); do curl -sf -o /dev/null -H "Authorization: Bearer $token" "$BASE$PATH_"; done
  callgrind_control -d "$SERVER_PID" >/dev/null 2>&1
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  total=$(awk '/^totals:/ { print $2 }' "$TMP/cg.out.1")
  [ -n "$total" ] || die "no callgrind dump for $bin"
  echo "$bin: $((total / N)) instructions per $PATH_ ($N requests)"
  if [ "${INSTR_TOP:-0}" -gt 0 ]; then
    callgrind_annotate "$TMP/cg.out.1" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | sed -n "2,$((INSTR_TOP + 1))p"
  fi
done
