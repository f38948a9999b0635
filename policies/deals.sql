-- ============================================================================
-- deals: reading needs `deals:read`, inserting and updating `deals:write`,
-- deleting `deals:delete` — within the caller's tenant and the grant's scope
-- (all, team, own: sql/32_record_access.sql; the predicate as in
-- policies/contacts.sql). Moving a deal to another stage is an update; the
-- trigger app.record_stage_change records it (sql/55_deals.sql).
-- ============================================================================
ALTER TABLE deals ENABLE ROW LEVEL SECURITY;
ALTER TABLE deals FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON deals;
CREATE POLICY "the owner's security definer functions act on every row" ON deals FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON deals IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "readers see the deals in their scope" ON deals;
CREATE POLICY "readers see the deals in their scope" ON deals FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('deals:read'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('deals:read')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "readers see the deals in their scope" ON deals IS
  'SELECT by the API role: rows of the request''s own tenant (a live session of an active member) holding deals:read, owned by someone the grant''s scope reaches (scope all: any row). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers add deals in their scope" ON deals;
CREATE POLICY "writers add deals in their scope" ON deals FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('deals:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('deals:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "writers add deals in their scope" ON deals IS
  'INSERT by the API role: rows of the request''s own tenant (a live session of an active member) holding deals:write, owned by someone the grant''s scope reaches. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers edit the deals in their scope" ON deals;
CREATE POLICY "writers edit the deals in their scope" ON deals FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('deals:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('deals:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('deals:write'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('deals:write')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "writers edit the deals in their scope" ON deals IS
  'UPDATE by the API role: rows of the request''s own tenant (a live session of an active member) holding deals:write, owned before and after the change by someone the grant''s scope reaches. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "deleters remove the deals in their scope" ON deals;
CREATE POLICY "deleters remove the deals in their scope" ON deals FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('deals:delete'))
         AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('deals:delete')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "deleters remove the deals in their scope" ON deals IS
  'DELETE by the API role: rows of the request''s own tenant (a live session of an active member) holding deals:delete, owned by someone the grant''s scope reaches. Read the predicate for the exact rule.';

REVOKE ALL ON deals FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON deals TO tenet_api;
GRANT INSERT (tenant_id, name, amount, currency, pipeline_id, stage_id, company_id, owner_id, expected_close_date) ON deals TO tenet_api;
GRANT UPDATE (name, amount, currency, pipeline_id, stage_id, company_id, owner_id, expected_close_date) ON deals TO tenet_api;

CREATE OR REPLACE TRIGGER deals_set_updated_at BEFORE UPDATE ON deals
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER deals_stage_entered BEFORE INSERT OR UPDATE ON deals
  FOR EACH ROW EXECUTE FUNCTION app.record_stage_change();
CREATE OR REPLACE TRIGGER deals_stage_changes AFTER INSERT OR UPDATE OF stage_id ON deals
  FOR EACH ROW EXECUTE FUNCTION app.record_stage_change();
CREATE OR REPLACE TRIGGER deals_audit AFTER INSERT OR UPDATE OR DELETE ON deals
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('deal', 'id');
