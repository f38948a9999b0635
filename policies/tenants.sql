-- ============================================================================
-- tenants: a member sees only the tenant of a valid request context; only
-- `tenant:manage` renames it. Tenants are created through
-- app.create_tenant_with_owner() (signup) and never deleted by the API.
-- ============================================================================
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON tenants;
CREATE POLICY "the owner's security definer functions act on every row" ON tenants FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON tenants IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';


DROP POLICY IF EXISTS "members see their own tenant" ON tenants;
CREATE POLICY "members see their own tenant" ON tenants FOR SELECT TO tenet_api
  USING (id = (SELECT app.current_tenant_id()));
COMMENT ON POLICY "members see their own tenant" ON tenants IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody inserts tenants directly" ON tenants;
CREATE POLICY "nobody inserts tenants directly" ON tenants FOR INSERT TO tenet_api
  WITH CHECK (false);
COMMENT ON POLICY "nobody inserts tenants directly" ON tenants IS
  'The API role may never insert into tenants directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "tenant managers rename their tenant" ON tenants;
CREATE POLICY "tenant managers rename their tenant" ON tenants FOR UPDATE TO tenet_api
  USING (id = (SELECT app.tenant_with_permission('tenant:manage')))
  WITH CHECK (id = (SELECT app.tenant_with_permission('tenant:manage')));
COMMENT ON POLICY "tenant managers rename their tenant" ON tenants IS
  'UPDATE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission tenant:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody deletes tenants directly" ON tenants;
CREATE POLICY "nobody deletes tenants directly" ON tenants FOR DELETE TO tenet_api
  USING (false);
COMMENT ON POLICY "nobody deletes tenants directly" ON tenants IS
  'The API role may never delete from tenants directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

REVOKE ALL ON tenants FROM PUBLIC, tenet_api;
GRANT SELECT (id, name, slug, created_at, updated_at) ON tenants TO tenet_api;
GRANT UPDATE (name) ON tenants TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER tenants_set_updated_at BEFORE UPDATE ON tenants
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER tenants_audit AFTER INSERT OR UPDATE OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('tenant', 'id');

-- Every new tenant starts with the default pipeline (sql/55_deals.sql).
CREATE OR REPLACE TRIGGER tenants_default_pipeline AFTER INSERT ON tenants
  FOR EACH ROW EXECUTE FUNCTION app.tenant_default_pipeline();
