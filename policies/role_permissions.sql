-- ============================================================================
-- role_permissions: readable by members; `roles:manage` changes the
-- permissions of custom roles only (system roles are fixed).
-- ============================================================================
ALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_permissions FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON role_permissions;
CREATE POLICY "the owner's security definer functions act on every row" ON role_permissions FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON role_permissions IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';


DROP POLICY IF EXISTS "members read their tenant's role permissions" ON role_permissions;
CREATE POLICY "members read their tenant's role permissions" ON role_permissions FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id()));
COMMENT ON POLICY "members read their tenant's role permissions" ON role_permissions IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "role managers grant permissions to custom roles" ON role_permissions;
CREATE POLICY "role managers grant permissions to custom roles" ON role_permissions FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('roles:manage')));
COMMENT ON POLICY "role managers grant permissions to custom roles" ON role_permissions IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission roles:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody updates role permissions in place" ON role_permissions;
CREATE POLICY "nobody updates role permissions in place" ON role_permissions FOR UPDATE TO tenet_api
  USING (false) WITH CHECK (false);
COMMENT ON POLICY "nobody updates role permissions in place" ON role_permissions IS
  'The API role may never update role_permissions directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "role managers revoke permissions from custom roles" ON role_permissions;
CREATE POLICY "role managers revoke permissions from custom roles" ON role_permissions FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('roles:manage')));
COMMENT ON POLICY "role managers revoke permissions from custom roles" ON role_permissions IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission roles:manage. Read the predicate for the exact rule.';

REVOKE ALL ON role_permissions FROM PUBLIC, tenet_api;
GRANT SELECT, INSERT, DELETE ON role_permissions TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER role_permissions_audit AFTER INSERT OR UPDATE OR DELETE ON role_permissions
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('role_permission', 'role_id');
CREATE OR REPLACE TRIGGER role_permissions_guard BEFORE INSERT OR DELETE ON role_permissions
  FOR EACH ROW EXECUTE FUNCTION app.guard_role_permissions();
