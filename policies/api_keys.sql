-- ============================================================================
-- api_keys: `api_keys:manage` reads the tenant's API keys; they are created and
-- revoked only through the SECURITY DEFINER functions of sql/45_api_keys.sql
-- (the API role holds no write grant).
-- ============================================================================
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON api_keys;
CREATE POLICY "the owner's security definer functions act on every row" ON api_keys FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON api_keys IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "key managers read their tenant's API keys" ON api_keys;
CREATE POLICY "key managers read their tenant's API keys" ON api_keys FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('api_keys:manage')));
COMMENT ON POLICY "key managers read their tenant's API keys" ON api_keys IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission api_keys:manage.';

DROP POLICY IF EXISTS "api_keys are created by app.create_api_key" ON api_keys;
CREATE POLICY "api_keys are created by app.create_api_key" ON api_keys FOR INSERT TO tenet_api WITH CHECK (false);
COMMENT ON POLICY "api_keys are created by app.create_api_key" ON api_keys IS
  'The API role may never insert into api_keys directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "api_keys change through app functions" ON api_keys;
CREATE POLICY "api_keys change through app functions" ON api_keys FOR UPDATE TO tenet_api USING (false) WITH CHECK (false);
COMMENT ON POLICY "api_keys change through app functions" ON api_keys IS
  'The API role may never update api_keys directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "api_keys are never deleted by the API" ON api_keys;
CREATE POLICY "api_keys are never deleted by the API" ON api_keys FOR DELETE TO tenet_api USING (false);
COMMENT ON POLICY "api_keys are never deleted by the API" ON api_keys IS
  'The API role may never delete from api_keys directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

REVOKE ALL ON api_keys FROM PUBLIC, tenet_api;
GRANT SELECT (tenant_id, id, name, prefix, created_by, created_at, expires_at, last_used_at, revoked_at) ON api_keys TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER api_keys_audit AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('api_key', 'id');
