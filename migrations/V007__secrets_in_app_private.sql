-- ============================================================================
-- V007: secrets and authentication internals move to schema app_private, on
-- which tenet_api has no USAGE: password hashes (a 1:1 user_secrets table),
-- refresh tokens, login attempts, security events, and the audit chain's
-- heads and anchors. Only SECURITY DEFINER functions owned by the owner
-- reach them, so they need no row-level security, and the owner-bypass and
-- deny-all policies they carried go away with it.
--
-- Expand: app_private.user_secrets, filled from users.password_hash.
-- Contract: users.password_hash is dropped; the functions of sql/ that are
-- re-applied right after this migration read and write user_secrets.
-- Moves: ALTER TABLE ... SET SCHEMA keeps rows, indexes, constraints and
-- triggers; only names change.
-- ============================================================================
-- Fail fast rather than queue behind a long transaction while holding locks.
SET lock_timeout = '5s';

CREATE TABLE app_private.user_secrets (
  user_id        uuid        NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
  password_hash  text        NOT NULL CHECK (password_hash ~ '^\$2[abxy]\$[0-9]{2}\$[./A-Za-z0-9]{53}$'),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT user_secrets_pkey PRIMARY KEY (user_id)
);
COMMENT ON TABLE app_private.user_secrets IS
  'One row per account: its bcrypt hash (of base64(sha256(password))). Read and written only by the owner''s '
  'SECURITY DEFINER functions; the API role never sees a hash (it gets the salt, the database compares).';
INSERT INTO app_private.user_secrets (user_id, password_hash) SELECT id, password_hash FROM public.users;
ALTER TABLE public.users DROP COLUMN password_hash;

DO $$
DECLARE
  t text;
  p record;
BEGIN
  FOREACH t IN ARRAY ARRAY['refresh_tokens', 'login_attempts', 'security_events', 'audit_chain_heads', 'audit_chain_anchors'] LOOP
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = t LOOP
      EXECUTE format('DROP POLICY %I ON public.%I', p.policyname, t);
    END LOOP;
    EXECUTE format('ALTER TABLE public.%I NO FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE public.%I DISABLE ROW LEVEL SECURITY', t);
    EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC', t);
    EXECUTE format('ALTER TABLE public.%I SET SCHEMA app_private', t);
  END LOOP;
END
$$;
