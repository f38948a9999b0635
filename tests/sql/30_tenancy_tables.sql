-- The tenancy and RBAC tables per system role: tenants (tenant:manage
-- renames), roles and role_permissions (every member reads, roles:manage
-- writes custom roles), memberships and membership_roles (users:read reads
-- all, a member reads their own, users:manage writes), users (global:
-- visible through a membership) and sessions (a caller's own).
-- Roles of tenant a: owner, admin, member, viewer and the custom `sales`
-- (companies:read, contacts:read), one member each.
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(104);

SELECT tests.create_world();
SELECT FROM tests.add_member('a', 'multi', ARRAY['viewer']);
SELECT FROM tests.add_member('b', 'multi', ARRAY['viewer']);

-- ===========================================================================
-- tenants
-- ===========================================================================
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT id FROM tenants$$, ARRAY[tests.tenant_id('a')], 'owner sees only tenant a');
SELECT tests.authenticate('a_admin', 'a');
SELECT results_eq($$SELECT id FROM tenants$$, ARRAY[tests.tenant_id('a')], 'admin sees only tenant a');
SELECT tests.authenticate('a_member', 'a');
SELECT results_eq($$SELECT id FROM tenants$$, ARRAY[tests.tenant_id('a')], 'member sees only tenant a');
SELECT tests.authenticate('a_viewer', 'a');
SELECT results_eq($$SELECT id FROM tenants$$, ARRAY[tests.tenant_id('a')], 'viewer sees only tenant a');
SELECT tests.authenticate('a_sales', 'a');
SELECT results_eq($$SELECT id FROM tenants$$, ARRAY[tests.tenant_id('a')], 'a custom-role member sees only tenant a');

SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$UPDATE tenants SET name = 'Renamed by admin'$$), 0::bigint, 'admin cannot rename the tenant (0 rows)');
SELECT tests.authenticate('a_member', 'a');
SELECT is(tests.affected($$UPDATE tenants SET name = 'Renamed by member'$$), 0::bigint, 'member cannot rename the tenant (0 rows)');
SELECT tests.authenticate('a_viewer', 'a');
SELECT is(tests.affected($$UPDATE tenants SET name = 'Renamed by viewer'$$), 0::bigint, 'viewer cannot rename the tenant (0 rows)');
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected($$UPDATE tenants SET name = 'Renamed by owner'$$), 1::bigint, 'owner renames the tenant (tenant:manage)');
SELECT is(tests.affected(format('UPDATE tenants SET name = %L WHERE id = %L', 'Renamed by a', tests.tenant_id('b'))), 0::bigint,
  'owner of a cannot rename b (0 rows)');
SELECT throws_ok($$UPDATE tenants SET slug = 'taken-over'$$, '42501', 'permission denied for table tenants',
  'nobody changes a tenant''s slug through the API role');
SELECT throws_ok($$INSERT INTO tenants (name, slug) VALUES ('Direct', 'direct')$$, '42501', 'permission denied for table tenants',
  'tenants are not inserted directly (signup is the way)');
SELECT throws_ok($$DELETE FROM tenants$$, '42501', 'permission denied for table tenants',
  'tenants are not deleted through the API role');
SELECT tests.as_superuser();
SELECT results_eq($$SELECT name FROM tenants ORDER BY name$$, ARRAY['Renamed by owner', 'Tenant b'], 'only the owner''s rename took effect');

-- ===========================================================================
-- users (global; seen through memberships) and sessions (the caller's own)
-- ===========================================================================
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT count(*)::int FROM users$$, ARRAY[6], 'owner (users:read) sees the 6 accounts of a');
SELECT is_empty($$SELECT 1 FROM users WHERE id = tests.user_id('b_owner')$$, 'owner of a cannot see b''s owner');
SELECT tests.authenticate('a_sales', 'a');
SELECT results_eq($$SELECT id FROM users$$, ARRAY[tests.user_id('a_sales')], 'without users:read a member sees only their own account');
SELECT tests.authenticate('a_member', 'a');
SELECT is(tests.affected($$UPDATE users SET name = 'Member renamed' WHERE id = tests.user_id('a_member')$$), 1::bigint,
  'a member renames their own account');
SELECT is(tests.affected($$UPDATE users SET name = 'Renamed by member' WHERE id = tests.user_id('a_viewer')$$), 0::bigint,
  'a member cannot rename someone else (0 rows)');
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$UPDATE users SET name = 'Renamed by admin' WHERE id = tests.user_id('a_viewer')$$), 1::bigint,
  'admin (users:manage) renames an account that belongs only to a');
SELECT is(tests.affected($$UPDATE users SET name = 'Renamed by admin' WHERE id = tests.user_id('multi')$$), 0::bigint,
  'admin of a cannot rename an account that also belongs to b (0 rows)');
SELECT throws_ok($$UPDATE users SET email = 'hijack@pgtap.test' WHERE id = tests.user_id('a_viewer')$$,
  '42501', 'permission denied for table users', 'nobody changes an email through the API role');
SELECT results_eq($$SELECT DISTINCT user_id FROM sessions$$, ARRAY[tests.user_id('a_admin')], 'a caller sees their own sessions only');
SELECT throws_ok($$SELECT secret_hash FROM sessions$$, '42501', 'permission denied for table sessions',
  'a session''s secret hash is not readable');
SELECT throws_ok($$UPDATE sessions SET expires_at = now() + interval '10 years'$$, '42501', 'permission denied for table sessions',
  'sessions cannot be extended directly');

-- ===========================================================================
-- roles: every member reads them; roles:manage (owner, admin) writes
-- custom roles; system roles are read-only for everybody.
-- ===========================================================================
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT name FROM roles ORDER BY name$$, ARRAY['admin', 'member', 'owner', 'sales', 'viewer'], 'owner reads a''s roles');
SELECT tests.authenticate('a_admin', 'a');
SELECT results_eq($$SELECT name FROM roles ORDER BY name$$, ARRAY['admin', 'member', 'owner', 'sales', 'viewer'], 'admin reads a''s roles');
SELECT tests.authenticate('a_member', 'a');
SELECT results_eq($$SELECT name FROM roles ORDER BY name$$, ARRAY['admin', 'member', 'owner', 'sales', 'viewer'], 'member reads a''s roles');
SELECT tests.authenticate('a_viewer', 'a');
SELECT results_eq($$SELECT name FROM roles ORDER BY name$$, ARRAY['admin', 'member', 'owner', 'sales', 'viewer'], 'viewer reads a''s roles');
SELECT tests.authenticate('a_sales', 'a');
SELECT results_eq($$SELECT count(*)::int FROM roles$$, ARRAY[5], 'a custom-role member reads a''s roles, not b''s');

SELECT tests.authenticate('a_owner', 'a');
SELECT lives_ok($$INSERT INTO roles (tenant_id, name) VALUES (tests.tenant_id('a'), 'by-owner')$$, 'owner creates a custom role');
SELECT tests.authenticate('a_admin', 'a');
SELECT lives_ok($$INSERT INTO roles (tenant_id, name) VALUES (tests.tenant_id('a'), 'by-admin')$$, 'admin (roles:manage) creates a custom role');
SELECT throws_ok($$INSERT INTO roles (tenant_id, name) VALUES (tests.tenant_id('b'), 'planted')$$,
  '42501', 'new row violates row-level security policy for table "roles"', 'admin of a cannot create a role in b');
SELECT throws_ok($$INSERT INTO roles (tenant_id, name, system) VALUES (tests.tenant_id('a'), 'fake-system', true)$$,
  '42501', 'permission denied for table roles', 'nobody creates a system role through the API role');
SELECT tests.authenticate('a_member', 'a');
SELECT throws_ok($$INSERT INTO roles (tenant_id, name) VALUES (tests.tenant_id('a'), 'by-member')$$,
  '42501', 'new row violates row-level security policy for table "roles"', 'member cannot create a role');
SELECT tests.authenticate('a_viewer', 'a');
SELECT throws_ok($$INSERT INTO roles (tenant_id, name) VALUES (tests.tenant_id('a'), 'by-viewer')$$,
  '42501', 'new row violates row-level security policy for table "roles"', 'viewer cannot create a role');

SELECT tests.authenticate('a_member', 'a');
SELECT is(tests.affected($$UPDATE roles SET description = 'member was here'$$), 0::bigint, 'member cannot edit roles (0 rows)');
SELECT tests.authenticate('a_viewer', 'a');
SELECT is(tests.affected($$UPDATE roles SET description = 'viewer was here'$$), 0::bigint, 'viewer cannot edit roles (0 rows)');
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected($$UPDATE roles SET description = 'edited' WHERE name = 'by-admin'$$), 1::bigint, 'owner edits a custom role');
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$UPDATE roles SET description = 'edited' WHERE name = 'by-owner'$$), 1::bigint, 'admin edits a custom role');
SELECT is(tests.affected(format('UPDATE roles SET description = %L WHERE id = %L', 'edited by a', tests.role_id('b', 'sales'))), 0::bigint,
  'admin of a cannot edit b''s custom role (0 rows)');
SELECT throws_ok($$UPDATE roles SET description = 'edited' WHERE name = 'viewer'$$, 'TN409', 'System roles are read-only.',
  'admin cannot edit a system role');
SELECT throws_ok($$UPDATE roles SET system = true WHERE name = 'by-owner'$$, '42501', 'permission denied for table roles',
  'a custom role cannot become a system role');

SELECT FROM tests.create_role('a', 'spare');
SELECT tests.authenticate('a_member', 'a');
SELECT is(tests.affected($$DELETE FROM roles WHERE name = 'by-admin'$$), 0::bigint, 'member cannot delete a role (0 rows)');
SELECT tests.authenticate('a_viewer', 'a');
SELECT is(tests.affected($$DELETE FROM roles WHERE name = 'by-admin'$$), 0::bigint, 'viewer cannot delete a role (0 rows)');
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$DELETE FROM roles WHERE name = 'by-admin'$$), 1::bigint, 'admin deletes an unassigned custom role');
SELECT throws_ok($$DELETE FROM roles WHERE name = 'sales'$$, 'TN409', 'The role is still assigned to members.',
  'a role still assigned cannot be deleted');
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected($$DELETE FROM roles WHERE name = 'spare'$$), 1::bigint, 'owner deletes an unassigned custom role');
SELECT throws_ok($$DELETE FROM roles WHERE name = 'viewer'$$, 'TN409', 'System roles are read-only.',
  'not even the owner deletes a system role');

-- ===========================================================================
-- role_permissions: every member reads them; roles:manage grants and
-- revokes on custom roles.
-- ===========================================================================
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT count(*)::int FROM role_permissions$$, ARRAY[66], 'owner reads a''s 66 role permissions');
SELECT tests.authenticate('a_admin', 'a');
SELECT results_eq($$SELECT count(*)::int FROM role_permissions$$, ARRAY[66], 'admin reads a''s role permissions');
SELECT tests.authenticate('a_member', 'a');
SELECT results_eq($$SELECT count(*)::int FROM role_permissions$$, ARRAY[66], 'member reads a''s role permissions');
SELECT tests.authenticate('a_viewer', 'a');
SELECT results_eq($$SELECT count(*)::int FROM role_permissions$$, ARRAY[66], 'viewer reads a''s role permissions');
SELECT tests.authenticate('b_owner', 'b');
SELECT is_empty($$SELECT 1 FROM role_permissions WHERE tenant_id = tests.tenant_id('a')$$, 'b''s owner reads none of a''s role permissions');

SELECT tests.authenticate('a_owner', 'a');
SELECT lives_ok($$INSERT INTO role_permissions (tenant_id, role_id, permission_key)
                  SELECT tenant_id, id, 'audit:read' FROM roles WHERE name = 'by-owner'$$,
  'owner grants a permission to a custom role');
SELECT tests.authenticate('a_admin', 'a');
SELECT lives_ok($$INSERT INTO role_permissions (tenant_id, role_id, permission_key)
                  SELECT tenant_id, id, 'companies:read' FROM roles WHERE name = 'by-owner'$$,
  'admin grants a permission they hold to a custom role');
SELECT throws_ok($$INSERT INTO role_permissions (tenant_id, role_id, permission_key)
                   SELECT tenant_id, id, 'companies:delete' FROM roles WHERE name = 'viewer'$$,
  'TN409', 'System roles are read-only.', 'admin cannot change a system role''s permissions');
SELECT throws_ok(format($$INSERT INTO role_permissions (tenant_id, role_id, permission_key) VALUES (%L, %L, 'companies:delete')$$,
                        tests.tenant_id('b'), tests.role_id('b', 'sales')),
  '42501', 'new row violates row-level security policy for table "role_permissions"', 'admin of a cannot grant on b''s role');
SELECT tests.authenticate('a_member', 'a');
SELECT throws_ok($$INSERT INTO role_permissions (tenant_id, role_id, permission_key)
                   SELECT tenant_id, id, 'companies:read' FROM roles WHERE name = 'by-owner'$$,
  '42501', 'new row violates row-level security policy for table "role_permissions"', 'member (no roles:manage) cannot grant permissions');
SELECT is(tests.affected($$DELETE FROM role_permissions WHERE role_id = tests.role_id('a', 'sales')$$), 0::bigint,
  'member cannot revoke permissions (0 rows)');
SELECT throws_ok($$UPDATE role_permissions SET permission_key = 'tenant:manage'$$, '42501', 'permission denied for table role_permissions',
  'role permissions are never updated in place');
SELECT tests.authenticate('a_viewer', 'a');
SELECT throws_ok($$INSERT INTO role_permissions (tenant_id, role_id, permission_key)
                   SELECT tenant_id, id, 'users:read' FROM roles WHERE name = 'by-owner'$$,
  '42501', 'new row violates row-level security policy for table "role_permissions"', 'viewer cannot grant permissions');
SELECT is(tests.affected($$DELETE FROM role_permissions WHERE role_id = tests.role_id('a', 'sales')$$), 0::bigint,
  'viewer cannot revoke permissions (0 rows)');
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$DELETE FROM role_permissions WHERE permission_key = 'contacts:read' AND role_id = tests.role_id('a', 'sales')$$),
  1::bigint, 'admin revokes a permission from a custom role');
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected($$DELETE FROM role_permissions WHERE permission_key = 'audit:read' AND role_id = (SELECT id FROM roles WHERE name = 'by-owner')$$),
  1::bigint, 'owner revokes a permission from a custom role');

-- ===========================================================================
-- membership_roles: users:read reads all assignments, a member their own;
-- users:manage assigns and unassigns (the escalation guards are in
-- 50_escalation_guards.sql). Changes apply on the very next statement.
-- ===========================================================================
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT count(*)::int FROM membership_roles$$, ARRAY[6], 'owner (users:read) reads all 6 role assignments of a');
SELECT tests.authenticate('a_admin', 'a');
SELECT results_eq($$SELECT count(*)::int FROM membership_roles$$, ARRAY[6], 'admin reads all role assignments');
SELECT tests.authenticate('a_member', 'a');
SELECT results_eq($$SELECT count(*)::int FROM membership_roles$$, ARRAY[6], 'member (users:read) reads all role assignments');
SELECT tests.authenticate('a_viewer', 'a');
SELECT results_eq($$SELECT count(*)::int FROM membership_roles$$, ARRAY[6], 'viewer (users:read) reads all role assignments');
SELECT tests.authenticate('a_sales', 'a');
SELECT results_eq($$SELECT role_id FROM membership_roles$$, ARRAY[tests.role_id('a', 'sales')],
  'without users:read a member reads only their own role assignments');

SELECT tests.authenticate('a_member', 'a');
SELECT throws_ok($$INSERT INTO membership_roles (tenant_id, user_id, role_id)
                   VALUES (tests.tenant_id('a'), tests.user_id('a_viewer'), tests.role_id('a', 'member'))$$,
  '42501', 'new row violates row-level security policy for table "membership_roles"', 'member (no users:manage) cannot assign roles');
SELECT is(tests.affected($$DELETE FROM membership_roles WHERE user_id = tests.user_id('a_viewer')$$), 0::bigint,
  'member cannot unassign roles (0 rows)');
SELECT throws_ok($$UPDATE membership_roles SET role_id = tests.role_id('a', 'owner')$$, '42501',
  'permission denied for table membership_roles', 'role assignments are never updated in place');
SELECT tests.authenticate('a_viewer', 'a');
SELECT throws_ok($$INSERT INTO membership_roles (tenant_id, user_id, role_id)
                   VALUES (tests.tenant_id('a'), tests.user_id('a_viewer'), tests.role_id('a', 'viewer'))$$,
  '42501', 'new row violates row-level security policy for table "membership_roles"', 'viewer cannot assign roles');
SELECT is(tests.affected($$DELETE FROM membership_roles WHERE user_id = tests.user_id('a_member')$$), 0::bigint,
  'viewer cannot unassign roles (0 rows)');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'By viewer')$$,
  '42501', NULL, 'viewer cannot create a company ...');
SELECT tests.authenticate('a_admin', 'a');
SELECT lives_ok($$INSERT INTO membership_roles (tenant_id, user_id, role_id)
                  VALUES (tests.tenant_id('a'), tests.user_id('a_viewer'), tests.role_id('a', 'member'))$$,
  'admin assigns the member role to the viewer');
SELECT tests.authenticate('a_viewer', 'a');
SELECT lives_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'By promoted viewer')$$,
  '... and can on their very next statement once given the member role (no token claims involved)');
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$DELETE FROM membership_roles WHERE user_id = tests.user_id('a_viewer') AND role_id = tests.role_id('a', 'member')$$),
  1::bigint, 'admin unassigns the member role again');
SELECT tests.authenticate('a_viewer', 'a');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'By demoted viewer')$$,
  '42501', NULL, 'the demoted viewer cannot create a company any more, at once');
SELECT tests.authenticate('a_owner', 'a');
SELECT lives_ok($$INSERT INTO membership_roles (tenant_id, user_id, role_id)
                  SELECT tenant_id, tests.user_id('a_member'), id FROM roles WHERE name = 'by-owner'$$,
  'owner assigns a custom role');
SELECT is(tests.affected($$DELETE FROM membership_roles WHERE user_id = tests.user_id('a_member') AND role_id = (SELECT id FROM roles WHERE name = 'by-owner')$$),
  1::bigint, 'owner unassigns it');

-- ===========================================================================
-- memberships: users:read reads all, a member their own; users:manage adds,
-- deactivates and removes members.
-- ===========================================================================
SELECT tests.authenticate('a_owner', 'a');
SELECT results_eq($$SELECT count(*)::int FROM memberships$$, ARRAY[6], 'owner (users:read) reads a''s 6 memberships');
SELECT tests.authenticate('a_admin', 'a');
SELECT results_eq($$SELECT count(*)::int FROM memberships$$, ARRAY[6], 'admin reads a''s memberships');
SELECT tests.authenticate('a_member', 'a');
SELECT results_eq($$SELECT count(*)::int FROM memberships$$, ARRAY[6], 'member (users:read) reads a''s memberships');
SELECT tests.authenticate('a_viewer', 'a');
SELECT results_eq($$SELECT count(*)::int FROM memberships$$, ARRAY[6], 'viewer (users:read) reads a''s memberships');
SELECT tests.authenticate('a_sales', 'a');
SELECT results_eq($$SELECT user_id FROM memberships$$, ARRAY[tests.user_id('a_sales')],
  'without users:read a member reads only their own membership');

SELECT tests.authenticate('a_member', 'a');
SELECT throws_ok($$INSERT INTO memberships (tenant_id, user_id) VALUES (tests.tenant_id('a'), tests.user_id('b_viewer'))$$,
  '42501', 'permission denied for table memberships', 'member cannot add members');
SELECT is(tests.affected($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_sales')$$), 0::bigint,
  'member cannot deactivate members (0 rows)');
SELECT is(tests.affected($$DELETE FROM memberships WHERE user_id = tests.user_id('a_sales')$$), 0::bigint,
  'member cannot remove members (0 rows)');
SELECT tests.authenticate('a_viewer', 'a');
SELECT throws_ok($$INSERT INTO memberships (tenant_id, user_id) VALUES (tests.tenant_id('a'), tests.user_id('b_viewer'))$$,
  '42501', 'permission denied for table memberships', 'viewer cannot add members');
SELECT is(tests.affected($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_sales')$$), 0::bigint,
  'viewer cannot deactivate members (0 rows)');
SELECT is(tests.affected($$DELETE FROM memberships WHERE user_id = tests.user_id('a_sales')$$), 0::bigint,
  'viewer cannot remove members (0 rows)');

-- An existing account joins only by accepting an invitation (v1.1): nobody
-- inserts memberships directly, not even the owner.
SELECT tests.add_member('a', 'a_extra');
SELECT tests.authenticate('a_owner', 'a');
SELECT throws_ok($$INSERT INTO memberships (tenant_id, user_id) VALUES (tests.tenant_id('a'), tests.user_id('b_member'))$$,
  '42501', 'permission denied for table memberships', 'owner cannot pull an existing account in without its consent');
SELECT is(tests.affected($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_extra')$$), 1::bigint,
  'owner deactivates a member');
SELECT is(tests.affected($$DELETE FROM memberships WHERE user_id = tests.user_id('a_extra')$$), 1::bigint,
  'owner removes a member');
SELECT tests.authenticate('a_admin', 'a');
SELECT throws_ok($$INSERT INTO memberships (tenant_id, user_id) VALUES (tests.tenant_id('a'), tests.user_id('b_viewer'))$$,
  '42501', 'permission denied for table memberships', 'admin cannot pull an existing account in without its consent');
SELECT throws_ok($$INSERT INTO memberships (tenant_id, user_id) VALUES (tests.tenant_id('b'), tests.user_id('a_member'))$$,
  '42501', 'permission denied for table memberships', 'admin of a cannot add members to b');
SELECT throws_ok($$UPDATE memberships SET user_id = tests.user_id('a_owner') WHERE user_id = tests.user_id('a_sales')$$,
  '42501', 'permission denied for table memberships', 'a membership cannot be handed to another account');
SELECT is(tests.affected($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_viewer')$$), 1::bigint,
  'admin deactivates the viewer');
SELECT is(tests.affected($$DELETE FROM memberships WHERE user_id = tests.user_id('a_sales')$$), 1::bigint,
  'admin removes the sales member');
SELECT is(tests.affected(format('DELETE FROM memberships WHERE tenant_id = %L', tests.tenant_id('b'))), 0::bigint,
  'admin of a removes nobody from b (0 rows)');
SELECT tests.as_superuser();
SELECT results_eq($$SELECT count(*)::int FROM membership_roles WHERE tenant_id = tests.tenant_id('a') AND user_id = tests.user_id('a_sales')$$,
  ARRAY[0], 'removing a member drops their role assignments');
SELECT results_eq($$SELECT count(*)::int FROM memberships WHERE tenant_id = tests.tenant_id('b')$$,
  ARRAY[6], 'b''s memberships are untouched');

SELECT * FROM finish();
ROLLBACK;
