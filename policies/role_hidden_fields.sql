-- ============================================================================
-- role_hidden_fields: which fields a role hides from its members (see
-- sql/32_record_access.sql). Readable by members; `roles:manage` changes
-- custom roles only. Hiding a field is always allowed; showing one again
-- needs the actor to see it (app.guard_role_hidden_fields).
-- ============================================================================
ALTER TABLE role_hidden_fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_hidden_fields FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON role_hidden_fields;
CREATE POLICY "the owner's security definer functions act on every row" ON role_hidden_fields FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON role_hidden_fields IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "members read their tenant's hidden fields" ON role_hidden_fields;
CREATE POLICY "members read their tenant's hidden fields" ON role_hidden_fields FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.current_tenant_id()));
COMMENT ON POLICY "members read their tenant's hidden fields" ON role_hidden_fields IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "role managers hide fields" ON role_hidden_fields;
CREATE POLICY "role managers hide fields" ON role_hidden_fields FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('roles:manage')));
COMMENT ON POLICY "role managers hide fields" ON role_hidden_fields IS
  'INSERT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission roles:manage. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody updates hidden fields in place" ON role_hidden_fields;
CREATE POLICY "nobody updates hidden fields in place" ON role_hidden_fields FOR UPDATE TO tenet_api
  USING (false) WITH CHECK (false);
COMMENT ON POLICY "nobody updates hidden fields in place" ON role_hidden_fields IS
  'The API role may never update role_hidden_fields directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "role managers show fields again" ON role_hidden_fields;
CREATE POLICY "role managers show fields again" ON role_hidden_fields FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('roles:manage')));
COMMENT ON POLICY "role managers show fields again" ON role_hidden_fields IS
  'DELETE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission roles:manage. Read the predicate for the exact rule.';

REVOKE ALL ON role_hidden_fields FROM PUBLIC, tenet_api;
GRANT SELECT, INSERT, DELETE ON role_hidden_fields TO tenet_api;

CREATE OR REPLACE TRIGGER role_hidden_fields_audit AFTER INSERT OR UPDATE OR DELETE ON role_hidden_fields
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('role_hidden_field', 'role_id');
CREATE OR REPLACE TRIGGER role_hidden_fields_guard BEFORE INSERT OR DELETE ON role_hidden_fields
  FOR EACH ROW EXECUTE FUNCTION app.guard_role_hidden_fields();
