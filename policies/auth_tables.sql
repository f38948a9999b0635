-- ============================================================================
-- sessions: an authentication table found before a tenant is known
-- (DATABASE.md invariant 4, exception). The API role writes it only through
-- the SECURITY DEFINER functions of sql/20_auth.sql; its one direct read is
-- session-keyed: a caller lists their own sessions. The other
-- authentication tables (refresh tokens, login attempts, security events)
-- and the password hashes live in schema app_private, out of the API role's
-- reach (V007), and need no policies.
-- ============================================================================
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON sessions;
CREATE POLICY "the owner's security definer functions act on every row" ON sessions FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON sessions IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';


DROP POLICY IF EXISTS "callers see their own sessions" ON sessions;
CREATE POLICY "callers see their own sessions" ON sessions FOR SELECT TO tenet_api
  USING (user_id = (SELECT app.current_user_id()) AND (SELECT app.current_session_kind()) = 'login');
COMMENT ON POLICY "callers see their own sessions" ON sessions IS
  'SELECT by the API role: the caller''s own sessions (in every tenant they belong to), while the request context is a '
  'valid signed-in session (an API key does not read its creator''s sessions).';
DROP POLICY IF EXISTS "sessions are opened only by app.signup and app.finish_login" ON sessions;
CREATE POLICY "sessions are opened only by app.signup and app.finish_login" ON sessions FOR INSERT TO tenet_api
  WITH CHECK (false);
COMMENT ON POLICY "sessions are opened only by app.signup and app.finish_login" ON sessions IS
  'The API role may never insert into sessions directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';
DROP POLICY IF EXISTS "sessions change through app functions" ON sessions;
CREATE POLICY "sessions change through app functions" ON sessions FOR UPDATE TO tenet_api USING (false) WITH CHECK (false);
COMMENT ON POLICY "sessions change through app functions" ON sessions IS
  'The API role may never update sessions directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';
DROP POLICY IF EXISTS "sessions are never deleted by the API" ON sessions;
CREATE POLICY "sessions are never deleted by the API" ON sessions FOR DELETE TO tenet_api USING (false);
COMMENT ON POLICY "sessions are never deleted by the API" ON sessions IS
  'The API role may never delete from sessions directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

REVOKE ALL ON sessions FROM PUBLIC, tenet_api;
GRANT SELECT (id, user_id, tenant_id, kind, created_at, last_used_at, expires_at, revoked_at, ip, user_agent) ON sessions TO tenet_api;
