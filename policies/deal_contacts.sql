-- ============================================================================
-- deal_contacts: a link is seen, added or removed with its deal: only when
-- the deal itself is within the caller's reach (the deals policies apply to
-- the sub-select), with deals:read to see and deals:write to change.
-- ============================================================================
ALTER TABLE deal_contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE deal_contacts FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON deal_contacts;
CREATE POLICY "the owner's security definer functions act on every row" ON deal_contacts FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON deal_contacts IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "readers see the contacts of the deals they see" ON deal_contacts;
CREATE POLICY "readers see the contacts of the deals they see" ON deal_contacts FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('deals:read')) AND EXISTS (SELECT 1 FROM deals d WHERE d.tenant_id = deal_contacts.tenant_id AND d.id = deal_contacts.deal_id));
COMMENT ON POLICY "readers see the contacts of the deals they see" ON deal_contacts IS
  'SELECT by the API role: links of the request''s own tenant (a live session of an active member) holding deals:read, whose deal the caller can read. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers link contacts to the deals they reach" ON deal_contacts;
CREATE POLICY "writers link contacts to the deals they reach" ON deal_contacts FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('deals:write')) AND EXISTS (SELECT 1 FROM deals d WHERE d.tenant_id = deal_contacts.tenant_id AND d.id = deal_contacts.deal_id));
COMMENT ON POLICY "writers link contacts to the deals they reach" ON deal_contacts IS
  'INSERT by the API role: links of the request''s own tenant holding deals:write, to a deal the caller can read. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody updates deal contacts in place" ON deal_contacts;
CREATE POLICY "nobody updates deal contacts in place" ON deal_contacts FOR UPDATE TO tenet_api
  USING (false)
  WITH CHECK (false);
COMMENT ON POLICY "nobody updates deal contacts in place" ON deal_contacts IS
  'The API role may never update deal_contacts directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "writers unlink contacts from the deals they reach" ON deal_contacts;
CREATE POLICY "writers unlink contacts from the deals they reach" ON deal_contacts FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('deals:write')) AND EXISTS (SELECT 1 FROM deals d WHERE d.tenant_id = deal_contacts.tenant_id AND d.id = deal_contacts.deal_id));
COMMENT ON POLICY "writers unlink contacts from the deals they reach" ON deal_contacts IS
  'DELETE by the API role: links of the request''s own tenant holding deals:write, of a deal the caller can read. Read the predicate for the exact rule.';

REVOKE ALL ON deal_contacts FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON deal_contacts TO tenet_api;
GRANT INSERT (tenant_id, deal_id, contact_id) ON deal_contacts TO tenet_api;

CREATE OR REPLACE TRIGGER deal_contacts_audit AFTER INSERT OR UPDATE OR DELETE ON deal_contacts
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('deal_contact', 'deal_id');
