-- Notes and tasks (issue 16): scopes follow the author and the assignee, a
-- link only to a record the writer can read (as the API role, the record's
-- own policies decide), done_at written only by the database, another
-- tenant's records unlinkable, notes going with their record.
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(14);

SELECT tests.create_world();
SELECT tests.create_role('a', 'rep_own', ARRAY['contacts:read', 'contacts:write', 'notes:read', 'notes:write', 'tasks:read', 'tasks:write', 'users:read']);
UPDATE role_permissions SET scope = 'own' WHERE role_id = tests.role_id('a', 'rep_own') AND permission_key <> 'users:read';
SELECT tests.add_member('a', 'rep', ARRAY['rep_own']);

SELECT tests.authenticate('a_member', 'a');
SELECT lives_ok($$INSERT INTO notes (tenant_id, body, contact_id, owner_id) VALUES (tests.tenant_id('a'), 'Met at the fair', tests.contact_id('ca1'), tests.user_id('a_member'))$$,
  'a member writes a note on a contact');
SELECT throws_ok($$INSERT INTO notes (tenant_id, body, contact_id, owner_id) VALUES (tests.tenant_id('a'), 'Forged', tests.contact_id('ca1'), tests.user_id('a_owner'))$$,
  '42501', NULL, 'a note is written in the writer''s name only, never in another member''s');
SELECT throws_ok($$INSERT INTO notes (tenant_id, body, owner_id) VALUES (tests.tenant_id('a'), 'On nothing', tests.user_id('a_member'))$$,
  '23514', NULL, 'a note is on exactly one record');
SELECT throws_ok($$INSERT INTO notes (tenant_id, body, contact_id, owner_id) VALUES (tests.tenant_id('a'), 'Cross', tests.contact_id('cb1'), tests.user_id('a_member'))$$,
  'TN422', 'does not exist', 'another tenant''s contact cannot carry a note');
SELECT lives_ok($$INSERT INTO tasks (tenant_id, title, assignee_id, contact_id) VALUES (tests.tenant_id('a'), 'Call back', tests.user_id('rep'), tests.contact_id('ca1'))$$,
  'a member assigns a task about a contact to the rep');
SELECT throws_ok($$UPDATE tasks SET done_at = now()$$, '42501', NULL, 'the API role cannot write done_at');
SELECT is_empty($$SELECT 1 FROM tasks WHERE done_at IS NOT NULL$$, 'an open task has no completion time');

SELECT tests.authenticate('rep', 'a');
SELECT is_empty($$SELECT 1 FROM notes$$, 'scope own: the rep reads none of the member''s notes');
SELECT results_eq($$SELECT title FROM tasks$$, ARRAY['Call back'], 'the rep reads the task assigned to them');
SELECT lives_ok($$UPDATE tasks SET done = true$$, 'and completes it, although its contact is out of their reach');
SELECT isnt_empty($$SELECT 1 FROM tasks WHERE done AND done_at IS NOT NULL$$, 'completing it stamps done_at');
SELECT throws_ok($$INSERT INTO notes (tenant_id, body, contact_id, owner_id) VALUES (tests.tenant_id('a'), 'Sneaky', tests.contact_id('ca1'), tests.user_id('rep'))$$,
  'TN422', 'does not exist', 'a note on a contact the rep cannot read is refused like a missing one');
SELECT throws_ok($$UPDATE tasks SET assignee_id = tests.user_id('a_member')$$, '42501', NULL, 'the rep cannot hand the task to a stranger');

SELECT tests.authenticate('a_owner', 'a');
DELETE FROM contacts WHERE id = tests.contact_id('ca1');
SELECT results_eq($$SELECT (SELECT count(*) FROM notes)::int + (SELECT count(*) FROM tasks)::int$$, ARRAY[0], 'the notes and tasks go with their contact');

SELECT * FROM finish();
ROLLBACK;
