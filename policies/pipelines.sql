-- ============================================================================
-- pipelines: every member reads the tenant's pipelines (a deal's stage shows on
-- every deal); `pipelines:manage` creates, renames, reorders and deletes them.
-- ============================================================================
ALTER TABLE pipelines ENABLE ROW LEVEL SECURITY;
ALTER TABLE pipelines FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON pipelines;
CREATE POLICY "the owner's security definer functions act on every row" ON pipelines FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON pipelines IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "members read their tenant's pipelines" ON pipelines;
CREATE POLICY "members read their tenant's pipelines" ON pipelines FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id()));
COMMENT ON POLICY "members read their tenant's pipelines" ON pipelines IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "pipeline managers add pipelines" ON pipelines;
CREATE POLICY "pipeline managers add pipelines" ON pipelines FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('pipelines:manage')));
COMMENT ON POLICY "pipeline managers add pipelines" ON pipelines IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission pipelines:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "pipeline managers edit pipelines" ON pipelines;
CREATE POLICY "pipeline managers edit pipelines" ON pipelines FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('pipelines:manage')))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('pipelines:manage')));
COMMENT ON POLICY "pipeline managers edit pipelines" ON pipelines IS
  'UPDATE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission pipelines:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "pipeline managers delete pipelines" ON pipelines;
CREATE POLICY "pipeline managers delete pipelines" ON pipelines FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('pipelines:manage')));
COMMENT ON POLICY "pipeline managers delete pipelines" ON pipelines IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission pipelines:manage. Read the predicate for the exact rule.';

REVOKE ALL ON pipelines FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON pipelines TO tenet_api;
GRANT INSERT (tenant_id, name, position) ON pipelines TO tenet_api;
GRANT UPDATE (name, position) ON pipelines TO tenet_api;

CREATE OR REPLACE TRIGGER pipelines_set_updated_at BEFORE UPDATE ON pipelines
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER pipelines_audit AFTER INSERT OR UPDATE OR DELETE ON pipelines
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('pipeline', 'id');
