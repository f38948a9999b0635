-- ============================================================================
-- companies: reading needs `companies:read`, inserting and updating `companies:write`,
-- deleting `companies:delete` — always within the caller's tenant, and within
-- the scope of the grant (sql/32_record_access.sql): all records, the team's
-- (owned by the caller or a teammate) or the caller's own. Writes check the
-- scope on the row before and after, so a record can be handed only to an
-- owner the actor reaches, and taken only if the actor reaches it.
--
-- The scope part of each predicate reads: app.scope_owners(...) is NULL for
-- scope all, and then the row's own owner stands in for the list (every row
-- passes); otherwise the owner must be one of the listed owners, and an
-- unowned row (compared as the nil uuid, which is nobody) does not pass. The
-- sub-select appears once, so it is one InitPlan: one call per statement. The standard
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
DROP POLICY IF EXISTS "readers see the companies in their scope" ON companies;
CREATE POLICY "readers see the companies in their scope" ON companies FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('companies:read'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('companies:read')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "readers see the companies in their scope" ON companies IS
  'SELECT by the API role (and so by the masking view companies_visible, whose owner tenet_field_reader inherits tenet_api): rows of the request''s own tenant (a live session of an active member) holding companies:read, owned by someone the grant''s scope reaches (scope all: any row). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers add companies to their tenant" ON companies;
DROP POLICY IF EXISTS "writers add companies in their scope" ON companies;
CREATE POLICY "writers add companies in their scope" ON companies FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('companies:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('companies:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "writers add companies in their scope" ON companies IS
  'INSERT by the API role: rows of the request''s own tenant (a live session of an active member) holding companies:write, owned by someone the grant''s scope reaches. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers edit their tenant's companies" ON companies;
DROP POLICY IF EXISTS "writers edit the companies in their scope" ON companies;
CREATE POLICY "writers edit the companies in their scope" ON companies FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('companies:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('companies:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('companies:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('companies:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "writers edit the companies in their scope" ON companies IS
  'UPDATE by the API role: rows of the request''s own tenant (a live session of an active member) holding companies:write, owned before and after the change by someone the grant''s scope reaches (no hand-off to a stranger, no taking an unreachable record). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "deleters remove their tenant's companies" ON companies;
DROP POLICY IF EXISTS "deleters remove the companies in their scope" ON companies;
CREATE POLICY "deleters remove the companies in their scope" ON companies FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('companies:delete'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('companies:delete')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "deleters remove the companies in their scope" ON companies IS
  'DELETE by the API role: rows of the request''s own tenant (a live session of an active member) holding companies:delete, owned by someone the grant''s scope reaches. Read the predicate for the exact rule.';

-- Column privileges: the API role cannot read the hideable fields
-- (domain, industry) of the table itself; it reads companies through the view below.
REVOKE ALL ON companies FROM PUBLIC, tenet_api, tenet_field_reader;
GRANT SELECT (tenant_id, id, name, owner_id, created_at, updated_at) ON companies TO tenet_api;
GRANT DELETE ON companies TO tenet_api;
GRANT INSERT (tenant_id, name, domain, industry, owner_id) ON companies TO tenet_api;
GRANT UPDATE (name, domain, industry, owner_id) ON companies TO tenet_api;
GRANT SELECT ON companies TO tenet_field_reader;

-- ----------------------------------------------------------------------------
-- companies_visible: what the API reads. Every row and column of companies, with the
-- fields hidden from the caller (app.hidden_fields: every role of theirs that
-- grants companies:read hides it) answered as NULL. It is owned by tenet_field_reader
-- (NOLOGIN, held by nobody) and is not security_invoker, so that it can read
-- the columns the API role cannot; tenet_field_reader inherits tenet_api, so
-- every policy TO tenet_api applies to what the view reads: the rows are
-- exactly those the caller's context reaches. No security_barrier is needed: the view has no filter of its own,
-- and a caller's condition on a masked column sees the masked value.
-- ----------------------------------------------------------------------------
SELECT app.masking_view_begin();  -- (sql/32_record_access.sql)
CREATE OR REPLACE VIEW companies_visible AS
SELECT t.tenant_id,
       t.id,
       t.name,
       CASE WHEN 'domain' = ANY ((SELECT app.hidden_fields('companies'))::text[]) THEN NULL ELSE t.domain END AS domain,
       CASE WHEN 'industry' = ANY ((SELECT app.hidden_fields('companies'))::text[]) THEN NULL ELSE t.industry END AS industry,
       t.owner_id,
       t.created_at,
       t.updated_at
  FROM companies t;
COMMENT ON VIEW companies_visible IS
  'The companies the request context reaches (the policies of companies), with the fields hidden from it as NULL. What the API reads.';
REVOKE ALL ON companies_visible FROM PUBLIC;
GRANT SELECT ON companies_visible TO tenet_api;
SELECT app.masking_view_end('companies_visible');

CREATE OR REPLACE TRIGGER companies_set_updated_at BEFORE UPDATE ON companies
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER companies_audit AFTER INSERT OR UPDATE OR DELETE ON companies
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('company', 'id');
