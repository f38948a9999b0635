-- companies and contacts, per system role: reading needs <r>:read,
-- inserting and updating <r>:write, deleting <r>:delete, always within the
-- caller's tenant. owner and admin hold all three, member read and write,
-- viewer read; the custom role `sales` holds companies:read and
-- contacts:read; a member without any role holds nothing.
-- RLS does not raise on UPDATE and DELETE: a refused one affects 0 rows.
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(65);

SELECT tests.create_world();
SELECT FROM tests.add_member('a', 'a_nobody');

-- ===========================================================================
-- companies
-- ===========================================================================
-- SELECT
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT name FROM companies ORDER BY name$$, ARRAY['Company a1', 'Company a2'], 'owner reads a''s companies, not b''s');
SELECT tests.authenticate('a_admin', 'a');
SELECT results_eq($$SELECT name FROM companies ORDER BY name$$, ARRAY['Company a1', 'Company a2'], 'admin reads a''s companies');
SELECT tests.authenticate('a_member', 'a');
SELECT results_eq($$SELECT name FROM companies ORDER BY name$$, ARRAY['Company a1', 'Company a2'], 'member reads a''s companies');
SELECT tests.authenticate('a_viewer', 'a');
SELECT results_eq($$SELECT name FROM companies ORDER BY name$$, ARRAY['Company a1', 'Company a2'], 'viewer reads a''s companies');
SELECT tests.authenticate('a_sales', 'a');
SELECT results_eq($$SELECT name FROM companies ORDER BY name$$, ARRAY['Company a1', 'Company a2'], 'custom role with companies:read reads a''s companies');
SELECT tests.authenticate('a_nobody', 'a');
SELECT is_empty($$SELECT 1 FROM companies$$, 'a member without roles reads no company');
SELECT tests.authenticate('b_owner', 'b');
SELECT results_eq($$SELECT name FROM companies$$, ARRAY['Company b1'], 'b''s owner reads b''s company only');

-- INSERT
SELECT tests.authenticate('a_owner', 'a');
SELECT lives_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'By owner')$$, 'owner creates a company');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('b'), 'Planted by a')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'owner of a cannot create a company in b');
SELECT throws_ok($$INSERT INTO companies (id, tenant_id, name) VALUES (gen_random_uuid(), tests.tenant_id('a'), 'Own id')$$,
  '42501', 'permission denied for table companies', 'the API role cannot choose a company''s id (no column grant)');
SELECT tests.authenticate('a_admin', 'a');
SELECT lives_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'By admin')$$, 'admin creates a company');
SELECT tests.authenticate('a_member', 'a');
SELECT lives_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'By member')$$, 'member creates a company');
SELECT tests.authenticate('a_viewer', 'a');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'By viewer')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'viewer cannot create a company');
SELECT tests.authenticate('a_sales', 'a');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'By sales')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'custom role without companies:write cannot create a company');
SELECT tests.authenticate('a_nobody', 'a');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'By nobody')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'a member without roles cannot create a company');

-- UPDATE
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected($$UPDATE companies SET industry = 'owner' WHERE id = tests.company_id('a1')$$), 1::bigint, 'owner updates a company');
SELECT is(tests.affected($$UPDATE companies SET industry = 'owner' WHERE id = tests.company_id('b1')$$), 0::bigint, 'owner of a cannot update b''s company (0 rows)');
SELECT throws_ok($$UPDATE companies SET tenant_id = tests.tenant_id('b') WHERE id = tests.company_id('a1')$$,
  '42501', 'permission denied for table companies', 'a company cannot be moved to another tenant (no column grant)');
SELECT throws_ok($$UPDATE companies SET owner_id = tests.user_id('b_member') WHERE id = tests.company_id('a1')$$,
  '23503', NULL, 'a company''s owner cannot be a member of another tenant');
SELECT lives_ok($$UPDATE companies SET owner_id = tests.user_id('a_member') WHERE id = tests.company_id('a1')$$,
  'a company''s owner can be a member of its tenant');
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$UPDATE companies SET industry = 'admin' WHERE id = tests.company_id('a1')$$), 1::bigint, 'admin updates a company');
SELECT tests.authenticate('a_member', 'a');
SELECT is(tests.affected($$UPDATE companies SET industry = 'member' WHERE id = tests.company_id('a1')$$), 1::bigint, 'member updates a company');
SELECT tests.authenticate('a_viewer', 'a');
SELECT is(tests.affected($$UPDATE companies SET industry = 'viewer' WHERE id = tests.company_id('a1')$$), 0::bigint, 'viewer cannot update a company (0 rows)');
SELECT tests.authenticate('a_sales', 'a');
SELECT is(tests.affected($$UPDATE companies SET industry = 'sales'$$), 0::bigint, 'custom role without companies:write updates nothing');

-- DELETE
SELECT tests.authenticate('a_member', 'a');
SELECT is(tests.affected($$DELETE FROM companies WHERE name = 'By member'$$), 0::bigint, 'member cannot delete a company (0 rows)');
SELECT tests.authenticate('a_viewer', 'a');
SELECT is(tests.affected($$DELETE FROM companies$$), 0::bigint, 'viewer cannot delete companies (0 rows)');
SELECT tests.authenticate('a_sales', 'a');
SELECT is(tests.affected($$DELETE FROM companies$$), 0::bigint, 'custom role without companies:delete deletes nothing');
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$DELETE FROM companies WHERE name = 'By admin'$$), 1::bigint, 'admin deletes a company');
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected($$DELETE FROM companies WHERE id = tests.company_id('b1')$$), 0::bigint, 'owner of a cannot delete b''s company (0 rows)');
SELECT is(tests.affected($$DELETE FROM companies WHERE name = 'By owner'$$), 1::bigint, 'owner deletes a company');

-- What is left, seen by the superuser.
SELECT tests.as_superuser();
SELECT results_eq($$SELECT name FROM companies WHERE tenant_id = tests.tenant_id('a') ORDER BY name$$,
  ARRAY['By member', 'Company a1', 'Company a2'], 'a''s companies: the two fixtures and the member''s');
SELECT results_eq($$SELECT industry FROM companies WHERE id = tests.company_id('a1')$$, ARRAY['member'],
  'the last permitted update of a1 is the member''s');
SELECT results_eq($$SELECT name, industry FROM companies WHERE tenant_id = tests.tenant_id('b')$$,
  $$VALUES ('Company b1', NULL::text)$$, 'b''s company is untouched');

-- ===========================================================================
-- contacts
-- ===========================================================================
-- SELECT
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT last_name FROM contacts ORDER BY last_name$$, ARRAY['ca1', 'ca2'], 'owner reads a''s contacts, not b''s');
SELECT tests.authenticate('a_admin', 'a');
SELECT results_eq($$SELECT count(*)::int FROM contacts$$, ARRAY[2], 'admin reads a''s contacts');
SELECT tests.authenticate('a_member', 'a');
SELECT results_eq($$SELECT count(*)::int FROM contacts$$, ARRAY[2], 'member reads a''s contacts');
SELECT tests.authenticate('a_viewer', 'a');
SELECT results_eq($$SELECT count(*)::int FROM contacts$$, ARRAY[2], 'viewer reads a''s contacts');
SELECT tests.authenticate('a_sales', 'a');
SELECT results_eq($$SELECT count(*)::int FROM contacts$$, ARRAY[2], 'custom role with contacts:read reads a''s contacts');
SELECT tests.authenticate('a_nobody', 'a');
SELECT is_empty($$SELECT 1 FROM contacts$$, 'a member without roles reads no contact');

-- INSERT
SELECT tests.authenticate('a_owner', 'a');
SELECT lives_ok($$INSERT INTO contacts (tenant_id, first_name, company_id) VALUES (tests.tenant_id('a'), 'By owner', tests.company_id('a2'))$$,
  'owner creates a contact at a company of a');
SELECT throws_ok($$INSERT INTO contacts (tenant_id, first_name, company_id) VALUES (tests.tenant_id('a'), 'Linked to b', tests.company_id('b1'))$$,
  '23503', NULL, 'a contact of a cannot point at b''s company');
SELECT throws_ok($$INSERT INTO contacts (tenant_id, first_name) VALUES (tests.tenant_id('b'), 'Planted by a')$$,
  '42501', 'new row violates row-level security policy for table "contacts"', 'owner of a cannot create a contact in b');
SELECT tests.authenticate('a_admin', 'a');
SELECT lives_ok($$INSERT INTO contacts (tenant_id, first_name) VALUES (tests.tenant_id('a'), 'By admin')$$, 'admin creates a contact');
SELECT tests.authenticate('a_member', 'a');
SELECT lives_ok($$INSERT INTO contacts (tenant_id, first_name) VALUES (tests.tenant_id('a'), 'By member')$$, 'member creates a contact');
SELECT tests.authenticate('a_viewer', 'a');
SELECT throws_ok($$INSERT INTO contacts (tenant_id, first_name) VALUES (tests.tenant_id('a'), 'By viewer')$$,
  '42501', 'new row violates row-level security policy for table "contacts"', 'viewer cannot create a contact');
SELECT tests.authenticate('a_sales', 'a');
SELECT throws_ok($$INSERT INTO contacts (tenant_id, first_name) VALUES (tests.tenant_id('a'), 'By sales')$$,
  '42501', 'new row violates row-level security policy for table "contacts"', 'custom role without contacts:write cannot create a contact');

-- UPDATE
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected($$UPDATE contacts SET phone = 'owner' WHERE id = tests.contact_id('ca2')$$), 1::bigint, 'owner updates a contact');
SELECT is(tests.affected($$UPDATE contacts SET phone = 'owner' WHERE id = tests.contact_id('cb1')$$), 0::bigint, 'owner of a cannot update b''s contact (0 rows)');
SELECT throws_ok($$UPDATE contacts SET company_id = tests.company_id('b1') WHERE id = tests.contact_id('ca2')$$,
  '23503', NULL, 'a contact cannot be moved to b''s company');
SELECT throws_ok($$UPDATE contacts SET tenant_id = tests.tenant_id('b') WHERE id = tests.contact_id('ca2')$$,
  '42501', 'permission denied for table contacts', 'a contact cannot be moved to another tenant (no column grant)');
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$UPDATE contacts SET phone = 'admin' WHERE id = tests.contact_id('ca2')$$), 1::bigint, 'admin updates a contact');
SELECT tests.authenticate('a_member', 'a');
SELECT is(tests.affected($$UPDATE contacts SET phone = 'member' WHERE id = tests.contact_id('ca2')$$), 1::bigint, 'member updates a contact');
SELECT tests.authenticate('a_viewer', 'a');
SELECT is(tests.affected($$UPDATE contacts SET phone = 'viewer'$$), 0::bigint, 'viewer cannot update contacts (0 rows)');
SELECT tests.authenticate('a_sales', 'a');
SELECT is(tests.affected($$UPDATE contacts SET phone = 'sales'$$), 0::bigint, 'custom role without contacts:write updates nothing');

-- DELETE
SELECT tests.authenticate('a_member', 'a');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'member cannot delete contacts (0 rows)');
SELECT tests.authenticate('a_viewer', 'a');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'viewer cannot delete contacts (0 rows)');
SELECT tests.authenticate('a_sales', 'a');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'custom role without contacts:delete deletes nothing');
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$DELETE FROM contacts WHERE first_name = 'By admin'$$), 1::bigint, 'admin deletes a contact');
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected($$DELETE FROM contacts WHERE first_name = 'By owner'$$), 1::bigint, 'owner deletes a contact');
SELECT is(tests.affected($$DELETE FROM contacts WHERE id = tests.contact_id('cb1')$$), 0::bigint, 'owner of a cannot delete b''s contact (0 rows)');

-- Deleting a company detaches its contacts (companies:delete suffices).
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$DELETE FROM companies WHERE id = tests.company_id('a1')$$), 1::bigint, 'admin deletes company a1');
SELECT tests.as_superuser();
SELECT results_eq($$SELECT first_name, company_id FROM contacts WHERE id = tests.contact_id('ca1')$$,
  $$VALUES ('Contact', NULL::uuid)$$, 'its contact ca1 remains, detached');
SELECT results_eq($$SELECT first_name FROM contacts WHERE tenant_id = tests.tenant_id('a') ORDER BY first_name$$,
  ARRAY['By member', 'Contact', 'Contact'], 'a''s contacts: the two fixtures and the member''s');
SELECT results_eq($$SELECT phone FROM contacts WHERE id = tests.contact_id('ca2')$$, ARRAY['member'],
  'the last permitted update of ca2 is the member''s');
SELECT results_eq($$SELECT count(*)::int FROM contacts WHERE tenant_id = tests.tenant_id('b') AND phone IS NULL$$, ARRAY[1],
  'b''s contact is untouched');

SELECT * FROM finish();
ROLLBACK;
