-- ============================================================================
-- companies: reading needs `companies:read`, inserting and updating `companies:write`,
-- deleting `companies:delete` — always within the caller's tenant. The standard
-- triggers (updated_at, audit) are attached here too, so this file is
-- everything a DBA needs to know about who may touch companies and how it is traced.
-- ============================================================================
ALTER TABLE companies ENABLE ROW LEVEL SECURITY;
ALTER TABLE companies FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON companies;
CREATE POLICY "the owner's security definer functions act on every row" ON companies FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON companies IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "readers see their tenant's companies" ON companies;
CREATE POLICY "readers see their tenant's companies" ON companies FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('companies:read')));
COMMENT ON POLICY "readers see their tenant's companies" ON companies IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission companies:read. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers add companies to their tenant" ON companies;
CREATE POLICY "writers add companies to their tenant" ON companies FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('companies:write')));
COMMENT ON POLICY "writers add companies to their tenant" ON companies IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission companies:write. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers edit their tenant's companies" ON companies;
CREATE POLICY "writers edit their tenant's companies" ON companies FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('companies:write')))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('companies:write')));
COMMENT ON POLICY "writers edit their tenant's companies" ON companies IS
  'UPDATE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission companies:write. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "deleters remove their tenant's companies" ON companies;
CREATE POLICY "deleters remove their tenant's companies" ON companies FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('companies:delete')));
COMMENT ON POLICY "deleters remove their tenant's companies" ON companies IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission companies:delete. Read the predicate for the exact rule.';

REVOKE ALL ON companies FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON companies TO tenet_api;
GRANT INSERT (tenant_id, name, domain, industry, owner_id) ON companies TO tenet_api;
GRANT UPDATE (name, domain, industry, owner_id) ON companies TO tenet_api;

CREATE OR REPLACE TRIGGER companies_set_updated_at BEFORE UPDATE ON companies
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER companies_audit AFTER INSERT OR UPDATE OR DELETE ON companies
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('company', 'id');
