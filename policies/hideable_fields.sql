-- ============================================================================
-- hideable_fields (global catalogue of the fields a role may hide): readable by any member of a valid context;
-- written only by migrations.
-- ============================================================================
ALTER TABLE hideable_fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE hideable_fields FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON hideable_fields;
CREATE POLICY "the owner's security definer functions act on every row" ON hideable_fields FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON hideable_fields IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';


DROP POLICY IF EXISTS "members read the hideable field catalogue" ON hideable_fields;
CREATE POLICY "members read the hideable field catalogue" ON hideable_fields FOR SELECT TO tenet_api
  USING ((SELECT app.current_tenant_id()) IS NOT NULL);
COMMENT ON POLICY "members read the hideable field catalogue" ON hideable_fields IS
  'SELECT by the API role: the global catalogue of hideable fields, to any valid request context (a live session of an active member).';

DROP POLICY IF EXISTS "nobody inserts hideable fields" ON hideable_fields;
CREATE POLICY "nobody inserts hideable fields" ON hideable_fields FOR INSERT TO tenet_api WITH CHECK (false);
COMMENT ON POLICY "nobody inserts hideable fields" ON hideable_fields IS
  'The API role may never insert into hideable_fields directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';
DROP POLICY IF EXISTS "nobody updates hideable fields" ON hideable_fields;
CREATE POLICY "nobody updates hideable fields" ON hideable_fields FOR UPDATE TO tenet_api USING (false) WITH CHECK (false);
COMMENT ON POLICY "nobody updates hideable fields" ON hideable_fields IS
  'The API role may never update hideable_fields directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';
DROP POLICY IF EXISTS "nobody deletes hideable fields" ON hideable_fields;
CREATE POLICY "nobody deletes hideable fields" ON hideable_fields FOR DELETE TO tenet_api USING (false);
COMMENT ON POLICY "nobody deletes hideable fields" ON hideable_fields IS
  'The API role may never delete from hideable_fields directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

REVOKE ALL ON hideable_fields FROM PUBLIC, tenet_api;
GRANT SELECT ON hideable_fields TO tenet_api;
