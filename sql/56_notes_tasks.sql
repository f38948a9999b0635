-- ============================================================================
-- Notes and tasks (issue 16): the completion time of a task.
-- Their policies, grants and audit triggers are in policies/notes.sql and
-- policies/tasks.sql; a leaving member's notes and tasks pass on as their
-- records do (app.reassign_leaving_owner, sql/32_record_access.sql).
-- ============================================================================

-- done_at follows done: set when a task is completed, cleared when it is
-- reopened, kept when an update leaves done as it was. The API never writes
-- it (no column privilege), so it is the database's time of completion.
CREATE OR REPLACE FUNCTION app.task_done_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.done IS DISTINCT FROM OLD.done THEN
    NEW.done_at := CASE WHEN NEW.done THEN now() END;
  ELSE
    NEW.done_at := OLD.done_at;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.task_done_at() IS
  'Trigger: tasks.done_at is the time the task was completed (set when done turns true, cleared when it turns false).';
REVOKE ALL ON FUNCTION app.task_done_at() FROM PUBLIC;

-- A note or task is linked only to a record its writer can read: on insert,
-- and on an update that changes the link. The foreign keys (which leading
-- tenant_id keeps inside the tenant) bypass RLS; this check does not: it
-- runs as the invoker (not SECURITY DEFINER), so the record's own policies
-- decide, scope included. An own-scoped member cannot attach a note to a
-- colleague's deal, nor learn that the id exists: an invisible record and a
-- missing one both answer TN422 naming the field. An update that keeps the
-- link is not checked again (a task stays completable when its deal moves
-- out of the assignee's reach).
CREATE OR REPLACE FUNCTION app.check_record_link() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.company_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.company_id IS DISTINCT FROM OLD.company_id)
     AND NOT EXISTS (SELECT 1 FROM companies c WHERE c.tenant_id = NEW.tenant_id AND c.id = NEW.company_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'does not exist', COLUMN = 'company_id';
  END IF;
  IF NEW.contact_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.contact_id IS DISTINCT FROM OLD.contact_id)
     AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.tenant_id = NEW.tenant_id AND c.id = NEW.contact_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'does not exist', COLUMN = 'contact_id';
  END IF;
  IF NEW.deal_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.deal_id IS DISTINCT FROM OLD.deal_id)
     AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.tenant_id = NEW.tenant_id AND d.id = NEW.deal_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'does not exist', COLUMN = 'deal_id';
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.check_record_link() IS
  'Trigger on notes and tasks: the linked company, contact or deal must be readable by the writer (its policies decide, '
  'as the invoker) on insert and when the link changes; TN422 naming the field otherwise.';
REVOKE ALL ON FUNCTION app.check_record_link() FROM PUBLIC;
