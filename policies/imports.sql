-- ============================================================================
-- imports: each member sees, runs and reverts only the imports they made,
-- in the tenant of the request (a live session of an active member), and
-- starts or advances one only while holding the write permission of its
-- resource. Every record a run writes is judged by its own table's
-- policies, row by row. The bookkeeping of what an import wrote is in
-- app_private (sql/65_imports.sql).
-- ============================================================================
ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE imports FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON imports;
CREATE POLICY "the owner's security definer functions act on every row" ON imports FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON imports IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "importers see their imports" ON imports;
CREATE POLICY "importers see their imports" ON imports FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id()) AND created_by = (SELECT app.current_user_id()));
COMMENT ON POLICY "importers see their imports" ON imports IS
  'SELECT by the API role: the imports the caller made, in the request''s own tenant (a live session of an active member).';

DROP POLICY IF EXISTS "importers start imports" ON imports;
CREATE POLICY "importers start imports" ON imports FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = CASE resource WHEN 'companies' THEN (SELECT app.tenant_with_permission('companies:write'))
                               WHEN 'contacts' THEN (SELECT app.tenant_with_permission('contacts:write'))
                               WHEN 'deals' THEN (SELECT app.tenant_with_permission('deals:write')) END
              AND created_by = (SELECT app.current_user_id()));
COMMENT ON POLICY "importers start imports" ON imports IS
  'INSERT by the API role: an import of the caller in the request''s own tenant, who holds the write permission of the imported resource.';

DROP POLICY IF EXISTS "importers advance their imports" ON imports;
CREATE POLICY "importers advance their imports" ON imports FOR UPDATE TO tenet_api
  USING (tenant_id = CASE resource WHEN 'companies' THEN (SELECT app.tenant_with_permission('companies:write'))
                               WHEN 'contacts' THEN (SELECT app.tenant_with_permission('contacts:write'))
                               WHEN 'deals' THEN (SELECT app.tenant_with_permission('deals:write')) END
              AND created_by = (SELECT app.current_user_id()))
  WITH CHECK (tenant_id = CASE resource WHEN 'companies' THEN (SELECT app.tenant_with_permission('companies:write'))
                               WHEN 'contacts' THEN (SELECT app.tenant_with_permission('contacts:write'))
                               WHEN 'deals' THEN (SELECT app.tenant_with_permission('deals:write')) END
              AND created_by = (SELECT app.current_user_id()));
COMMENT ON POLICY "importers advance their imports" ON imports IS
  'UPDATE by the API role: the caller''s own imports (progress, status) while they hold the write permission of the imported resource.';

DROP POLICY IF EXISTS "imports are kept" ON imports;
CREATE POLICY "imports are kept" ON imports FOR DELETE TO tenet_api USING (false);
COMMENT ON POLICY "imports are kept" ON imports IS
  'The API role never deletes an import (it holds no such grant either): the record of what was imported stays; the contract keeps a policy for every command.';

REVOKE ALL ON imports FROM PUBLIC, tenet_api;
GRANT SELECT ON imports TO tenet_api;
GRANT INSERT (tenant_id, resource, mode, file_name, mapping, created_by) ON imports TO tenet_api;
-- The run's counters move only with the rows recorded (app.record_import_batch).
GRANT UPDATE (status, rows_reverted, rows_not_reverted, failure, finished_at, reverted_at) ON imports TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER imports_set_updated_at BEFORE UPDATE ON imports
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER imports_audit AFTER INSERT OR UPDATE OR DELETE ON imports
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('import', 'id');
