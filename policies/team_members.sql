-- ============================================================================
-- team_members: every member reads who is in which team; `teams:manage`
-- adds and removes members. Joining a team widens what a team-scoped grant
-- reaches, so only team managers change it.
-- ============================================================================
ALTER TABLE team_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE team_members FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON team_members;
CREATE POLICY "the owner's security definer functions act on every row" ON team_members FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON team_members IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "members read their tenant's team members" ON team_members;
CREATE POLICY "members read their tenant's team members" ON team_members FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id()));
COMMENT ON POLICY "members read their tenant's team members" ON team_members IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "team managers add team members" ON team_members;
CREATE POLICY "team managers add team members" ON team_members FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('teams:manage')));
COMMENT ON POLICY "team managers add team members" ON team_members IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission teams:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody updates team members in place" ON team_members;
CREATE POLICY "nobody updates team members in place" ON team_members FOR UPDATE TO tenet_api
  USING (false) WITH CHECK (false);
COMMENT ON POLICY "nobody updates team members in place" ON team_members IS
  'The API role may never update team_members directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "team managers remove team members" ON team_members;
CREATE POLICY "team managers remove team members" ON team_members FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('teams:manage')));
COMMENT ON POLICY "team managers remove team members" ON team_members IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission teams:manage. Read the predicate for the exact rule.';

REVOKE ALL ON team_members FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON team_members TO tenet_api;
GRANT INSERT (tenant_id, team_id, user_id) ON team_members TO tenet_api;

CREATE OR REPLACE TRIGGER team_members_audit AFTER INSERT OR UPDATE OR DELETE ON team_members
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('team_member', 'team_id');
