-- ============================================================================
-- membership_roles: a member reads their own role assignments, `users:read`
-- reads all of the tenant's; `users:manage` assigns and unassigns roles.
-- ============================================================================
ALTER TABLE membership_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE membership_roles FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON membership_roles;
CREATE POLICY "the owner's security definer functions act on every row" ON membership_roles FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON membership_roles IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';


DROP POLICY IF EXISTS "members read their roles, readers read all" ON membership_roles;
CREATE POLICY "members read their roles, readers read all" ON membership_roles FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id())
         AND (user_id = (SELECT app.current_user_id()) OR (SELECT app.has_permission('users:read'))));
COMMENT ON POLICY "members read their roles, readers read all" ON membership_roles IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission users:read, or, where the predicate says so, the caller''s own rows. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "user managers assign roles" ON membership_roles;
CREATE POLICY "user managers assign roles" ON membership_roles FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('users:manage')));
COMMENT ON POLICY "user managers assign roles" ON membership_roles IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission users:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody updates role assignments in place" ON membership_roles;
CREATE POLICY "nobody updates role assignments in place" ON membership_roles FOR UPDATE TO tenet_api
  USING (false) WITH CHECK (false);
COMMENT ON POLICY "nobody updates role assignments in place" ON membership_roles IS
  'The API role may never update membership_roles directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "user managers unassign roles" ON membership_roles;
CREATE POLICY "user managers unassign roles" ON membership_roles FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('users:manage')));
COMMENT ON POLICY "user managers unassign roles" ON membership_roles IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission users:manage. Read the predicate for the exact rule.';

REVOKE ALL ON membership_roles FROM PUBLIC, tenet_api;
GRANT SELECT, INSERT, DELETE ON membership_roles TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER membership_roles_audit AFTER INSERT OR UPDATE OR DELETE ON membership_roles
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('membership_role', 'user_id');
CREATE OR REPLACE TRIGGER membership_roles_guard_before BEFORE INSERT OR DELETE ON membership_roles
  FOR EACH ROW EXECUTE FUNCTION app.guard_membership_roles();
CREATE OR REPLACE TRIGGER membership_roles_guard_after AFTER DELETE ON membership_roles
  FOR EACH ROW EXECUTE FUNCTION app.guard_membership_roles();
