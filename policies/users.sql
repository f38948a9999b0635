-- ============================================================================
-- users (global): a caller sees themselves and the members of their tenant
-- (with `users:read`). Password hashes are never readable by the API role;
-- accounts are created and passwords changed through SECURITY DEFINER
-- functions in schema app. An account's name is changed by its holder, or by
-- a `users:manage` holder of the only tenant the account belongs to: a
-- tenant can never rename someone who also belongs elsewhere.
-- ============================================================================
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON users;
CREATE POLICY "the owner's security definer functions act on every row" ON users FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON users IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';


DROP POLICY IF EXISTS "callers see themselves and the members of their tenant" ON users;
CREATE POLICY "callers see themselves and the members of their tenant" ON users FOR SELECT TO tenet_api
  USING (
    (id = (SELECT app.current_user_id()) AND (SELECT app.current_tenant_id()) IS NOT NULL)
    OR ((SELECT app.has_permission('users:read'))
        AND id IN (SELECT m.user_id FROM memberships m WHERE m.tenant_id = (SELECT app.current_tenant_id()))));
COMMENT ON POLICY "callers see themselves and the members of their tenant" ON users IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission users:read, or, where the predicate says so, the caller''s own rows. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody inserts users directly" ON users;
CREATE POLICY "nobody inserts users directly" ON users FOR INSERT TO tenet_api
  WITH CHECK (false);
COMMENT ON POLICY "nobody inserts users directly" ON users IS
  'The API role may never insert into users directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

DROP POLICY IF EXISTS "users rename themselves, managers the accounts only here" ON users;
CREATE POLICY "users rename themselves, managers the accounts only here" ON users FOR UPDATE TO tenet_api
  USING (
    (id = (SELECT app.current_user_id()) AND (SELECT app.current_tenant_id()) IS NOT NULL)
    OR ((SELECT app.has_permission('users:manage')) AND app.user_belongs_only_here(id)))
  WITH CHECK (
    (id = (SELECT app.current_user_id()) AND (SELECT app.current_tenant_id()) IS NOT NULL)
    OR ((SELECT app.has_permission('users:manage')) AND app.user_belongs_only_here(id)));
COMMENT ON POLICY "users rename themselves, managers the accounts only here" ON users IS
  'UPDATE by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission users:manage, or, where the predicate says so, the caller''s own rows. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody deletes users directly" ON users;
CREATE POLICY "nobody deletes users directly" ON users FOR DELETE TO tenet_api
  USING (false);
COMMENT ON POLICY "nobody deletes users directly" ON users IS
  'The API role may never delete from users directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

REVOKE ALL ON users FROM PUBLIC, tenet_api;
GRANT SELECT (id, email, name, created_at, updated_at, email_verified_at) ON users TO tenet_api;
GRANT UPDATE (name) ON users TO tenet_api;

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER users_set_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER users_audit AFTER UPDATE OF name, email ON users
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('user', 'id');
