-- ============================================================================
-- Schema app_private: no USAGE for tenet_api or PUBLIC, so its tables need no
-- row-level security; only the owner's SECURITY DEFINER functions reach them.
-- What stays here are the triggers that guard the audit chain's bookkeeping.
-- ============================================================================

-- audit_chain_heads only move forward, one appended entry at a time (app.audit_chain_guard in sql/15_audit.sql).
CREATE OR REPLACE TRIGGER audit_chain_heads_forward_only BEFORE UPDATE OR DELETE ON app_private.audit_chain_heads
  FOR EACH ROW EXECUTE FUNCTION app.audit_chain_guard();
CREATE OR REPLACE TRIGGER audit_chain_heads_no_truncate BEFORE TRUNCATE ON app_private.audit_chain_heads
  FOR EACH STATEMENT EXECUTE FUNCTION app.audit_chain_guard();

-- audit_chain_anchors are append-only.
CREATE OR REPLACE TRIGGER audit_chain_anchors_append_only BEFORE UPDATE OR DELETE ON app_private.audit_chain_anchors
  FOR EACH ROW EXECUTE FUNCTION app.audit_chain_guard();
