-- ============================================================================
-- V010: email verification (contract v1.1). A new account starts
-- unverified and may use only its home tenant (the one it was created in, by
-- signup or by that tenant's admin) until it proves its mailbox, by the
-- mailed link or by accepting an invitation.
-- ============================================================================
-- Fail fast rather than queue behind a long transaction while holding locks.
SET lock_timeout = '5s';

ALTER TABLE users
  ADD COLUMN email_verified_at timestamptz,
  ADD COLUMN home_tenant_id uuid REFERENCES tenants (id) ON DELETE SET NULL;
CREATE INDEX users_home_tenant_idx ON users (home_tenant_id);
-- Accounts from before v1.1 were created under the v1 rules and keep working
-- in every tenant they belong to.
UPDATE users SET email_verified_at = created_at;

CREATE TABLE app_private.email_verifications (
  token_hash  bytea       NOT NULL CHECK (length(token_hash) = 32),
  user_id     uuid        NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  CONSTRAINT email_verifications_pkey PRIMARY KEY (token_hash)
);
CREATE INDEX email_verifications_user_idx ON app_private.email_verifications (user_id);
COMMENT ON TABLE app_private.email_verifications IS
  'Mailed email-verification tokens (sha256 only): single use, valid 7 days.';

-- The functions that now also mail a verification token take it as a new
-- last argument (sql/ re-creates them right after this migration).
DROP FUNCTION IF EXISTS app.find_or_create_user(text, text, text);
DROP FUNCTION IF EXISTS app.signup(text, text, text, text, uuid, bytea, bytea, interval);
DROP FUNCTION IF EXISTS app.accept_invitation(bytea, text, text, uuid, bytea, bytea, interval);
