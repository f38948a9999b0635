-- ============================================================================
-- audit_log: readable by holders of `audit:read`, for their tenant only.
-- Nobody writes it directly: app.audit_append() (SECURITY DEFINER, owned by
-- the migration owner) is the only writer, and app.audit_guard() refuses
-- UPDATE, DELETE and TRUNCATE even for the owner and superusers.
-- ============================================================================
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON audit_log;
CREATE POLICY "the owner's security definer functions act on every row" ON audit_log FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS "auditors read their tenant's audit log" ON audit_log;
CREATE POLICY "auditors read their tenant's audit log" ON audit_log FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id()) AND (SELECT app.has_permission('audit:read')));

DROP POLICY IF EXISTS "nobody inserts audit entries directly" ON audit_log;
CREATE POLICY "nobody inserts audit entries directly" ON audit_log FOR INSERT TO tenet_api WITH CHECK (false);
DROP POLICY IF EXISTS "audit entries are never updated" ON audit_log;
CREATE POLICY "audit entries are never updated" ON audit_log FOR UPDATE TO tenet_api USING (false) WITH CHECK (false);
DROP POLICY IF EXISTS "audit entries are never deleted" ON audit_log;
CREATE POLICY "audit entries are never deleted" ON audit_log FOR DELETE TO tenet_api USING (false);

REVOKE ALL ON audit_log FROM PUBLIC, tenet_api;
GRANT SELECT ON audit_log TO tenet_api;

-- The chain bookkeeping (heads and anchors) lives in schema app_private,
-- which the API role cannot even name: no policies needed there (V007).

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION app.audit_guard();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION app.audit_guard();
