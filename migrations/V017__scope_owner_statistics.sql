-- ============================================================================
-- V017: statistics for the scope predicate of the CRM policies (issue 13/15).
--
-- Every CRM read policy filters rows by
--   coalesce(owner_id, '00000000-…'::uuid) = ANY (coalesce((SELECT app.scope_owners(k)), ARRAY[…]))
-- Without statistics on that expression PostgreSQL guesses it keeps about 5 %
-- of a tenant's rows (its default for "= ANY" of an array it cannot see), so
-- for a tenant of a few thousand rows it preferred reading the whole tenant
-- and sorting it over walking the page index: 1,668 rows sorted for a page of
-- 51. With the expression's distinct count known (few owners per tenant), the
-- estimate is the whole tenant and the plan is the index walk: the list's SQL
-- went from about 900 to about 4,700 tps in pgbench at 1,000 contacts per
-- tenant (benches/run.sh quick data, -c 8, two alternating runs each).
-- ============================================================================
SET lock_timeout = '5s';

CREATE STATISTICS companies_scope_owner_stats ON (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)) FROM companies;
CREATE STATISTICS contacts_scope_owner_stats ON (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)) FROM contacts;
CREATE STATISTICS deals_scope_owner_stats ON (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)) FROM deals;
CREATE STATISTICS notes_scope_owner_stats ON (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)) FROM notes;
CREATE STATISTICS tasks_scope_owner_stats ON (coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid)) FROM tasks;
ANALYZE companies, contacts, deals, notes, tasks;
