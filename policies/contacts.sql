-- ============================================================================
-- contacts: reading needs `contacts:read`, inserting and updating `contacts:write`,
-- deleting `contacts:delete` — always within the caller's tenant. The standard
-- triggers (updated_at, audit) are attached here too, so this file is
-- everything a DBA needs to know about who may touch contacts and how it is traced.
-- ============================================================================
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON contacts;
CREATE POLICY "the owner's security definer functions act on every row" ON contacts FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON contacts IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "readers see their tenant's contacts" ON contacts;
CREATE POLICY "readers see their tenant's contacts" ON contacts FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('contacts:read')));
COMMENT ON POLICY "readers see their tenant's contacts" ON contacts IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission contacts:read. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers add contacts to their tenant" ON contacts;
CREATE POLICY "writers add contacts to their tenant" ON contacts FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('contacts:write')));
COMMENT ON POLICY "writers add contacts to their tenant" ON contacts IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission contacts:write. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers edit their tenant's contacts" ON contacts;
CREATE POLICY "writers edit their tenant's contacts" ON contacts FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('contacts:write')))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('contacts:write')));
COMMENT ON POLICY "writers edit their tenant's contacts" ON contacts IS
  'UPDATE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission contacts:write. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "deleters remove their tenant's contacts" ON contacts;
CREATE POLICY "deleters remove their tenant's contacts" ON contacts FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('contacts:delete')));
COMMENT ON POLICY "deleters remove their tenant's contacts" ON contacts IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission contacts:delete. Read the predicate for the exact rule.';

REVOKE ALL ON contacts FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON contacts TO tenet_api;
GRANT INSERT (tenant_id, first_name, last_name, email, phone, company_id, owner_id) ON contacts TO tenet_api;
GRANT UPDATE (first_name, last_name, email, phone, company_id, owner_id) ON contacts TO tenet_api;

CREATE OR REPLACE TRIGGER contacts_set_updated_at BEFORE UPDATE ON contacts
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER contacts_audit AFTER INSERT OR UPDATE OR DELETE ON contacts
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('contact', 'id');
