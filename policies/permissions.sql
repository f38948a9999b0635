-- ============================================================================
-- permissions (global catalog): readable by any member of a valid context;
-- written only by migrations.
-- ============================================================================
ALTER TABLE permissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE permissions FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON permissions;
CREATE POLICY "the owner's security definer functions act on every row" ON permissions FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON permissions IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';


DROP POLICY IF EXISTS "members read the permission catalog" ON permissions;
CREATE POLICY "members read the permission catalog" ON permissions FOR SELECT TO tenet_api
  USING ((SELECT app.current_tenant_id()) IS NOT NULL);
COMMENT ON POLICY "members read the permission catalog" ON permissions IS
  'SELECT by the API role: the global permission catalog, to any valid request context (a live session of an active member).';

DROP POLICY IF EXISTS "nobody inserts permissions" ON permissions;
CREATE POLICY "nobody inserts permissions" ON permissions FOR INSERT TO tenet_api WITH CHECK (false);
COMMENT ON POLICY "nobody inserts permissions" ON permissions IS
  'The API role may never insert into permissions directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';
DROP POLICY IF EXISTS "nobody updates permissions" ON permissions;
CREATE POLICY "nobody updates permissions" ON permissions FOR UPDATE TO tenet_api USING (false) WITH CHECK (false);
COMMENT ON POLICY "nobody updates permissions" ON permissions IS
  'The API role may never update permissions directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';
DROP POLICY IF EXISTS "nobody deletes permissions" ON permissions;
CREATE POLICY "nobody deletes permissions" ON permissions FOR DELETE TO tenet_api USING (false);
COMMENT ON POLICY "nobody deletes permissions" ON permissions IS
  'The API role may never delete from permissions directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

REVOKE ALL ON permissions FROM PUBLIC, tenet_api;
GRANT SELECT ON permissions TO tenet_api;
