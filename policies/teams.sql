-- ============================================================================
-- teams: every member reads the tenant's teams (they decide the team scope of
-- sql/32_record_access.sql); `teams:manage` creates, renames and deletes them.
-- ============================================================================
ALTER TABLE teams ENABLE ROW LEVEL SECURITY;
ALTER TABLE teams FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON teams;
CREATE POLICY "the owner's security definer functions act on every row" ON teams FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON teams IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "members read their tenant's teams" ON teams;
CREATE POLICY "members read their tenant's teams" ON teams FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id()));
COMMENT ON POLICY "members read their tenant's teams" ON teams IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "team managers create teams" ON teams;
CREATE POLICY "team managers create teams" ON teams FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('teams:manage')));
COMMENT ON POLICY "team managers create teams" ON teams IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission teams:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "team managers edit teams" ON teams;
CREATE POLICY "team managers edit teams" ON teams FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('teams:manage')))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('teams:manage')));
COMMENT ON POLICY "team managers edit teams" ON teams IS
  'UPDATE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission teams:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "team managers delete teams" ON teams;
CREATE POLICY "team managers delete teams" ON teams FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('teams:manage')));
COMMENT ON POLICY "team managers delete teams" ON teams IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission teams:manage. Read the predicate for the exact rule.';

REVOKE ALL ON teams FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON teams TO tenet_api;
GRANT INSERT (tenant_id, name, description) ON teams TO tenet_api;
GRANT UPDATE (name, description) ON teams TO tenet_api;

CREATE OR REPLACE TRIGGER teams_set_updated_at BEFORE UPDATE ON teams
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER teams_audit AFTER INSERT OR UPDATE OR DELETE ON teams
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('team', 'id');
