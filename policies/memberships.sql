-- ============================================================================
-- memberships: a member sees their own membership; `users:read` sees all of
-- the tenant's; `users:manage` adds, updates and removes them.
-- ============================================================================
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON memberships;
CREATE POLICY "the owner's security definer functions act on every row" ON memberships FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON memberships IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';


DROP POLICY IF EXISTS "members see their own membership, readers see all" ON memberships;
CREATE POLICY "members see their own membership, readers see all" ON memberships FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id())
         AND (user_id = (SELECT app.current_user_id()) OR (SELECT app.has_permission('users:read'))));
COMMENT ON POLICY "members see their own membership, readers see all" ON memberships IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission users:read, or, where the predicate says so, the caller''s own rows. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "members are added by app functions only" ON memberships;
CREATE POLICY "members are added by app functions only" ON memberships FOR INSERT TO tenet_api WITH CHECK (false);
COMMENT ON POLICY "members are added by app functions only" ON memberships IS
  'The API role may never insert memberships directly: a new account joins through app.find_or_create_user, an '
  'existing one only by accepting an invitation (app.accept_invitation).';

DROP POLICY IF EXISTS "user managers update members" ON memberships;
CREATE POLICY "user managers update members" ON memberships FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('users:manage')))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('users:manage')));
COMMENT ON POLICY "user managers update members" ON memberships IS
  'UPDATE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission users:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "user managers remove members" ON memberships;
CREATE POLICY "user managers remove members" ON memberships FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('users:manage')));
COMMENT ON POLICY "user managers remove members" ON memberships IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission users:manage. Read the predicate for the exact rule.';

REVOKE ALL ON memberships FROM PUBLIC, tenet_api;
GRANT SELECT ON memberships TO tenet_api;
GRANT UPDATE (active) ON memberships TO tenet_api;
GRANT DELETE ON memberships TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER memberships_set_updated_at BEFORE UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER memberships_revoke_sessions AFTER UPDATE OF active OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION app.revoke_sessions_of_membership();
CREATE OR REPLACE TRIGGER memberships_audit AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('membership', 'user_id');
CREATE OR REPLACE TRIGGER memberships_guard_before BEFORE UPDATE OF active OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION app.guard_memberships();
CREATE OR REPLACE TRIGGER memberships_guard_after AFTER UPDATE OF active OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION app.guard_memberships();
-- A leaving member's companies and contacts pass to the person removing them
-- (sql/32_record_access.sql); runs after the guard above (trigger name order).
CREATE OR REPLACE TRIGGER memberships_reassign_records BEFORE DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION app.reassign_leaving_owner();
