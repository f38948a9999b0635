-- ============================================================================
-- webhook_endpoints: a tenant's webhook subscriptions, read and managed with
-- `webhooks:manage` (not scopable: an endpoint receives every event of its
-- types in the tenant). The signing secret is not here but in
-- app_private.webhook_secrets, which the API role cannot read; the events and
-- the delivery log are reached through the functions of sql/60_webhooks.sql,
-- which check the same permission.
-- ============================================================================
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON webhook_endpoints;
CREATE POLICY "the owner's security definer functions act on every row" ON webhook_endpoints FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON webhook_endpoints IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "webhook managers read their tenant's endpoints" ON webhook_endpoints;
CREATE POLICY "webhook managers read their tenant's endpoints" ON webhook_endpoints FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('webhooks:manage')));
COMMENT ON POLICY "webhook managers read their tenant's endpoints" ON webhook_endpoints IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission webhooks:manage.';

DROP POLICY IF EXISTS "webhook managers add endpoints" ON webhook_endpoints;
CREATE POLICY "webhook managers add endpoints" ON webhook_endpoints FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('webhooks:manage'))
              AND created_by = (SELECT app.current_user_id()));
COMMENT ON POLICY "webhook managers add endpoints" ON webhook_endpoints IS
  'INSERT by the API role: rows of the request''s own tenant with the permission webhooks:manage, created by the writer.';

DROP POLICY IF EXISTS "webhook managers edit endpoints" ON webhook_endpoints;
CREATE POLICY "webhook managers edit endpoints" ON webhook_endpoints FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('webhooks:manage')))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('webhooks:manage')));
COMMENT ON POLICY "webhook managers edit endpoints" ON webhook_endpoints IS
  'UPDATE by the API role: rows of the request''s own tenant with the permission webhooks:manage, before and after the change.';

DROP POLICY IF EXISTS "webhook managers remove endpoints" ON webhook_endpoints;
CREATE POLICY "webhook managers remove endpoints" ON webhook_endpoints FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('webhooks:manage')));
COMMENT ON POLICY "webhook managers remove endpoints" ON webhook_endpoints IS
  'DELETE by the API role: rows of the request''s own tenant with the permission webhooks:manage (the delivery log goes with them).';

REVOKE ALL ON webhook_endpoints FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON webhook_endpoints TO tenet_api;
GRANT INSERT (tenant_id, url, description, events, enabled, created_by) ON webhook_endpoints TO tenet_api;
GRANT UPDATE (url, description, events, enabled) ON webhook_endpoints TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER webhook_endpoints_reenabled BEFORE UPDATE ON webhook_endpoints
  FOR EACH ROW EXECUTE FUNCTION app.webhook_endpoint_reenabled();
CREATE OR REPLACE TRIGGER webhook_endpoints_set_updated_at BEFORE UPDATE ON webhook_endpoints
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER webhook_endpoints_audit AFTER INSERT OR UPDATE OR DELETE ON webhook_endpoints
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('webhook_endpoint', 'id');
