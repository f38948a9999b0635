-- ============================================================================
-- Authentication tables found before a tenant is known (DATABASE.md
-- invariant 4, exception): sessions, refresh_tokens, login_attempts and
-- security_events. The API role writes none of them directly; it reaches them
-- through the SECURITY DEFINER functions of sql/20_auth.sql. The only direct
-- read is session-keyed: a caller lists their own sessions.
-- ============================================================================
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON sessions;
CREATE POLICY "the owner's security definer functions act on every row" ON sessions FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);


DROP POLICY IF EXISTS "callers see their own sessions" ON sessions;
CREATE POLICY "callers see their own sessions" ON sessions FOR SELECT TO tenet_api
  USING (user_id = (SELECT app.current_user_id()) AND (SELECT app.current_tenant_id()) IS NOT NULL);
DROP POLICY IF EXISTS "sessions are opened only by app.signup and app.finish_login" ON sessions;
CREATE POLICY "sessions are opened only by app.signup and app.finish_login" ON sessions FOR INSERT TO tenet_api
  WITH CHECK (false);
DROP POLICY IF EXISTS "sessions change through app functions" ON sessions;
CREATE POLICY "sessions change through app functions" ON sessions FOR UPDATE TO tenet_api USING (false) WITH CHECK (false);
DROP POLICY IF EXISTS "sessions are never deleted by the API" ON sessions;
CREATE POLICY "sessions are never deleted by the API" ON sessions FOR DELETE TO tenet_api USING (false);

REVOKE ALL ON sessions FROM PUBLIC, tenet_api;
GRANT SELECT (id, user_id, tenant_id, created_at, last_used_at, expires_at, revoked_at, ip, user_agent) ON sessions TO tenet_api;

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON refresh_tokens;
CREATE POLICY "the owner's security definer functions act on every row" ON refresh_tokens FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);

REVOKE ALL ON refresh_tokens FROM PUBLIC, tenet_api;

ALTER TABLE login_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_attempts FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON login_attempts;
CREATE POLICY "the owner's security definer functions act on every row" ON login_attempts FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);

REVOKE ALL ON login_attempts FROM PUBLIC, tenet_api;

ALTER TABLE security_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE security_events FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON security_events;
CREATE POLICY "the owner's security definer functions act on every row" ON security_events FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);

REVOKE ALL ON security_events FROM PUBLIC, tenet_api;
