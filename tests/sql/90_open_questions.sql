-- Open questions: behaviour the pgTAP suite found that the written rules do
-- not obviously intend. Each is a TODO test stating the stricter
-- expectation, so the run stays green while the question is open; pg_prove
-- reports "TODO passed" once the database changes to meet it, and then the
-- test moves to its file and loses its TODO (or goes, if the behaviour is
-- intended after all).
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(4);

SELECT tests.create_world();

-- 1. (Answered by v1.1 invitations) An account of another tenant cannot be
--    pulled in: app.find_or_create_user answers no id for an existing email,
--    and the API role inserts no membership itself.
SELECT tests.authenticate('a_admin', 'a');
SELECT results_eq($$SELECT user_id IS NULL AND NOT created FROM app.find_or_create_user('b_owner@pgtap.test', 'x', tests.password_hash())$$,
  ARRAY[true], 'app.find_or_create_user answers no id for an account of another tenant');
SELECT throws_ok($$INSERT INTO memberships (tenant_id, user_id, active) VALUES (tests.tenant_id('a'), tests.user_id('b_owner'), false)$$,
  '42501', 'permission denied for table memberships', 'an admin of a cannot attach b''s owner to a without their consent');
SELECT is_empty($$SELECT name FROM users WHERE id = tests.user_id('b_owner')$$,
  'an admin of a cannot read the name of b''s owner');

-- 2. An admin cannot deactivate, remove or demote the owner (they hold
--    permissions the admin lacks), but can rename the owner's account when
--    it belongs to this tenant only: users:manage + app.user_belongs_only_here.
SELECT tests.authenticate('a_admin', 'a');
SELECT todo_start('open question: renaming is not covered by the "hold every permission involved" rule');
SELECT is(tests.affected($$UPDATE users SET name = 'Former owner' WHERE id = tests.user_id('a_owner')$$), 0::bigint,
  'an admin cannot rename the owner''s account');
SELECT todo_end();

SELECT * FROM finish();
ROLLBACK;
