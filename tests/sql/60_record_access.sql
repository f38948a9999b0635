-- Record-level access (sql/32_record_access.sql): the own / team / all
-- matrix on contacts and companies as the API role with valid contexts,
-- owner hand-off attacks, scopes in the escalation guard, hidden fields, and
-- what happens to a leaving owner's records.
--
-- World (tenant a): role rep_own (contacts read/write/delete own, companies
-- read own), role rep_team (contacts read/write team, delete own; companies
-- read team). u1, u2 hold rep_own; u3, u4 rep_team. Team t1 = {u1, u3},
-- team t2 = {u2, u4}. Contacts k1..k4 owned by u1..u4, k0 unowned.
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(50);

SELECT tests.create_world();
SELECT tests.create_role('a', 'rep_own', ARRAY['contacts:read', 'contacts:write', 'contacts:delete', 'companies:read', 'users:read']);
SELECT tests.create_role('a', 'rep_team', ARRAY['contacts:read', 'contacts:write', 'contacts:delete', 'companies:read', 'users:read']);
UPDATE role_permissions SET scope = 'own' WHERE role_id = tests.role_id('a', 'rep_own') AND permission_key LIKE 'co%';
UPDATE role_permissions SET scope = 'team' WHERE role_id = tests.role_id('a', 'rep_team') AND permission_key LIKE 'co%';
UPDATE role_permissions SET scope = 'own' WHERE role_id = tests.role_id('a', 'rep_team') AND permission_key = 'contacts:delete';
SELECT tests.add_member('a', 'u1', ARRAY['rep_own']), tests.add_member('a', 'u2', ARRAY['rep_own']),
       tests.add_member('a', 'u3', ARRAY['rep_team']), tests.add_member('a', 'u4', ARRAY['rep_team']);
INSERT INTO teams (tenant_id, id, name) VALUES (tests.tenant_id('a'), tests.remember('m', 't1', gen_random_uuid()), 'Team 1'),
                                               (tests.tenant_id('a'), tests.remember('m', 't2', gen_random_uuid()), 'Team 2');
INSERT INTO team_members (tenant_id, team_id, user_id) VALUES
  (tests.tenant_id('a'), tests.lookup('m', 't1'), tests.user_id('u1')), (tests.tenant_id('a'), tests.lookup('m', 't1'), tests.user_id('u3')),
  (tests.tenant_id('a'), tests.lookup('m', 't2'), tests.user_id('u2')), (tests.tenant_id('a'), tests.lookup('m', 't2'), tests.user_id('u4'));
INSERT INTO contacts (tenant_id, first_name, phone, email, owner_id)
SELECT tests.tenant_id('a'), 'k' || i, '+1 555 000' || i, 'k' || i || '@example.test',
       CASE WHEN i > 0 THEN tests.user_id('u' || i) END
  FROM generate_series(0, 4) i;
INSERT INTO companies (tenant_id, name, owner_id) VALUES (tests.tenant_id('a'), 'Owned by u1', tests.user_id('u1')),
                                                        (tests.tenant_id('a'), 'Owned by u4', tests.user_id('u4'));

-- ===========================================================================
-- read
-- ===========================================================================
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT first_name FROM contacts WHERE first_name ~ '^k' ORDER BY 1$$, ARRAY['k0', 'k1', 'k2', 'k3', 'k4'], 'scope all reads every contact, unowned too');
SELECT tests.authenticate('u1', 'a');
SELECT results_eq($$SELECT first_name FROM contacts ORDER BY 1$$, ARRAY['k1'], 'scope own reads only the own contact');
SELECT results_eq($$SELECT name FROM companies ORDER BY 1$$, ARRAY['Owned by u1'], 'scope own on companies too');
SELECT tests.authenticate('u3', 'a');
SELECT results_eq($$SELECT first_name FROM contacts ORDER BY 1$$, ARRAY['k1', 'k3'], 'scope team reads the team''s contacts (u1 and u3)');
SELECT tests.authenticate('u4', 'a');
SELECT results_eq($$SELECT first_name FROM contacts ORDER BY 1$$, ARRAY['k2', 'k4'], 'the other team reads its own');
SELECT results_eq($$SELECT name FROM companies ORDER BY 1$$, ARRAY['Owned by u4'], 'scope team on companies');
SELECT results_eq($$SELECT first_name FROM contacts_visible ORDER BY 1$$, ARRAY['k2', 'k4'], 'the masking view shows the same rows');
SELECT tests.authenticate('b_owner', 'b');
SELECT is_empty($$SELECT 1 FROM contacts WHERE first_name ~ '^k'$$, 'another tenant''s owner reads none of them');

-- A list asks app.list_owners for what it may narrow to.
SELECT tests.authenticate('u3', 'a');
SELECT results_eq($$SELECT array_length(app.list_owners('contacts:read', 'team'), 1)$$, ARRAY[2], 'team scope, team filter: two owners');
SELECT results_eq($$SELECT app.list_owners('contacts:read', 'me') = ARRAY[tests.user_id('u3')]$$, ARRAY[true], 'mine narrows to the caller');
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT app.list_owners('contacts:read', 'all') IS NULL$$, ARRAY[true], 'scope all, no filter: no restriction');
SELECT tests.authenticate('u1', 'a');
SELECT results_eq($$SELECT app.list_owners('contacts:read', 'team') = ARRAY[tests.user_id('u1')]$$, ARRAY[true], 'a team filter never widens scope own');

-- ===========================================================================
-- update, delete
-- ===========================================================================
SELECT tests.authenticate('u1', 'a');
SELECT is(tests.affected($$UPDATE contacts SET last_name = 'x' WHERE first_name = 'k1'$$), 1::bigint, 'own: updates the own contact');
SELECT is(tests.affected($$UPDATE contacts SET last_name = 'x' WHERE first_name IN ('k0', 'k2', 'k3')$$), 0::bigint, 'own: updates no one else''s, nor an unowned one');
SELECT is(tests.affected($$DELETE FROM contacts WHERE first_name IN ('k0', 'k2', 'k3', 'k4')$$), 0::bigint, 'own: deletes no one else''s');
SELECT tests.authenticate('u3', 'a');
SELECT is(tests.affected($$UPDATE contacts SET last_name = 'y' WHERE first_name IN ('k1', 'k3')$$), 2::bigint, 'team: updates the team''s contacts');
SELECT is(tests.affected($$UPDATE contacts SET last_name = 'y' WHERE first_name IN ('k2', 'k4', 'k0')$$), 0::bigint, 'team: not the other team''s');
SELECT is(tests.affected($$DELETE FROM contacts WHERE first_name = 'k1'$$), 0::bigint, 'delete scope own: not a teammate''s contact');

-- ===========================================================================
-- insert and owner hand-off
-- ===========================================================================
SELECT tests.authenticate('u1', 'a');
SELECT lives_ok($$INSERT INTO contacts (tenant_id, first_name, owner_id) VALUES (tests.tenant_id('a'), 'mine', tests.user_id('u1'))$$, 'own: creates a contact it owns');
SELECT throws_ok($$INSERT INTO contacts (tenant_id, first_name, owner_id) VALUES (tests.tenant_id('a'), 'planted', tests.user_id('u2'))$$,
  '42501', NULL, 'own: cannot create a contact for someone else');
SELECT throws_ok($$INSERT INTO contacts (tenant_id, first_name) VALUES (tests.tenant_id('a'), 'unowned')$$,
  '42501', NULL, 'own: cannot create an unowned contact');
SELECT throws_ok($$UPDATE contacts SET owner_id = tests.user_id('u2') WHERE first_name = 'k1'$$,
  '42501', NULL, 'own: cannot hand the own contact to a stranger');
SELECT throws_ok($$UPDATE contacts SET owner_id = tests.user_id('u3') WHERE first_name = 'k1'$$,
  '42501', NULL, 'own: cannot hand it to a teammate either (scope own reaches only the caller)');
SELECT is(tests.affected($$UPDATE contacts SET owner_id = tests.user_id('u1') WHERE first_name IN ('k2', 'k0')$$), 0::bigint,
  'own: cannot take a contact it cannot reach');
SELECT tests.authenticate('u3', 'a');
SELECT lives_ok($$UPDATE contacts SET owner_id = tests.user_id('u3') WHERE first_name = 'k1'$$, 'team: takes over a teammate''s contact');
SELECT throws_ok($$UPDATE contacts SET owner_id = tests.user_id('u4') WHERE first_name = 'k1'$$,
  '42501', NULL, 'team: cannot hand a contact to someone outside the team');
SELECT throws_ok($$UPDATE contacts SET owner_id = NULL WHERE first_name = 'k3'$$,
  '42501', NULL, 'team: cannot make a contact unowned (out of its own reach)');
SELECT tests.authenticate('a_owner', 'a');
SELECT lives_ok($$UPDATE contacts SET owner_id = tests.user_id('u2') WHERE first_name = 'k0'$$, 'scope all hands any contact to any member');

-- A forged context: the ids of u3 with a wrong secret reach nothing.
SELECT tests.set_context(tests.tenant_id('a')::text, tests.user_id('u3')::text, tests.live_session('u3', 'a')::text, 'not-the-secret');
SELECT is_empty($$SELECT 1 FROM contacts$$, 'a forged secret reads nothing, whatever the scope');
SELECT results_eq($$SELECT app.tenant_with_permission('contacts:read') IS NULL$$, ARRAY[true], 'the one check that validates the context refuses it (scopes only narrow what it lets through)');

-- ===========================================================================
-- scopes in the escalation guard
-- ===========================================================================
SELECT tests.create_role('a', 'team_admin', ARRAY['roles:manage', 'users:read', 'users:manage', 'contacts:read']);
UPDATE role_permissions SET scope = 'team' WHERE role_id = tests.role_id('a', 'team_admin') AND permission_key = 'contacts:read';
SELECT tests.add_member('a', 'lead', ARRAY['team_admin']);
SELECT tests.create_role('a', 'empty');
SELECT tests.authenticate('lead', 'a');
SELECT throws_ok($$INSERT INTO role_permissions (tenant_id, role_id, permission_key, scope) VALUES (tests.tenant_id('a'), tests.role_id('a', 'empty'), 'contacts:read', 'all')$$,
  'TN403', NULL, 'holding contacts:read with scope team, one cannot grant it with scope all');
SELECT lives_ok($$INSERT INTO role_permissions (tenant_id, role_id, permission_key, scope) VALUES (tests.tenant_id('a'), tests.role_id('a', 'empty'), 'contacts:read', 'own')$$,
  'but can grant it with a narrower scope');
SELECT throws_ok($$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('lead'), tests.role_id('a', 'member'))$$,
  'TN403', NULL, 'nor assign a role whose contacts:read has scope all (member)');
SELECT throws_ok($$INSERT INTO role_permissions (tenant_id, role_id, permission_key, scope) VALUES (tests.tenant_id('a'), tests.role_id('a', 'empty'), 'users:read', 'own')$$,
  'TN422', NULL, 'a permission that is not scopable takes no scope but all');

-- ===========================================================================
-- hidden fields
-- ===========================================================================
SELECT tests.as_superuser();
INSERT INTO role_hidden_fields (tenant_id, role_id, field_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'rep_own'), 'contacts.phone');
SELECT tests.authenticate('u2', 'a');
SELECT results_eq($$SELECT phone IS NULL, email FROM contacts_visible WHERE first_name = 'k2'$$,
  $$VALUES (true, 'k2@example.test')$$, 'a hidden field reads as NULL through the view, the others as stored');
SELECT throws_ok($$SELECT phone FROM contacts$$, '42501', NULL, 'the table''s hideable column is not readable by the API role at all');
SELECT throws_ok($$SELECT 1 FROM contacts WHERE phone LIKE '+1%'$$, '42501', NULL, 'nor usable in a condition');
SELECT is_empty($$SELECT 1 FROM contacts_visible WHERE phone LIKE '+1%'$$, 'a condition on the view sees the masked value');
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT phone FROM contacts_visible WHERE first_name = 'k2'$$, ARRAY['+1 555 0002'], 'a role that hides nothing sees the phone');
SELECT tests.add_member('a', 'u2', ARRAY['viewer']);
SELECT tests.authenticate('u2', 'a');
SELECT results_eq($$SELECT phone FROM contacts_visible WHERE first_name = 'k2'$$, ARRAY['+1 555 0002'],
  'a second role granting contacts:read without hiding the phone shows it');
-- Showing a field one cannot see is escalation.
SELECT tests.as_superuser();
INSERT INTO role_hidden_fields (tenant_id, role_id, field_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'team_admin'), 'contacts.email');
INSERT INTO role_hidden_fields (tenant_id, role_id, field_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'empty'), 'contacts.email');
SELECT tests.authenticate('lead', 'a');
SELECT throws_ok($$DELETE FROM role_hidden_fields WHERE role_id = tests.role_id('a', 'empty') AND field_key = 'contacts.email'$$,
  'TN403', NULL, 'one cannot show again a field hidden from oneself');

-- The audit log leaves hidden values out for its readers too.
SELECT tests.create_role('a', 'auditor', ARRAY['audit:read', 'contacts:read']);
INSERT INTO role_hidden_fields (tenant_id, role_id, field_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'auditor'), 'contacts.phone');
SELECT tests.add_member('a', 'aud', ARRAY['auditor']);
SELECT tests.authenticate('aud', 'a');
SELECT results_eq($$SELECT bool_or(changes ? 'phone'), bool_or(changes ? 'email') FROM audit_log_visible WHERE entity = 'contact'$$,
  $$VALUES (false, true)$$, 'an auditor whose role hides phones reads contact entries without the phone, with the email');
SELECT throws_ok($$SELECT changes FROM audit_log$$, '42501', NULL, 'the recorded values are not readable from the table itself');
SELECT results_eq($$SELECT count(*) > 0 FROM audit_log WHERE entity = 'contact'$$, ARRAY[true], 'the entries themselves are (without their values)');
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT bool_or(changes ? 'phone') FROM audit_log_visible WHERE entity = 'contact'$$, ARRAY[true], 'the owner reads the phones in the log');

-- ===========================================================================
-- a leaving owner's records
-- ===========================================================================
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected($$DELETE FROM memberships WHERE user_id = tests.user_id('u4')$$), 1::bigint, 'the owner removes u4');
SELECT tests.as_superuser();
SELECT results_eq($$SELECT owner_id = tests.user_id('a_owner') FROM contacts WHERE first_name = 'k4'$$, ARRAY[true],
  'u4''s contact passes to the person who removed them');
SELECT results_eq($$SELECT owner_id = tests.user_id('a_owner') FROM companies WHERE name = 'Owned by u4'$$, ARRAY[true],
  'and so does u4''s company');
SELECT results_eq($$SELECT count(*)::int FROM audit_log WHERE entity = 'contact' AND action = 'update' AND actor_id = tests.user_id('a_owner')
                     AND changes -> 'owner_id' ->> 'new' = tests.user_id('a_owner')::text$$, ARRAY[1], 'the reassignment is audited as the remover''s change');
DELETE FROM memberships WHERE user_id = tests.user_id('u2') AND tenant_id = tests.tenant_id('a');
SELECT results_eq($$SELECT owner_id IS NULL FROM contacts WHERE first_name = 'k2'$$, ARRAY[true],
  'without an acting person (an operator in psql) the records become unowned');

SELECT * FROM finish();
ROLLBACK;
