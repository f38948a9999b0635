-- ============================================================================
-- roles: every member of the tenant may read its roles (they appear in
-- /auth/me); `roles:manage` creates, edits and deletes custom roles. System
-- roles are read-only: the trigger app.guard_roles (sql/30_rbac.sql) refuses
-- changing or deleting them with 409, and app.guard_role_permissions their
-- permissions; the policies let such rows reach the guard.
-- ============================================================================
ALTER TABLE roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE roles FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON roles;
CREATE POLICY "the owner's security definer functions act on every row" ON roles FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON roles IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';


DROP POLICY IF EXISTS "members read their tenant's roles" ON roles;
CREATE POLICY "members read their tenant's roles" ON roles FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id()));
COMMENT ON POLICY "members read their tenant's roles" ON roles IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "role managers create custom roles" ON roles;
CREATE POLICY "role managers create custom roles" ON roles FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('roles:manage')) AND NOT system);
COMMENT ON POLICY "role managers create custom roles" ON roles IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission roles:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "role managers edit custom roles" ON roles;
CREATE POLICY "role managers edit custom roles" ON roles FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('roles:manage')))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('roles:manage')));
COMMENT ON POLICY "role managers edit custom roles" ON roles IS
  'UPDATE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission roles:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "role managers delete custom roles" ON roles;
CREATE POLICY "role managers delete custom roles" ON roles FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('roles:manage')));
COMMENT ON POLICY "role managers delete custom roles" ON roles IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission roles:manage. Read the predicate for the exact rule.';

REVOKE ALL ON roles FROM PUBLIC, tenet_api;
GRANT SELECT ON roles TO tenet_api;
GRANT INSERT (tenant_id, name, description) ON roles TO tenet_api;
GRANT UPDATE (name, description) ON roles TO tenet_api;
GRANT DELETE ON roles TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER roles_set_updated_at BEFORE UPDATE ON roles
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER roles_audit AFTER INSERT OR UPDATE OR DELETE ON roles
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('role', 'id');
CREATE OR REPLACE TRIGGER roles_guard BEFORE INSERT OR UPDATE OR DELETE ON roles
  FOR EACH ROW EXECUTE FUNCTION app.guard_roles();
