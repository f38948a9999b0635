# Shared by scripts/run and scripts/test: make sure a PostgreSQL server is
# available and holds the roles Tenet needs. Sourced, not executed.
#
#   DATABASE_URL set  -> used as the owner (migration) role; nothing installed.
#   otherwise         -> the local server on 127.0.0.1:5432; if PostgreSQL is
#                        not installed it is installed with apt, and started
#                        if it is not running.
set -euo pipefail

PGHOST_LOCAL=127.0.0.1
PGPORT_LOCAL=${PGPORT_LOCAL:-5432}
# Development-only credentials for the local server (override in the environment).
TENET_ADMIN_PASSWORD=${TENET_ADMIN_PASSWORD:-tenet_admin}
TENET_OWNER_PASSWORD_DB=${TENET_OWNER_PASSWORD_DB:-tenet_owner}
TENET_WEB_PASSWORD=${TENET_WEB_PASSWORD:-tenet_web}

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root (or sudo) for: $*"; fi
}

require_rust() {
  command -v cargo >/dev/null || die "cargo (Rust) is required: install it with rustup (https://rustup.rs)"
}

require_node() {
  if ! command -v npm >/dev/null; then
    log "installing Node.js and npm with apt"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
}

pg_bindir() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$v" ] && echo "/usr/lib/postgresql/$v/bin"
}

ensure_local_postgres() {
  if ! command -v psql >/dev/null || [ -z "$(pg_bindir)" ]; then
    log "PostgreSQL is not installed: installing it with apt"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  fi
  if pg_isready -q -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL"; then return; fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    version=$(basename "$(dirname "$(pg_bindir)")")
    log "creating PostgreSQL $version cluster 'main'"
    as_root pg_createcluster "$version" main --port "$PGPORT_LOCAL" >/dev/null
  fi
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" && return
    sleep 1
  done
  die "PostgreSQL did not become ready on $PGHOST_LOCAL:$PGPORT_LOCAL"
}

# psql as a superuser of the local server: over TCP when trust or a password
# allows it, else over the socket as the postgres OS user (peer auth).
superuser_psql() {
  if PGCONNECT_TIMEOUT=3 psql -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U postgres -d postgres -w -Atqc 'select 1' >/dev/null 2>&1; then
    psql -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U postgres -d postgres -w -v ON_ERROR_STOP=1 -Atq "$@"
  elif PGPASSWORD="$TENET_ADMIN_PASSWORD" PGCONNECT_TIMEOUT=3 psql -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U tenet_admin -d postgres -w -Atqc 'select 1' >/dev/null 2>&1; then
    PGPASSWORD="$TENET_ADMIN_PASSWORD" psql -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U tenet_admin -d postgres -w -v ON_ERROR_STOP=1 -Atq "$@"
  else
    (cd / && as_root runuser -u postgres -- psql -p "$PGPORT_LOCAL" -d postgres -v ON_ERROR_STOP=1 -Atq "$@")
  fi
}

# Roles of the local development server:
#   tenet_admin  superuser, used only by the test suite (it creates databases
#                and proves that `tenet serve` refuses a superuser);
#   tenet_owner  owns the database and runs migrations;
#   tenet_web    the login role of `tenet serve`, granted tenet_api.
bootstrap_local_roles() {
  superuser_psql <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenet_admin') THEN
    CREATE ROLE tenet_admin LOGIN SUPERUSER PASSWORD '$TENET_ADMIN_PASSWORD';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenet_owner') THEN
    CREATE ROLE tenet_owner LOGIN CREATEROLE PASSWORD '$TENET_OWNER_PASSWORD_DB';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenet_web') THEN
    CREATE ROLE tenet_web LOGIN NOINHERIT PASSWORD '$TENET_WEB_PASSWORD';
  END IF;
END
\$\$;
SQL
}

local_url() { # user password database
  echo "postgres://$1:$2@$PGHOST_LOCAL:$PGPORT_LOCAL/$3"
}

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/tenet-target}

# A fresh database migrated by the binary $TENET and a `tenet serve` on it, for
# the scripts that drive a real server (benches/import.sh, benches/overload.sh,
# scripts/schemathesis): start_local_server DB PORT OUT [NAME=value ...] (extra
# settings for the server). Sets SERVER_PID and BASE, waits for /api/ready,
# and stops the server and drops the database on exit (LOCAL_SERVER_KEEP_DB=1
# keeps it). The server logs to OUT/server.log.
start_local_server() {
  local db=$1 port=$2 out=$3
  shift 3
  LOCAL_SERVER_DB=$db
  superuser_psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  superuser_psql -c "CREATE DATABASE $db OWNER tenet_owner" >/dev/null
  DATABASE_URL="$(local_url tenet_owner "$TENET_OWNER_PASSWORD_DB" "$db")" RUST_LOG=warn "$TENET" migrate >/dev/null
  superuser_psql -c "SET client_min_messages = warning; GRANT tenet_api TO tenet_web" >/dev/null
  trap stop_local_server EXIT
  serve_local "$(local_url tenet_web "$TENET_WEB_PASSWORD" "$db")" "$port" "$out" "$@"
}

# serve_local URL PORT OUT [NAME=value ...]: `tenet serve` ($TENET) logging in
# with URL, on PORT, with a random JWT secret and the rate limit off (extra
# settings after OUT win). Sets SERVER_PID and BASE, waits for /api/ready; the
# server logs to OUT/server.log. Stopping it is the caller's.
serve_local() {
  local url=$1 port=$2 out=$3
  shift 3
  BASE=http://127.0.0.1:$port
  if curl -s -o /dev/null "$BASE/api/health" 2>/dev/null; then die "port $port is already in use"; fi
  env DATABASE_URL="$url" JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" AUTH_RATE_LIMIT_PER_MINUTE=0 \
    BCRYPT_COST=10 PORT="$port" ACCESS_TOKEN_TTL_SECONDS=3600 RUST_LOG=warn "$@" "$TENET" serve >"$out/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 3000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/ready" || true)" = 200 ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || die "tenet serve exited: $(tail -n 5 "$out/server.log")"
    sleep 0.01
  done
  die "tenet serve did not become ready"
}

# bench_owner_tokens N: access tokens of the first N tenant owners that
# benches/run.sh seeded, signed in on $BASE, one per line.
BENCH_OWNER_PASSWORD='bench-Owner-pass-2026'
bench_owner_tokens() {
  local i
  for i in $(seq 1 "$1"); do
    curl -sf -H 'Content-Type: application/json' -d "$(bench_login_body "$i")" \
      "$BASE/api/auth/login" | jq -er .access_token || die "bench owner $i could not sign in"
  done
}

# need_command CMD [PACKAGE]: installs PACKAGE (default CMD) from Debian's
# packages unless CMD is on the PATH.
need_command() {
  command -v "$1" >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${2:-$1}" >/dev/null; }
}

# wrk_field LINE KEY: the value of KEY in the BENCH_RESULT line that
# benches/rotate.lua and benches/refresh.lua print (rps, p50_us, p99_us, ...).
wrk_field() {
  sed -nE "s/.* $2=([0-9.]+).*/\1/p" <<<"$1"
}

# bench_context: the request context the app's list sets (line 3 of the
# pipeline in the pgbench scripts benches/run.sh wrote to BENCH_OUT:
# SELECT set_config('role', ...), ...), for the scripts that replay it.
bench_context() {
  local script=${BENCH_OUT:-bench-results}/pgbench/pg_list_appshape_1.sql ctx
  [ -f "$script" ] || die "$script is missing: run ./benches/run.sh first"
  ctx=$(sed -n 3p "$script")
  [[ "$ctx" == "SELECT set_config('role'"* ]] || die "$script does not have the shape this script reads"
  printf '%s\n' "$ctx"
}

# bench_login_body N: the JSON body of a login as bench owner N (one line).
bench_login_body() {
  local n; n=$(printf '%04d' "$1")
  jq -nc --arg e "owner$n@bench.example" --arg p "$BENCH_OWNER_PASSWORD" --arg t "bench-tenant-$n" '{email: $e, password: $p, tenant: $t}'
}

# bench_web_role DB: the login role benches/run.sh served DB with (it is
# created there when tenet_web does not inherit tenet_api), after checking
# that DB exists.
bench_web_role() {
  [ "$(superuser_psql -c "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = 1 ] \
    || die "database $1 not found: run ./benches/run.sh first (it keeps its database)"
  if [ "$(superuser_psql -c "SELECT count(*) FROM pg_roles WHERE rolname = 'tenet_bench_web'")" = 1 ]; then
    echo tenet_bench_web
  else
    echo tenet_web
  fi
}

stop_local_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  [ "${LOCAL_SERVER_KEEP_DB:-0}" = 1 ] || superuser_psql -c "DROP DATABASE IF EXISTS $LOCAL_SERVER_DB WITH (FORCE)" >/dev/null 2>&1 || true
}

# signup_token EMAIL TENANT: signs up a tenant on $BASE and prints the owner's access token.
signup_token() {
  curl -sf -H 'Content-Type: application/json' \
    -d "{\"tenant_name\":\"$2\",\"email\":\"$1\",\"password\":\"local-server-password-1\",\"name\":\"Owner\"}" \
    "$BASE/api/auth/signup" | jq -er .access_token || die "signup of $1 failed"
}

# rss_kib VmRSS|VmHWM: the server's resident (or peak) memory in KiB.
rss_kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$SERVER_PID/status"; }

# cpu_ticks PID: the process's CPU time so far, user + system, in clock ticks
# (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# cpu_us_per TICKS N: TICKS of CPU time per unit of N, in microseconds ("-" for no units).
cpu_us_per() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { if (n > 0) printf "%.0f", t / hz * 1e6 / n; else print "-" }'; }
