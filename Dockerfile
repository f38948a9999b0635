# syntax=docker/dockerfile:1
#
# Tenet: one image with the `tenet` binary and the built frontend.
#
#   docker build -t tenet .
#   docker run --rm -e DATABASE_URL=<owner url> tenet tenet migrate
#   docker run --rm -p 8080:8080 -e DATABASE_URL=<login role url> -e JWT_SECRET=... tenet
#
# The SQL of migrations/, sql/ and policies/ is compiled into the binary
# (build.rs, include_dir!, refinery), so the runtime image needs no SQL files.
# See docs/deploy.md.

# ---------------------------------------------------------------------------
# 1. Rust: dependencies first (cached while Cargo.toml/Cargo.lock are
#    unchanged), then the real sources.
# ---------------------------------------------------------------------------
FROM rust:1-bookworm AS rust-builder
WORKDIR /build

COPY Cargo.toml Cargo.lock build.rs ./
# Placeholder targets so `cargo build` compiles only the dependencies here.
RUN mkdir -p src sql policies migrations \
 && echo 'fn main() {}' > src/main.rs \
 && : > src/lib.rs \
 && cargo build --release --locked --bin tenet \
 && rm -rf src target/release/tenet target/release/deps/tenet-* target/release/deps/libtenet-* \
           target/release/.fingerprint/tenet-*

COPY src ./src
COPY migrations ./migrations
COPY sql ./sql
COPY policies ./policies
# touch: the copied files keep their (older) timestamps; make sure cargo
# rebuilds the crate instead of trusting the placeholder's fingerprint.
RUN touch src/main.rs src/lib.rs build.rs \
 && cargo build --release --locked --bin tenet \
 && install -D -m 0755 target/release/tenet /out/tenet

# ---------------------------------------------------------------------------
# 2. Frontend: the Vite build (served by `tenet serve` at /).
# ---------------------------------------------------------------------------
FROM node:22-bookworm-slim AS frontend-builder
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
# `npm install` with the committed lock, as scripts/run does: `npm ci` of
# recent npm releases rejects the lock npm itself writes (rollup's optional
# platform packages).
RUN npm install --no-audit --no-fund --loglevel=error
COPY frontend/ ./
# Same origin as the API inside this image: no VITE_API_BASE_URL.
RUN npm run build

# ---------------------------------------------------------------------------
# 3. Runtime: Debian slim, CA certificates (SMTP over TLS), a non-root user.
# ---------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# DL3008 (pin apt package versions): ca-certificates must follow Debian's
# security updates of bookworm; a pinned version disappears from the archive
# and breaks the build.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tenet \
 && useradd --system --uid 10001 --gid tenet --home-dir /app --shell /usr/sbin/nologin tenet

WORKDIR /app
COPY --from=rust-builder /out/tenet /usr/local/bin/tenet
COPY --from=frontend-builder /build/frontend/dist /app/frontend/dist

# `tenet migrate` reads the owner's URL from DATABASE_URL, while the serving
# container's DATABASE_URL is the login role's. Platforms that run the
# migration in the serving service's environment (Railway's preDeployCommand)
# call this wrapper, which takes the owner's URL from MIGRATE_DATABASE_URL.
# SC2016: the single quotes are deliberate, the $VARs expand when the wrapper
# runs, not at build time.
# hadolint ignore=SC2016
RUN printf '%s\n' \
      '#!/bin/sh' \
      '# Runs `tenet migrate` as the owner role of MIGRATE_DATABASE_URL.' \
      'set -eu' \
      ': "${MIGRATE_DATABASE_URL:?set MIGRATE_DATABASE_URL to the owner role URL (see docs/deploy.md)}"' \
      'DATABASE_URL="$MIGRATE_DATABASE_URL" exec tenet migrate "$@"' \
      > /usr/local/bin/tenet-migrate \
 && chmod 0755 /usr/local/bin/tenet-migrate

ENV FRONTEND_DIR=/app/frontend/dist \
    PORT=8080 \
    RUST_LOG=info

# Numeric, so runtimes that enforce runAsNonRoot can check it (tenet:tenet).
USER 10001:10001
EXPOSE 8080

# The slim image has no curl: bash (always present in Debian) speaks HTTP/1.0
# over /dev/tcp to GET /api/health (liveness; /api/ready also checks the
# database) and succeeds only on a 200 status line.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-8080} && printf 'GET /api/health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q '^HTTP/1\\.[01] 200'"]

# No ENTRYPOINT: platforms that replace the start command (Railway, compose's
# `command:`) give the whole command line, e.g. `tenet migrate`.
CMD ["tenet", "serve"]
