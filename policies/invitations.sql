-- ============================================================================
-- invitations: `users:manage` reads the tenant's invitations; they are created,
-- revoked and accepted only through the SECURITY DEFINER functions of
-- sql/35_invitations.sql (the API role holds no write grant).
-- ============================================================================
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON invitations;
CREATE POLICY "the owner's security definer functions act on every row" ON invitations FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON invitations IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "user managers read their tenant's invitations" ON invitations;
CREATE POLICY "user managers read their tenant's invitations" ON invitations FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('users:manage')));
COMMENT ON POLICY "user managers read their tenant's invitations" ON invitations IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission users:manage.';

DROP POLICY IF EXISTS "invitations are created by app.create_invitation" ON invitations;
CREATE POLICY "invitations are created by app.create_invitation" ON invitations FOR INSERT TO tenet_api WITH CHECK (false);
COMMENT ON POLICY "invitations are created by app.create_invitation" ON invitations IS
  'The API role may never insert into invitations directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "invitations change through app functions" ON invitations;
CREATE POLICY "invitations change through app functions" ON invitations FOR UPDATE TO tenet_api USING (false) WITH CHECK (false);
COMMENT ON POLICY "invitations change through app functions" ON invitations IS
  'The API role may never update invitations directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "invitations are never deleted by the API" ON invitations;
CREATE POLICY "invitations are never deleted by the API" ON invitations FOR DELETE TO tenet_api USING (false);
COMMENT ON POLICY "invitations are never deleted by the API" ON invitations IS
  'The API role may never delete from invitations directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

REVOKE ALL ON invitations FROM PUBLIC, tenet_api;
GRANT SELECT (tenant_id, id, email, invited_by, created_at, expires_at, accepted_at, revoked_at) ON invitations TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER invitations_audit AFTER INSERT OR UPDATE OR DELETE ON invitations
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('invitation', 'id');
