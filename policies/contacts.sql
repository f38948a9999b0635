-- ============================================================================
-- contacts: reading needs `contacts:read`, inserting and updating `contacts:write`,
-- deleting `contacts:delete` — always within the caller's tenant, and within
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
DROP POLICY IF EXISTS "readers see the contacts in their scope" ON contacts;
CREATE POLICY "readers see the contacts in their scope" ON contacts FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('contacts:read'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('contacts:read')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "readers see the contacts in their scope" ON contacts IS
  'SELECT by the API role (and so by the masking view contacts_visible, whose owner tenet_field_reader inherits tenet_api): rows of the request''s own tenant (a live session of an active member) holding contacts:read, owned by someone the grant''s scope reaches (scope all: any row). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers add contacts to their tenant" ON contacts;
DROP POLICY IF EXISTS "writers add contacts in their scope" ON contacts;
CREATE POLICY "writers add contacts in their scope" ON contacts FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('contacts:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('contacts:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "writers add contacts in their scope" ON contacts IS
  'INSERT by the API role: rows of the request''s own tenant (a live session of an active member) holding contacts:write, owned by someone the grant''s scope reaches. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers edit their tenant's contacts" ON contacts;
DROP POLICY IF EXISTS "writers edit the contacts in their scope" ON contacts;
CREATE POLICY "writers edit the contacts in their scope" ON contacts FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('contacts:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('contacts:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('contacts:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('contacts:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "writers edit the contacts in their scope" ON contacts IS
  'UPDATE by the API role: rows of the request''s own tenant (a live session of an active member) holding contacts:write, owned before and after the change by someone the grant''s scope reaches (no hand-off to a stranger, no taking an unreachable record). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "deleters remove their tenant's contacts" ON contacts;
DROP POLICY IF EXISTS "deleters remove the contacts in their scope" ON contacts;
CREATE POLICY "deleters remove the contacts in their scope" ON contacts FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('contacts:delete'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('contacts:delete')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "deleters remove the contacts in their scope" ON contacts IS
  'DELETE by the API role: rows of the request''s own tenant (a live session of an active member) holding contacts:delete, owned by someone the grant''s scope reaches. Read the predicate for the exact rule.';

-- Column privileges: the API role cannot read the hideable fields
-- (email, phone) of the table itself; it reads contacts through the view below.
REVOKE ALL ON contacts FROM PUBLIC, tenet_api, tenet_field_reader;
GRANT SELECT (tenant_id, id, first_name, last_name, company_id, owner_id, created_at, updated_at) ON contacts TO tenet_api;
GRANT DELETE ON contacts TO tenet_api;
GRANT INSERT (tenant_id, first_name, last_name, email, phone, company_id, owner_id) ON contacts TO tenet_api;
GRANT UPDATE (first_name, last_name, email, phone, company_id, owner_id) ON contacts TO tenet_api;
GRANT SELECT ON contacts TO tenet_field_reader;

-- ----------------------------------------------------------------------------
-- contacts_visible: what the API reads. Every row and column of contacts, with the
-- fields hidden from the caller (app.hidden_fields: every role of theirs that
-- grants contacts:read hides it) answered as NULL. It is owned by tenet_field_reader
-- (NOLOGIN, held by nobody) and is not security_invoker, so that it can read
-- the columns the API role cannot; tenet_field_reader inherits tenet_api, so
-- every policy TO tenet_api applies to what the view reads: the rows are
-- exactly those the caller's context reaches. No security_barrier is needed: the view has no filter of its own,
-- and a caller's condition on a masked column sees the masked value.
-- ----------------------------------------------------------------------------
SELECT app.masking_view_begin();  -- (sql/32_record_access.sql)
CREATE OR REPLACE VIEW contacts_visible AS
SELECT t.tenant_id,
       t.id,
       t.first_name,
       t.last_name,
       CASE WHEN 'email' = ANY ((SELECT app.hidden_fields('contacts'))::text[]) THEN NULL ELSE t.email END AS email,
       CASE WHEN 'phone' = ANY ((SELECT app.hidden_fields('contacts'))::text[]) THEN NULL ELSE t.phone END AS phone,
       t.company_id,
       t.owner_id,
       t.created_at,
       t.updated_at
  FROM contacts t;
COMMENT ON VIEW contacts_visible IS
  'The contacts the request context reaches (the policies of contacts), with the fields hidden from it as NULL. What the API reads.';
REVOKE ALL ON contacts_visible FROM PUBLIC;
GRANT SELECT ON contacts_visible TO tenet_api;
SELECT app.masking_view_end('contacts_visible');

CREATE OR REPLACE TRIGGER contacts_set_updated_at BEFORE UPDATE ON contacts
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER contacts_audit AFTER INSERT OR UPDATE OR DELETE ON contacts
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('contact', 'id');
