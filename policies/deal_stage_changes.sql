-- ============================================================================
-- deal_stage_changes: written only by the trigger on deals (as the owner);
-- read with deals:read for the deals the caller can read.
-- ============================================================================
ALTER TABLE deal_stage_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE deal_stage_changes FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON deal_stage_changes;
CREATE POLICY "the owner's security definer functions act on every row" ON deal_stage_changes FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON deal_stage_changes IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "readers see the stage history of the deals they see" ON deal_stage_changes;
CREATE POLICY "readers see the stage history of the deals they see" ON deal_stage_changes FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('deals:read')) AND EXISTS (SELECT 1 FROM deals d WHERE d.tenant_id = deal_stage_changes.tenant_id AND d.id = deal_stage_changes.deal_id));
COMMENT ON POLICY "readers see the stage history of the deals they see" ON deal_stage_changes IS
  'SELECT by the API role: rows of the request''s own tenant (a live session of an active member) holding deals:read, of a deal the caller can read. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody inserts stage history" ON deal_stage_changes;
CREATE POLICY "nobody inserts stage history" ON deal_stage_changes FOR INSERT TO tenet_api
  WITH CHECK (false);
COMMENT ON POLICY "nobody inserts stage history" ON deal_stage_changes IS
  'The API role may never inserts into deal_stage_changes directly (the trigger on deals writes it); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "nobody updates stage history" ON deal_stage_changes;
CREATE POLICY "nobody updates stage history" ON deal_stage_changes FOR UPDATE TO tenet_api
  USING (false)
  WITH CHECK (false);
COMMENT ON POLICY "nobody updates stage history" ON deal_stage_changes IS
  'The API role may never update deal_stage_changes directly; the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "nobody deletes stage history" ON deal_stage_changes;
CREATE POLICY "nobody deletes stage history" ON deal_stage_changes FOR DELETE TO tenet_api
  USING (false);
COMMENT ON POLICY "nobody deletes stage history" ON deal_stage_changes IS
  'The API role may never delete from deal_stage_changes directly (rows go with their deal); the contract keeps a policy for every command, so this one says no explicitly.';

REVOKE ALL ON deal_stage_changes FROM PUBLIC, tenet_api;
GRANT SELECT ON deal_stage_changes TO tenet_api;

CREATE OR REPLACE TRIGGER deal_stage_changes_audit AFTER INSERT OR UPDATE OR DELETE ON deal_stage_changes
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('deal_stage_change', 'deal_id');
