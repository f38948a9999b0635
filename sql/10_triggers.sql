-- ============================================================================
-- Generic triggers.
-- ============================================================================

-- updated_at is maintained by the database, whatever the client sends.
CREATE OR REPLACE FUNCTION app.set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.set_updated_at() IS 'BEFORE UPDATE row trigger: stamps updated_at.';
REVOKE ALL ON FUNCTION app.set_updated_at() FROM PUBLIC;


-- Deactivating or removing a membership ends that member's sessions in that
-- tenant, in the same transaction.
CREATE OR REPLACE FUNCTION app.revoke_sessions_of_membership() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (OLD.active AND NOT NEW.active) THEN
    UPDATE sessions
       SET revoked_at = now(), revoked_reason = CASE TG_OP WHEN 'DELETE' THEN 'membership_removed' ELSE 'membership_deactivated' END
     WHERE tenant_id = OLD.tenant_id AND user_id = OLD.user_id AND revoked_at IS NULL;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.revoke_sessions_of_membership() IS
  'Trigger: deactivating or removing a membership revokes that member''s sessions in that tenant.';
REVOKE ALL ON FUNCTION app.revoke_sessions_of_membership() FROM PUBLIC;

