#!/usr/bin/env bash
# Builds the release `tenet` binary for benches/run.sh, one cargo at a time:
# the machine is shared, so it first waits (up to an hour) while another
# cargo runs. Prints the path of the binary on standard output.
#   CARGO_TARGET_DIR [~/.cache/tenet-target]   (set by scripts/lib.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
require_rust

waited=0
while pgrep -x cargo >/dev/null; do
  [ "$waited" = 0 ] && log "another cargo is running: waiting for it to finish"
  waited=$((waited + 5))
  [ "$waited" -lt 3600 ] || die "cargo still running after an hour"
  sleep 5
done
log "building tenet (release)"
cargo build --release --locked --quiet --bin tenet >&2
echo "$CARGO_TARGET_DIR/release/tenet"
