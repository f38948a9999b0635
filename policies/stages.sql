-- ============================================================================
-- stages: every member reads the tenant's stages of pipelines (a deal's stage shows on
-- every deal); `pipelines:manage` creates, renames, reorders and deletes them.
-- ============================================================================
ALTER TABLE stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE stages FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON stages;
CREATE POLICY "the owner's security definer functions act on every row" ON stages FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON stages IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "members read their tenant's stages" ON stages;
CREATE POLICY "members read their tenant's stages" ON stages FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id()));
COMMENT ON POLICY "members read their tenant's stages" ON stages IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "pipeline managers add stages" ON stages;
CREATE POLICY "pipeline managers add stages" ON stages FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('pipelines:manage')));
COMMENT ON POLICY "pipeline managers add stages" ON stages IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission pipelines:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "pipeline managers edit stages" ON stages;
CREATE POLICY "pipeline managers edit stages" ON stages FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('pipelines:manage')))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('pipelines:manage')));
COMMENT ON POLICY "pipeline managers edit stages" ON stages IS
  'UPDATE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission pipelines:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "pipeline managers delete stages" ON stages;
CREATE POLICY "pipeline managers delete stages" ON stages FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('pipelines:manage')));
COMMENT ON POLICY "pipeline managers delete stages" ON stages IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission pipelines:manage. Read the predicate for the exact rule.';

REVOKE ALL ON stages FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON stages TO tenet_api;
GRANT INSERT (tenant_id, pipeline_id, name, position, kind) ON stages TO tenet_api;
GRANT UPDATE (name, position, kind) ON stages TO tenet_api;

CREATE OR REPLACE TRIGGER stages_set_updated_at BEFORE UPDATE ON stages
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER stages_audit AFTER INSERT OR UPDATE OR DELETE ON stages
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('stage', 'id');
