-- Escalation guards (sql/30_rbac.sql), binding every role but the table
-- owner: nobody grants or revokes a permission, assigns or unassigns a role,
-- or deactivates or removes a member, unless they hold every permission
-- involved (TN403, judged before the change, so a self-grant cannot vouch
-- for itself); the last active owner cannot be removed, deactivated or
-- demoted (TN409); system roles are read-only (TN409).
--
-- Tenant a, besides the standard members: a custom role `manager`
-- (users:read, users:manage, roles:manage) held by a_manager; a custom role
-- `auditor` (audit:read) held by nobody; a second owner, a_owner2, whose
-- membership is inactive (so a_owner is the last *active* owner).
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(37);

SELECT tests.create_world();
SELECT FROM tests.create_role('a', 'manager', ARRAY['users:read', 'users:manage', 'roles:manage']);
SELECT FROM tests.add_member('a', 'a_manager', ARRAY['manager']);
SELECT FROM tests.create_role('a', 'auditor', ARRAY['audit:read']);
SELECT FROM tests.add_member('a', 'a_owner2', ARRAY['owner'], false);

-- ===========================================================================
-- Granting and revoking permissions.
-- ===========================================================================
SELECT tests.authenticate('a_admin', 'a');
SELECT throws_ok(
  $$INSERT INTO role_permissions (tenant_id, role_id, permission_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'sales'), 'tenant:manage')$$,
  'TN403', 'You cannot grant or revoke the permission tenant:manage, which you do not hold.',
  'an admin cannot grant tenant:manage to a custom role');
SELECT lives_ok(
  $$INSERT INTO role_permissions (tenant_id, role_id, permission_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'sales'), 'users:read')$$,
  'an admin grants a permission they hold (users:read) to a custom role');
SELECT throws_ok(
  $$INSERT INTO role_permissions (tenant_id, role_id, permission_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'admin'), 'tenant:manage')$$,
  'TN409', 'System roles are read-only.', 'an admin cannot widen the system role admin');

SELECT tests.authenticate('a_manager', 'a');
SELECT throws_ok(
  $$INSERT INTO role_permissions (tenant_id, role_id, permission_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'manager'), 'audit:read')$$,
  'TN403', NULL, 'a roles:manage holder cannot grant their own role a permission they lack');
SELECT throws_ok(
  $$INSERT INTO role_permissions (tenant_id, role_id, permission_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'sales'), 'companies:delete')$$,
  'TN403', NULL, 'nor grant it to another role');
SELECT lives_ok($$INSERT INTO roles (tenant_id, name) VALUES (tests.tenant_id('a'), 'temp')$$, 'the manager creates an empty custom role');
SELECT throws_ok(
  $$INSERT INTO role_permissions (tenant_id, role_id, permission_key)
    SELECT r.tenant_id, r.id, k FROM roles r, unnest(ARRAY['users:read', 'audit:read']) k WHERE r.name = 'temp'$$,
  'TN403', NULL, 'a grant of a held and an unheld permission in one statement is refused');
SELECT is_empty($$SELECT 1 FROM role_permissions rp JOIN roles r ON r.id = rp.role_id WHERE r.name = 'temp'$$,
  'as a whole: not even the held permission was granted');

SELECT tests.authenticate('a_owner', 'a');
SELECT lives_ok(
  $$INSERT INTO role_permissions (tenant_id, role_id, permission_key) VALUES (tests.tenant_id('a'), tests.role_id('a', 'sales'), 'tenant:manage')$$,
  'the owner grants tenant:manage to a custom role (they hold it)');
SELECT tests.authenticate('a_admin', 'a');
SELECT throws_ok(
  $$DELETE FROM role_permissions WHERE role_id = tests.role_id('a', 'sales') AND permission_key = 'tenant:manage'$$,
  'TN403', 'You cannot grant or revoke the permission tenant:manage, which you do not hold.',
  'an admin cannot revoke a permission they do not hold either');
SELECT throws_ok(
  $$DELETE FROM role_permissions WHERE role_id = tests.role_id('a', 'owner')$$,
  'TN409', 'System roles are read-only.', 'an admin cannot strip the system role owner');

-- ===========================================================================
-- Assigning and unassigning roles.
-- ===========================================================================
SELECT throws_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_member'), tests.role_id('a', 'owner'))$$,
  'TN403', 'You cannot assign or unassign a role holding permissions you do not hold.',
  'an admin cannot assign the owner role');
SELECT throws_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_admin'), tests.role_id('a', 'owner'))$$,
  'TN403', NULL, 'an admin cannot make themselves owner');
SELECT throws_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_member'), tests.role_id('a', 'sales'))$$,
  'TN403', NULL, 'an admin cannot assign a custom role that now carries tenant:manage');
SELECT throws_ok(
  $$DELETE FROM membership_roles WHERE user_id = tests.user_id('a_sales') AND role_id = tests.role_id('a', 'sales')$$,
  'TN403', NULL, '... nor unassign it');
SELECT throws_ok(
  $$DELETE FROM membership_roles WHERE user_id = tests.user_id('a_owner') AND role_id = tests.role_id('a', 'owner')$$,
  'TN403', NULL, 'an admin cannot demote the owner');
SELECT throws_ok(
  format('INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (%L, %L, %L)',
         tests.tenant_id('a'), tests.user_id('a_member'), tests.role_id('b', 'admin')),
  '23503', NULL, 'an admin of a cannot assign a role of b (foreign key on tenant_id, role_id)');
SELECT throws_ok(
  format('INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (%L, %L, %L)',
         tests.tenant_id('b'), tests.user_id('b_member'), tests.role_id('b', 'admin')),
  '42501', 'new row violates row-level security policy for table "membership_roles"', 'an admin of a cannot assign roles in b');

SELECT tests.authenticate('a_manager', 'a');
SELECT throws_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_manager'), tests.role_id('a', 'auditor'))$$,
  'TN403', NULL, 'a users:manage holder cannot give themselves audit:read through a role');
SELECT throws_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_manager'), tests.role_id('a', 'admin'))$$,
  'TN403', NULL, '... nor the admin role');
SELECT throws_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_viewer'), tests.role_id('a', 'member'))$$,
  'TN403', NULL, '... nor give anyone the member role (companies:write is not theirs to give)');
SELECT lives_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_viewer'), (SELECT id FROM roles WHERE name = 'temp'))$$,
  'a users:manage holder assigns a role whose permissions they hold');

SELECT tests.authenticate('a_member', 'a');
SELECT throws_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_member'), tests.role_id('a', 'admin'))$$,
  'TN403', NULL, 'a member cannot make themselves admin (the BEFORE guard refuses even before the policy would)');
SELECT throws_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_sales'), (SELECT id FROM roles WHERE name = 'temp'))$$,
  '42501', 'new row violates row-level security policy for table "membership_roles"',
  'nor assign a role whose permissions they hold (no users:manage: the policy refuses)');

-- ===========================================================================
-- Deactivating and removing members.
-- ===========================================================================
SELECT tests.authenticate('a_admin', 'a');
SELECT throws_ok($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_owner')$$,
  'TN403', 'You cannot change a member who holds permissions you do not hold.', 'an admin cannot deactivate the owner');
SELECT throws_ok($$DELETE FROM memberships WHERE user_id = tests.user_id('a_owner')$$,
  'TN403', NULL, 'an admin cannot remove the owner');
SELECT is(tests.affected($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_member')$$), 1::bigint,
  'an admin deactivates a member whose permissions they hold');
SELECT tests.authenticate('a_manager', 'a');
SELECT throws_ok($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_admin')$$,
  'TN403', NULL, 'a users:manage holder cannot deactivate an admin, who holds more');

-- ===========================================================================
-- The last active owner.
-- ===========================================================================
SELECT tests.authenticate('a_owner', 'a');
SELECT throws_ok($$DELETE FROM membership_roles WHERE user_id = tests.user_id('a_owner') AND role_id = tests.role_id('a', 'owner')$$,
  'TN409', 'The last owner cannot be removed, deactivated or demoted.',
  'the last active owner cannot demote themselves (an inactive owner does not count)');
SELECT throws_ok($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_owner')$$,
  'TN409', 'The last owner cannot be removed, deactivated or demoted.', 'the last owner cannot deactivate themselves');
SELECT throws_ok($$DELETE FROM memberships WHERE user_id = tests.user_id('a_owner')$$,
  'TN409', NULL, 'the last owner cannot leave');
SELECT lives_ok(
  $$INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES (tests.tenant_id('a'), tests.user_id('a_admin'), tests.role_id('a', 'owner'))$$,
  'the owner makes the admin an owner too');

SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$DELETE FROM membership_roles WHERE user_id = tests.user_id('a_owner') AND role_id = tests.role_id('a', 'owner')$$),
  1::bigint, 'the new owner demotes the first one (there are two)');
SELECT tests.authenticate('a_owner', 'a');
SELECT is(app.authorize(), '{}'::text[], 'the demoted owner is still a member, holding no permission, on their very next statement');
SELECT tests.authenticate('a_admin', 'a');
SELECT throws_ok($$DELETE FROM membership_roles WHERE user_id = tests.user_id('a_admin') AND role_id = tests.role_id('a', 'owner')$$,
  'TN409', NULL, 'now the new owner is the last one and cannot demote themselves');
SELECT throws_ok($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_admin')$$,
  'TN409', NULL, '... nor deactivate themselves');

SELECT tests.as_superuser();
SELECT results_eq(
  $$SELECT m.user_id FROM memberships m JOIN membership_roles mr USING (tenant_id, user_id) JOIN roles r ON r.tenant_id = mr.tenant_id AND r.id = mr.role_id
     WHERE m.tenant_id = tests.tenant_id('a') AND m.active AND r.system AND r.name = 'owner'$$,
  ARRAY[tests.user_id('a_admin')], 'tenant a ends with exactly one active owner');

SELECT * FROM finish();
ROLLBACK;
