-- ============================================================================
-- V004: the database decides the password check, sessions carry a secret,
-- extensions leave schema public.
--
-- * sessions.secret_hash: SHA-256 of the session's secret (the access
--   token's `ssec` claim, set per request as app.session_secret). Knowing a
--   session's ids, which the audit log shows, is no longer enough to act as
--   its member. Sessions opened before this migration have no secret and are
--   ended: their users sign in again.
-- * app_private: what tenet_api must never read (no USAGE). Here the pepper
--   that derives a stable fake bcrypt salt for unknown emails, so that the
--   salt answered before a login tells nothing about whether an account
--   exists.
-- * The old login entry points handed the bcrypt hash to the API role and let
--   it open a session for any user after a recorded attempt, without a
--   password: they are dropped (their replacements are in sql/20_auth.sql).
-- * pg_trgm and btree_gin move to schema `extensions`, on which neither
--   PUBLIC nor tenet_api has USAGE: their 118 functions are no longer
--   callable through schema public. A non-superuser owner cannot ALTER
--   EXTENSION ... SET SCHEMA (the member functions belong to the bootstrap
--   superuser), so they are dropped and created again, and the trigram
--   indexes built again (index scans need no privilege on the operator class).
-- ============================================================================
-- Fail fast rather than queue behind a long transaction while holding locks.
SET lock_timeout = '5s';
ALTER TABLE sessions ADD COLUMN secret_hash bytea CHECK (length(secret_hash) = 32);
COMMENT ON COLUMN sessions.secret_hash IS
  'SHA-256 of the session secret (the access token''s ssec claim, app.session_secret per request). '
  'A request context is valid only with the secret whose hash this is.';
UPDATE sessions SET revoked_at = now(), revoked_reason = 'upgrade' WHERE revoked_at IS NULL;

CREATE SCHEMA IF NOT EXISTS app_private;
REVOKE ALL ON SCHEMA app_private FROM PUBLIC;
COMMENT ON SCHEMA app_private IS 'Secrets and internals that the API role never reads directly (no USAGE for tenet_api).';

CREATE TABLE app_private.login_pepper (
  singleton  boolean NOT NULL DEFAULT true CHECK (singleton),
  pepper     bytea   NOT NULL CHECK (length(pepper) = 32),
  CONSTRAINT login_pepper_pkey PRIMARY KEY (singleton)
);
COMMENT ON TABLE app_private.login_pepper IS
  'One random value per installation: derives the stable fake bcrypt salt answered for unknown emails.';
INSERT INTO app_private.login_pepper (pepper)
VALUES (sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')));

DROP POLICY IF EXISTS "sessions are opened through app.open_session" ON sessions;
DROP FUNCTION IF EXISTS app.open_session(uuid, uuid, bytea, interval, bigint);
DROP FUNCTION IF EXISTS app.fail_login(bigint, text);
DROP FUNCTION IF EXISTS app.begin_login(text, text);
DROP FUNCTION IF EXISTS app.current_password_hash();
DROP FUNCTION IF EXISTS app.change_password(text);
DROP FUNCTION IF EXISTS app.signup(text, text, text, text);

CREATE SCHEMA IF NOT EXISTS extensions;
REVOKE ALL ON SCHEMA extensions FROM PUBLIC;
COMMENT ON SCHEMA extensions IS 'Extensions live here, away from schema public; the API role has no USAGE.';
DROP EXTENSION btree_gin CASCADE;
DROP EXTENSION pg_trgm CASCADE;
CREATE EXTENSION pg_trgm SCHEMA extensions;
CREATE EXTENSION btree_gin SCHEMA extensions;
CREATE INDEX companies_name_trgm_idx ON companies USING gin (tenant_id, name extensions.gin_trgm_ops);
CREATE INDEX companies_domain_trgm_idx ON companies USING gin (tenant_id, domain extensions.gin_trgm_ops);
CREATE INDEX contacts_first_name_trgm_idx ON contacts USING gin (tenant_id, first_name extensions.gin_trgm_ops);
CREATE INDEX contacts_last_name_trgm_idx ON contacts USING gin (tenant_id, last_name extensions.gin_trgm_ops);
CREATE INDEX contacts_email_trgm_idx ON contacts USING gin (tenant_id, email extensions.gin_trgm_ops);
