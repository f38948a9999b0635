-- ============================================================================
-- V014: notes and tasks (issue 16, second part).
--
-- Same foundation as companies, contacts and deals: keys lead with tenant_id,
-- RLS per permission and scope (notes:* and tasks:* are scopable: a note's
-- scope follows its author, a task's its assignee), audit triggers, keyset
-- pages. A note is markdown text on exactly one company, contact or deal; a
-- task (title, due date, assignee, done) is linked to at most one of them.
-- Both go when their record goes (ON DELETE CASCADE, audited).
-- ============================================================================
SET lock_timeout = '5s';

INSERT INTO permissions (key, description, scopable) VALUES
  ('notes:read', 'Read the notes on records', true),
  ('notes:write', 'Write and edit notes', true),
  ('notes:delete', 'Delete notes', true),
  ('tasks:read', 'List and view tasks', true),
  ('tasks:write', 'Create, assign, edit and complete tasks', true),
  ('tasks:delete', 'Delete tasks', true);
-- The system roles get them as they hold companies:* (owner, admin: all;
-- member: read, write; viewer: read); new tenants from app.system_role_permissions().
INSERT INTO role_permissions (tenant_id, role_id, permission_key)
SELECT r.tenant_id, r.id, k.key
  FROM roles r
  JOIN (VALUES ('owner', 'notes:read'), ('owner', 'notes:write'), ('owner', 'notes:delete'),
               ('owner', 'tasks:read'), ('owner', 'tasks:write'), ('owner', 'tasks:delete'),
               ('admin', 'notes:read'), ('admin', 'notes:write'), ('admin', 'notes:delete'),
               ('admin', 'tasks:read'), ('admin', 'tasks:write'), ('admin', 'tasks:delete'),
               ('member', 'notes:read'), ('member', 'notes:write'), ('member', 'tasks:read'), ('member', 'tasks:write'),
               ('viewer', 'notes:read'), ('viewer', 'tasks:read')) AS k(role, key) ON k.role = r.name
 WHERE r.system
ON CONFLICT DO NOTHING;

CREATE TABLE notes (
  tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  body        text        NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 100000),
  company_id  uuid,
  contact_id  uuid,
  deal_id     uuid,
  owner_id    uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notes_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT notes_record_check_one CHECK (num_nonnulls(company_id, contact_id, deal_id) = 1),
  CONSTRAINT notes_company_id_fkey FOREIGN KEY (tenant_id, company_id)
    REFERENCES companies (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT notes_contact_id_fkey FOREIGN KEY (tenant_id, contact_id)
    REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT notes_deal_id_fkey FOREIGN KEY (tenant_id, deal_id)
    REFERENCES deals (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT notes_owner_id_fkey FOREIGN KEY (tenant_id, owner_id)
    REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id)
);
-- A record's notes, newest first (the timeline and the record's note list).
CREATE INDEX notes_company_idx ON notes (tenant_id, company_id, created_at DESC, id DESC);
CREATE INDEX notes_contact_idx ON notes (tenant_id, contact_id, created_at DESC, id DESC);
CREATE INDEX notes_deal_idx ON notes (tenant_id, deal_id, created_at DESC, id DESC);
CREATE INDEX notes_page_idx ON notes (tenant_id, created_at DESC, id DESC);
CREATE INDEX notes_owner_page_idx ON notes (tenant_id, owner_id, created_at DESC, id DESC);
COMMENT ON TABLE notes IS 'Markdown notes on exactly one company, contact or deal, by their author (owner_id). Tenant-scoped.';
COMMENT ON COLUMN notes.owner_id IS 'The author (set to the writer by the API); the note''s scope follows it.';

CREATE TABLE tasks (
  tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  title        text        NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 500),
  due_date     date,
  assignee_id  uuid,
  done         boolean     NOT NULL DEFAULT false,
  done_at      timestamptz,
  company_id   uuid,
  contact_id   uuid,
  deal_id      uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tasks_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT tasks_record_check_one CHECK (num_nonnulls(company_id, contact_id, deal_id) <= 1),
  CONSTRAINT tasks_done_at_check_done CHECK (done = (done_at IS NOT NULL)),
  CONSTRAINT tasks_company_id_fkey FOREIGN KEY (tenant_id, company_id)
    REFERENCES companies (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT tasks_contact_id_fkey FOREIGN KEY (tenant_id, contact_id)
    REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT tasks_deal_id_fkey FOREIGN KEY (tenant_id, deal_id)
    REFERENCES deals (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT tasks_assignee_id_fkey FOREIGN KEY (tenant_id, assignee_id)
    REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (assignee_id)
);
CREATE INDEX tasks_company_idx ON tasks (tenant_id, company_id, created_at DESC, id DESC);
CREATE INDEX tasks_contact_idx ON tasks (tenant_id, contact_id, created_at DESC, id DESC);
CREATE INDEX tasks_deal_idx ON tasks (tenant_id, deal_id, created_at DESC, id DESC);
CREATE INDEX tasks_page_idx ON tasks (tenant_id, created_at DESC, id DESC);
CREATE INDEX tasks_assignee_page_idx ON tasks (tenant_id, assignee_id, created_at DESC, id DESC);
COMMENT ON TABLE tasks IS 'To-dos with a due date and an assignee, linked to at most one company, contact or deal. Tenant-scoped.';
COMMENT ON COLUMN tasks.assignee_id IS 'Who the task is for; the task''s scope follows it (as owner_id does for records).';
COMMENT ON COLUMN tasks.done_at IS 'When the task was completed (set by a trigger when done turns true, cleared when it turns false).';
