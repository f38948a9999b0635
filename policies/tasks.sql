-- ============================================================================
-- tasks: reading needs `tasks:read`, writing (creating, assigning, editing,
-- completing) `tasks:write`, deleting `tasks:delete` — within the caller's
-- tenant and the grant's scope (all, team, own: sql/32_record_access.sql),
-- which for a task follows its assignee (assignee_id; the predicate as in
-- policies/contacts.sql with assignee_id for owner_id): an own-scoped member
-- sees and completes the tasks assigned to them, and cannot hand one to a
-- stranger. A task is linked to at most one company, contact or deal of the
-- same tenant and goes with it. done_at is the database's (app.task_done_at).
-- ============================================================================
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
-- The migration owner (CURRENT_USER when this file is applied) owns the SECURITY DEFINER
-- functions of sql/; FORCE makes RLS bind the owner too, so it is let through explicitly.
DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON tasks;
CREATE POLICY "the owner's security definer functions act on every row" ON tasks FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON tasks IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "readers see the tasks in their scope" ON tasks;
CREATE POLICY "readers see the tasks in their scope" ON tasks FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('tasks:read'))
         AND coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('tasks:read')), ARRAY[coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "readers see the tasks in their scope" ON tasks IS
  'SELECT by the API role: rows of the request''s own tenant (a live session of an active member) holding tasks:read, assigned to someone the grant''s scope reaches (scope all: any row). Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers add tasks in their scope" ON tasks;
CREATE POLICY "writers add tasks in their scope" ON tasks FOR INSERT TO tenet_api
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('tasks:write'))
         AND coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('tasks:write')), ARRAY[coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "writers add tasks in their scope" ON tasks IS
  'INSERT by the API role: rows of the request''s own tenant (a live session of an active member) holding tasks:write, assigned to someone the grant''s scope reaches. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "writers edit the tasks in their scope" ON tasks;
CREATE POLICY "writers edit the tasks in their scope" ON tasks FOR UPDATE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('tasks:write'))
         AND coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('tasks:write')), ARRAY[coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid)])))
  WITH CHECK (tenant_id = (SELECT app.tenant_with_permission('tasks:write'))
         AND coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('tasks:write')), ARRAY[coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "writers edit the tasks in their scope" ON tasks IS
  'UPDATE by the API role: rows of the request''s own tenant (a live session of an active member) holding tasks:write, assigned before and after the change to someone the grant''s scope reaches. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "deleters remove the tasks in their scope" ON tasks;
CREATE POLICY "deleters remove the tasks in their scope" ON tasks FOR DELETE TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('tasks:delete'))
         AND coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid) = ANY (coalesce((SELECT app.scope_owners('tasks:delete')), ARRAY[coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid)])));
COMMENT ON POLICY "deleters remove the tasks in their scope" ON tasks IS
  'DELETE by the API role: rows of the request''s own tenant (a live session of an active member) holding tasks:delete, assigned to someone the grant''s scope reaches. Read the predicate for the exact rule.';

REVOKE ALL ON tasks FROM PUBLIC, tenet_api;
GRANT SELECT, DELETE ON tasks TO tenet_api;
GRANT INSERT (tenant_id, title, due_date, assignee_id, done, company_id, contact_id, deal_id) ON tasks TO tenet_api;
GRANT UPDATE (title, due_date, assignee_id, done, company_id, contact_id, deal_id) ON tasks TO tenet_api;

CREATE OR REPLACE TRIGGER tasks_set_updated_at BEFORE UPDATE ON tasks
  FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE OR REPLACE TRIGGER tasks_done_at BEFORE INSERT OR UPDATE ON tasks
  FOR EACH ROW EXECUTE FUNCTION app.task_done_at();
CREATE OR REPLACE TRIGGER tasks_record_link BEFORE INSERT OR UPDATE ON tasks
  FOR EACH ROW EXECUTE FUNCTION app.check_record_link();
CREATE OR REPLACE TRIGGER tasks_audit AFTER INSERT OR UPDATE OR DELETE ON tasks
  FOR EACH ROW EXECUTE FUNCTION app.audit_row('task', 'id');
