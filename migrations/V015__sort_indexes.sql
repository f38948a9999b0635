-- ============================================================================
-- V015: the indexes of the list grammar's sort keys (issue 16).
--
-- `sort=field` / `sort=-field` walks (tenant_id, field, id) forwards or
-- backwards with a keyset cursor on (field, id) (src/api/crm.rs,
-- ListQuery::sorted_sql); a nullable field's NULLs are one more walk of the
-- same index (`field IS NULL`, by id). created_at has its page indexes.
-- ============================================================================
SET lock_timeout = '5s';

CREATE INDEX companies_name_sort_idx ON companies (tenant_id, name, id);
CREATE INDEX companies_updated_sort_idx ON companies (tenant_id, updated_at, id);
CREATE INDEX contacts_first_name_sort_idx ON contacts (tenant_id, first_name, id);
CREATE INDEX contacts_last_name_sort_idx ON contacts (tenant_id, last_name, id);
CREATE INDEX contacts_updated_sort_idx ON contacts (tenant_id, updated_at, id);
CREATE INDEX deals_name_sort_idx ON deals (tenant_id, name, id);
CREATE INDEX deals_amount_sort_idx ON deals (tenant_id, amount, id);
CREATE INDEX deals_close_sort_idx ON deals (tenant_id, expected_close_date, id);
CREATE INDEX deals_updated_sort_idx ON deals (tenant_id, updated_at, id);
CREATE INDEX tasks_due_sort_idx ON tasks (tenant_id, due_date, id);
CREATE INDEX tasks_title_sort_idx ON tasks (tenant_id, title, id);
CREATE INDEX tasks_updated_sort_idx ON tasks (tenant_id, updated_at, id);
CREATE INDEX notes_updated_sort_idx ON notes (tenant_id, updated_at, id);
