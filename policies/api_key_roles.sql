-- ============================================================================
-- api_key_roles: `api_keys:manage` reads the tenant's API keys; they are created and
-- revoked only through the SECURITY DEFINER functions of sql/45_api_keys.sql
-- (the API role holds no write grant).
-- ============================================================================
ALTER TABLE api_key_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_key_roles FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON api_key_roles;
CREATE POLICY "the owner's security definer functions act on every row" ON api_key_roles FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON api_key_roles IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "key managers read their tenant's API keys" ON api_key_roles;
CREATE POLICY "key managers read their tenant's API keys" ON api_key_roles FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('api_keys:manage')));
COMMENT ON POLICY "key managers read their tenant's API keys" ON api_key_roles IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission api_keys:manage.';

DROP POLICY IF EXISTS "API keys are created by app.create_api_key" ON api_key_roles;
CREATE POLICY "API keys are created by app.create_api_key" ON api_key_roles FOR INSERT TO tenet_api WITH CHECK (false);
COMMENT ON POLICY "API keys are created by app.create_api_key" ON api_key_roles IS
  'The API role may never insert into api_key_roles directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "API keys change through app functions" ON api_key_roles;
CREATE POLICY "API keys change through app functions" ON api_key_roles FOR UPDATE TO tenet_api USING (false) WITH CHECK (false);
COMMENT ON POLICY "API keys change through app functions" ON api_key_roles IS
  'The API role may never update api_key_roles directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "API keys are never deleted by the API" ON api_key_roles;
CREATE POLICY "API keys are never deleted by the API" ON api_key_roles FOR DELETE TO tenet_api USING (false);
COMMENT ON POLICY "API keys are never deleted by the API" ON api_key_roles IS
  'The API role may never delete from api_key_roles directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

REVOKE ALL ON api_key_roles FROM PUBLIC, tenet_api;
GRANT SELECT (tenant_id, api_key_id, role_id) ON api_key_roles TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER api_key_roles_audit AFTER INSERT OR UPDATE OR DELETE ON api_key_roles
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('api_key_role', 'api_key_id');
