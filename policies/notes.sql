-- ============================================================================
-- notes: reading needs `notes:read`, writing `notes:write`, deleting
-- `notes:delete` — within the caller's tenant and the grant's scope (all,
-- team, own: sql/32_record_access.sql), which for a note follows its author
-- (owner_id; the predicate as in policies/contacts.sql), and its author is
-- always the writer. A note is on exactly
-- one company, contact or deal of the same tenant (the foreign keys lead with
-- tenant_id) and goes with it.
-- ============================================================================
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON notes;
CREATE POLICY "the owner's security definer functions act on every row" ON notes FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON notes IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "readers see the notes in their scope" ON notes;
CREATE POLICY "readers see the notes in their scope" ON notes FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('notes:read'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('notes:read')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "readers see the notes in their scope" ON notes IS
  'SELECT by the API role: rows of the request''s own tenant (a live session of an active member) holding notes:read, written by someone the grant''s scope reaches (scope all: any row). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers add notes in their scope" ON notes;
DROP POLICY IF EXISTS "writers add notes as themselves" ON notes;
CREATE POLICY "writers add notes as themselves" ON notes FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('notes:write'))
         AND owner_id = (SELECT app.current_user_id()));
COMMENT ON POLICY "writers add notes as themselves" ON notes IS
  'INSERT by the API role: rows of the request''s own tenant (a live session of an active member) holding notes:write, whose author is the writer (for an API key, its creator): nobody writes a note in another''s name. The author is always in the writer''s own scope.';

DROP POLICY IF EXISTS "writers edit the notes in their scope" ON notes;
CREATE POLICY "writers edit the notes in their scope" ON notes FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('notes:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('notes:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('notes:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('notes:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "writers edit the notes in their scope" ON notes IS
  'UPDATE by the API role: rows of the request''s own tenant (a live session of an active member) holding notes:write, written before and after the change by someone the grant''s scope reaches. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "deleters remove the notes in their scope" ON notes;
CREATE POLICY "deleters remove the notes in their scope" ON notes FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('notes:delete'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('notes:delete')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "deleters remove the notes in their scope" ON notes IS
  'DELETE by the API role: rows of the request''s own tenant (a live session of an active member) holding notes:delete, written by someone the grant''s scope reaches. Read the predicate for the exact rule.';

REVOKE ALL ON notes FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON notes TO tenet_api;
GRANT INSERT (tenant_id, body, company_id, contact_id, deal_id, owner_id) ON notes TO tenet_api;
GRANT UPDATE (body) ON notes TO tenet_api;

CREATE OR REPLACE TRIGGER notes_set_updated_at BEFORE UPDATE ON notes
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER notes_record_link BEFORE INSERT OR UPDATE ON notes
  FOR EACH ROW EXECUTE FUNCTION app.check_record_link();
CREATE OR REPLACE TRIGGER notes_audit AFTER INSERT OR UPDATE OR DELETE ON notes
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('note', 'id');
