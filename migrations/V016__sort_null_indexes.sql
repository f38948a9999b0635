-- ============================================================================
-- V016: the NULLs of a nullable sort key in id order (issue 16).
--
-- A sort on a nullable field reads its NULLs last, by id
-- (src/api/crm.rs, ListQuery::sorted_sql). PostgreSQL does not take
-- `field IS NULL` as fixing the field for the order of (tenant_id, field, id),
-- so without these it sorted every NULL of the tenant; a partial index per
-- field walks them in order and stops at the page.
-- ============================================================================
SET lock_timeout = '5s';

CREATE INDEX contacts_last_name_null_idx ON contacts (tenant_id, id) WHERE last_name IS NULL;
CREATE INDEX deals_amount_null_idx ON deals (tenant_id, id) WHERE amount IS NULL;
CREATE INDEX deals_close_null_idx ON deals (tenant_id, id) WHERE expected_close_date IS NULL;
CREATE INDEX tasks_due_null_idx ON tasks (tenant_id, id) WHERE due_date IS NULL;
