-- Fail closed: a request context is valid only while app.session_id names a
-- live session of app.user_id acting in app.tenant_id, app.session_secret is
-- that session's secret, and the member is active. Every forged or stale
-- context reads nothing, writes nothing and is refused by app.authorize().
--
-- Each forged context gets the same five checks (tests.visible_rows()
-- counts every table the API role can read):
--   app.authorize() is NULL (the API answers 401) / no row visible anywhere /
--   INSERT refused by the policy / UPDATE and DELETE affect no row.
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(96);

SELECT tests.create_world();
-- An account active in both tenants, with the member role in each.
SELECT FROM tests.add_member('a', 'multi', ARRAY['member']);
SELECT FROM tests.add_member('b', 'multi', ARRAY['member']);

-- ---------------------------------------------------------------------------
-- Control: the genuine context of a's owner sees a, and only a.
-- ---------------------------------------------------------------------------
SELECT tests.authenticate('a_owner', 'a');
SELECT is(array_length(app.authorize(), 1), 24, 'control: a''s owner is authorized with 24 permissions');
SELECT results_eq($$SELECT tenant_id FROM app.me()$$, ARRAY[tests.tenant_id('a')], 'control: app.me() answers a''s owner in a');
SELECT results_eq($$SELECT id FROM tenants$$, ARRAY[tests.tenant_id('a')], 'control: a''s owner sees tenant a only');
SELECT results_eq($$SELECT count(*)::int FROM companies$$, ARRAY[2], 'control: a''s owner sees a''s 2 companies');
SELECT results_eq($$SELECT count(*)::int FROM memberships$$, ARRAY[6], 'control: a''s owner sees a''s 6 members');
SELECT ok((tests.visible_rows() ->> 'audit_log')::int > 0, 'control: a''s owner reads a''s audit log');

-- ---------------------------------------------------------------------------
-- 1. No context at all: the API role before any set_config.
-- ---------------------------------------------------------------------------
SELECT tests.as_anonymous();
SELECT is(app.authorize(), NULL, 'no context: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'no context: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'no context: nothing visible');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'Forged')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'no context: insert refused');
SELECT is(tests.affected($$UPDATE companies SET name = 'Forged'$$), 0::bigint, 'no context: update affects nothing');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'no context: delete affects nothing');

-- ---------------------------------------------------------------------------
-- 2. A valid session of tenant a, presented with tenant b's id (its user is
--    no member of b).
-- ---------------------------------------------------------------------------
SELECT tests.set_context(tests.tenant_id('b')::text, tests.user_id('a_owner')::text,
                         tests.session_id('a_owner', 'a')::text, tests.secret(tests.session_id('a_owner', 'a')));
SELECT is(app.authorize(), NULL, 'a''s session with b''s tenant id: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'a''s session with b''s tenant id: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'a''s session with b''s tenant id: nothing visible');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('b'), 'Forged')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'a''s session with b''s tenant id: insert refused');
SELECT is(tests.affected($$UPDATE companies SET name = 'Forged'$$), 0::bigint, 'a''s session with b''s tenant id: update affects nothing');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'a''s session with b''s tenant id: delete affects nothing');

-- ---------------------------------------------------------------------------
-- 3. The same, for a user who IS an active member of b: a session acts in
--    the one tenant it was opened for (switching tenants goes through
--    app.switch_tenant).
-- ---------------------------------------------------------------------------
SELECT tests.authenticate('multi', 'a');
SELECT results_eq($$SELECT count(*)::int FROM companies$$, ARRAY[2], 'control: multi''s session in a sees a''s companies');
SELECT tests.set_context(tests.tenant_id('b')::text, tests.user_id('multi')::text,
                         tests.session_id('multi', 'a')::text, tests.secret(tests.session_id('multi', 'a')));
SELECT is(app.authorize(), NULL, 'a member of a and b, a''s session, b''s id: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'a member of a and b, a''s session, b''s id: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'a member of a and b, a''s session, b''s id: nothing visible');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('b'), 'Forged')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'a member of a and b, a''s session, b''s id: insert refused');
SELECT is(tests.affected($$UPDATE companies SET name = 'Forged'$$), 0::bigint, 'a member of a and b, a''s session, b''s id: update affects nothing');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'a member of a and b, a''s session, b''s id: delete affects nothing');

-- ---------------------------------------------------------------------------
-- 4. The owner's session and secret, presented with another member's user id.
-- ---------------------------------------------------------------------------
SELECT tests.set_context(tests.tenant_id('a')::text, tests.user_id('a_viewer')::text,
                         tests.session_id('a_owner', 'a')::text, tests.secret(tests.session_id('a_owner', 'a')));
SELECT is(app.authorize(), NULL, 'someone else''s session: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'someone else''s session: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'someone else''s session: nothing visible');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'Forged')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'someone else''s session: insert refused');
SELECT is(tests.affected($$UPDATE companies SET name = 'Forged'$$), 0::bigint, 'someone else''s session: update affects nothing');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'someone else''s session: delete affects nothing');

-- ---------------------------------------------------------------------------
-- 5. A random session id (with the right tenant and user).
-- ---------------------------------------------------------------------------
SELECT FROM set_config('tests.random_session', gen_random_uuid()::text, true);
SELECT tests.set_context(tests.tenant_id('a')::text, tests.user_id('a_owner')::text,
                         current_setting('tests.random_session'), tests.secret(current_setting('tests.random_session')::uuid));
SELECT is(app.authorize(), NULL, 'random session id: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'random session id: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'random session id: nothing visible');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'Forged')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'random session id: insert refused');
SELECT is(tests.affected($$UPDATE companies SET name = 'Forged'$$), 0::bigint, 'random session id: update affects nothing');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'random session id: delete affects nothing');

-- ---------------------------------------------------------------------------
-- 6. The right ids with a wrong secret: the secret of another live session
--    of the same member (ids are in the audit log; secrets are not).
-- ---------------------------------------------------------------------------
SELECT FROM set_config('tests.second_session', tests.open_session('a_admin', 'a')::text, true);
SELECT FROM tests.open_session('a_admin', 'a'); -- the registered one is now a third session
SELECT tests.set_context(tests.tenant_id('a')::text, tests.user_id('a_admin')::text,
                         tests.session_id('a_admin', 'a')::text, tests.secret(current_setting('tests.second_session')::uuid));
SELECT is(app.authorize(), NULL, 'another session''s secret: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'another session''s secret: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'another session''s secret: nothing visible');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'Forged')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'another session''s secret: insert refused');
SELECT is(tests.affected($$UPDATE companies SET name = 'Forged'$$), 0::bigint, 'another session''s secret: update affects nothing');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'another session''s secret: delete affects nothing');

SELECT tests.set_context(tests.tenant_id('a')::text, tests.user_id('a_admin')::text,
                         tests.session_id('a_admin', 'a')::text, tests.secret(tests.session_id('a_admin', 'a')) || ' ');
SELECT is(app.authorize(), NULL, 'the secret with a trailing space: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'the secret with a trailing space: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'the secret with a trailing space: nothing visible');

SELECT tests.set_context(tests.tenant_id('a')::text, tests.user_id('a_admin')::text,
                         tests.session_id('a_admin', 'a')::text,
                         encode(sha256(convert_to(tests.secret(tests.session_id('a_admin', 'a')), 'UTF8')), 'hex'));
SELECT is(app.authorize(), NULL, 'the stored hash (hex) instead of the secret: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'the stored hash (hex) instead of the secret: app.me() answers nothing');

-- ---------------------------------------------------------------------------
-- 7. The right ids without a secret.
-- ---------------------------------------------------------------------------
SELECT tests.set_context(tests.tenant_id('a')::text, tests.user_id('a_admin')::text,
                         tests.session_id('a_admin', 'a')::text, NULL);
SELECT is(app.authorize(), NULL, 'no secret: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'no secret: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'no secret: nothing visible');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'Forged')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'no secret: insert refused');
SELECT is(tests.affected($$UPDATE companies SET name = 'Forged'$$), 0::bigint, 'no secret: update affects nothing');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'no secret: delete affects nothing');

-- ---------------------------------------------------------------------------
-- 8. Malformed settings read as "no context", never as an error.
-- ---------------------------------------------------------------------------
SELECT tests.set_context('not-a-uuid', tests.user_id('a_admin')::text || 'x',
                         ''' OR true --', tests.secret(tests.session_id('a_admin', 'a')));
SELECT lives_ok($$SELECT app.authorize()$$, 'malformed ids: no error');
SELECT is(app.authorize(), NULL, 'malformed ids: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'malformed ids: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'malformed ids: nothing visible');

-- app.setting_uuid reads a setting as a uuid exactly when the regular
-- expression of a canonical uuid (any case) matches it, and never raises:
-- hand-picked near misses, then 3,000 random mutations of a uuid (one to
-- three characters replaced by a hex digit, a hyphen, a letter past f, a
-- space, a brace, a non-ASCII letter or a control character, or dropped).
SELECT tests.as_superuser();
CREATE TEMP TABLE uuid_probes (v text);
INSERT INTO uuid_probes VALUES
  ('0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2d'), ('0190A3C4-7D2E-7B4F-9A1C-3E5F7A9B1C2D'), ('0190a3c4-7D2E-7b4f-9A1C-3e5f7a9b1c2d'),
  ('0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2g'), ('0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2é'), ('0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c-d'),
  ('0190a3c47d2e7b4f9a1c3e5f7a9b1c2d'), ('{0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2d}'), ('{190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2}'),
  ('0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2d '), (' 0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2'), (E'0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2\n'),
  ('0190a3c4-7d2e-7b4f-9a1c3-e5f7a9b1c2d'), ('------------------------------------'), ('0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2'),
  ('0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2dd'), ('0190a3c4_7d2e_7b4f_9a1c_3e5f7a9b1c2d'), ('0190a3c4-7d2e-7b4f-9a1c-3e5f7a9b1c2%'),
  ('not-a-uuid'), (''), (NULL);
INSERT INTO uuid_probes
SELECT string_agg(CASE WHEN i = ANY (hits) THEN (ARRAY['7', 'F', '-', 'g', 'z', ' ', '{', 'é', E'\t', ''])[1 + floor(random() * 10)::int]
                       ELSE substr(base, i, 1) END, '' ORDER BY i)
  FROM (SELECT g, app.uuid_generate_v7()::text AS base,
               (ARRAY[1 + floor(random() * 36)::int, 1 + floor(random() * 36)::int, 1 + floor(random() * 36)::int])
                 [1:1 + floor(random() * 3)::int] AS hits
          FROM generate_series(1, 3000) g) m,
       generate_series(1, 36) i
 GROUP BY g;
SELECT is((SELECT count(*)::int FROM uuid_probes p
            WHERE app.setting_uuid(CASE WHEN set_config('tests.probe', coalesce(p.v, ''), true) IS NOT NULL THEN 'tests.probe' END) IS DISTINCT FROM
                  CASE WHEN p.v ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN p.v::uuid END), 0,
  'app.setting_uuid accepts exactly the canonical uuids, any case, of 3,021 probes, and never raises');
SELECT ok((SELECT count(*) FILTER (WHERE v ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') BETWEEN 100 AND 2900
            FROM uuid_probes), 'the probes hold uuids and near misses both');
DROP TABLE uuid_probes;

-- ---------------------------------------------------------------------------
-- 9. A revoked session (logout through the API's own function): its access
--    tokens stop working at once.
-- ---------------------------------------------------------------------------
SELECT tests.authenticate('a_member', 'a');
SELECT results_eq($$SELECT count(*)::int FROM companies$$, ARRAY[2], 'control: a''s member sees a''s companies before logging out');
SELECT is(app.revoke_own_session(tests.session_id('a_member', 'a'), 'logout'), true, 'the member logs out');
SELECT is(app.authorize(), NULL, 'revoked session: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'revoked session: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'revoked session: nothing visible');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'Forged')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'revoked session: insert refused');
SELECT is(tests.affected($$UPDATE companies SET name = 'Forged'$$), 0::bigint, 'revoked session: update affects nothing');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'revoked session: delete affects nothing');

-- ---------------------------------------------------------------------------
-- 10. An expired session.
-- ---------------------------------------------------------------------------
SELECT FROM tests.open_session('a_viewer', 'a', '-1 second');
SELECT tests.authenticate('a_viewer', 'a');
SELECT is(app.authorize(), NULL, 'expired session: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'expired session: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'expired session: nothing visible');
SELECT throws_ok($$SELECT app.require_context()$$, 'TN401', NULL, 'expired session: app.require_context() answers TN401');

-- ---------------------------------------------------------------------------
-- 11. A deactivated member: the session they had is revoked, and even a
--     session opened after the deactivation is worthless.
-- ---------------------------------------------------------------------------
SELECT tests.authenticate('a_sales', 'a');
SELECT results_eq($$SELECT count(*)::int FROM companies$$, ARRAY[2], 'control: a''s sales member sees a''s companies while active');
SELECT tests.as_superuser();
UPDATE memberships SET active = false WHERE tenant_id = tests.tenant_id('a') AND user_id = tests.user_id('a_sales');
SELECT tests.authenticate('a_sales', 'a');
SELECT is(app.authorize(), NULL, 'deactivated member, old session: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'deactivated member, old session: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'deactivated member, old session: nothing visible');
SELECT FROM tests.open_session('a_sales', 'a');
SELECT tests.authenticate('a_sales', 'a');
SELECT is(app.authorize(), NULL, 'deactivated member, new session: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'deactivated member, new session: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'deactivated member, new session: nothing visible');
SELECT throws_ok($$INSERT INTO companies (tenant_id, name) VALUES (tests.tenant_id('a'), 'Forged')$$,
  '42501', 'new row violates row-level security policy for table "companies"', 'deactivated member: insert refused');
SELECT is(tests.affected($$UPDATE companies SET name = 'Forged'$$), 0::bigint, 'deactivated member: update affects nothing');
SELECT is(tests.affected($$DELETE FROM contacts$$), 0::bigint, 'deactivated member: delete affects nothing');

-- ---------------------------------------------------------------------------
-- 12. A removed member (membership deleted; the account still exists).
-- ---------------------------------------------------------------------------
SELECT tests.as_superuser();
DELETE FROM memberships WHERE tenant_id = tests.tenant_id('a') AND user_id = tests.user_id('multi');
SELECT FROM tests.open_session('multi', 'a');
SELECT tests.authenticate('multi', 'a');
SELECT is(app.authorize(), NULL, 'removed member: app.authorize() is NULL');
SELECT is((SELECT count(*)::int FROM app.me()), 0, 'removed member: app.me() answers nothing');
SELECT is(tests.visible_rows(), tests.nothing_visible(), 'removed member: nothing visible');
SELECT tests.authenticate('multi', 'b');
SELECT results_eq($$SELECT id FROM tenants$$, ARRAY[tests.tenant_id('b')], 'the removed member still works in b, and sees only b');

-- ---------------------------------------------------------------------------
-- Nothing forged above wrote anything.
-- ---------------------------------------------------------------------------
SELECT tests.as_superuser();
SELECT is((SELECT count(*) FROM companies WHERE name = 'Forged'), 0::bigint, 'no forged company exists');
SELECT is((SELECT count(*) FROM contacts), 3::bigint, 'every contact is still there');
SELECT is((SELECT count(*) FROM audit_log WHERE changes::text LIKE '%Forged%'), 0::bigint, 'the audit log records no forged change');

-- And a genuine context right after all of them works again: nothing
-- lingers from one context to the next.
SELECT tests.authenticate('b_owner', 'b');
SELECT results_eq($$SELECT count(*)::int FROM companies$$, ARRAY[1], 'b''s owner, right after, sees b''s one company');

-- ---------------------------------------------------------------------------
-- The per-statement check finds the session by its key, however many live
-- sessions the user holds (sql/00_context.sql, "Finding the session"). The
-- statistics say what is usual, most users holding one session; then b's
-- owner signs in 2,000 times more (a script that signs in for every call),
-- before autovacuum looks again. A check that found the session through
-- sessions_user_idx walked all 2,000 of them: about 50 buffers.
-- ---------------------------------------------------------------------------
SELECT tests.as_superuser();
WITH u AS (
  INSERT INTO users (email, name) SELECT 'usual' || g || '@pgtap.test', 'Usual ' || g FROM generate_series(1, 400) g RETURNING id
)
INSERT INTO sessions (user_id, tenant_id, refresh_token_hash, secret_hash, expires_at)
SELECT u.id, tests.tenant_id('b'), sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
       sha256(convert_to(gen_random_uuid()::text, 'UTF8')), now() + interval '1 hour'
  FROM u;
ANALYZE sessions;
INSERT INTO sessions (user_id, tenant_id, refresh_token_hash, secret_hash, expires_at)
SELECT tests.user_id('b_owner'), tests.tenant_id('b'), sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
       sha256(convert_to(gen_random_uuid()::text, 'UTF8')), now() + interval '1 hour'
  FROM generate_series(1, 2000);
SELECT FROM tests.open_session('b_owner', 'b');
SELECT tests.authenticate('b_owner', 'b');
SELECT cmp_ok(tests.buffers($$SELECT app.tenant_with_permission('contacts:read')$$), '<', 20,
  'a user with 2,000 live sessions: the per-statement check reads a few buffers, not all of them');
SELECT cmp_ok(tests.buffers($$SELECT app.authorize()$$), '<', 20,
  'a user with 2,000 live sessions: app.authorize() reads a few buffers');
SELECT cmp_ok(tests.buffers($$SELECT app.hidden_fields('contacts'), app.scope_owners('contacts:read'), app.current_tenant_id()$$), '<', 20,
  'a user with 2,000 live sessions: the scope, hidden fields and tenant checks read a few buffers');

-- And with the statistics of a new deployment: sessions analyzed while
-- empty (reltuples 0, no column statistics), then filled before autovacuum
-- looks again. The partial index sessions_user_idx, when it held
-- (user_id, tenant_id), then cost the planner what the primary key costs
-- for `tenant_id = $1` alone (within 1 %), and the generic plan took it:
-- every check walked the tenant's live sessions (the three lighter checks
-- together read 59 buffers here instead of about 10; sql/00_context.sql,
-- "Finding the session"; migrations/V021).
SELECT tests.as_superuser();
ANALYZE sessions;
DELETE FROM pg_statistic WHERE starelid = 'public.sessions'::regclass;
UPDATE pg_class SET reltuples = 0, relpages = 0 WHERE oid = 'public.sessions'::regclass;
SELECT tests.authenticate('b_owner', 'b');
SELECT set_config('plan_cache_mode', 'force_generic_plan', true);
SELECT cmp_ok(tests.buffers($$SELECT app.tenant_with_permission('contacts:read')$$), '<', 20,
  'statistics of an empty table, generic plans: the per-statement check reads a few buffers, not the tenant''s sessions');
SELECT cmp_ok(tests.buffers($$SELECT app.authorize()$$), '<', 20,
  'statistics of an empty table, generic plans: app.authorize() reads a few buffers');
SELECT cmp_ok(tests.buffers($$SELECT app.hidden_fields('contacts'), app.scope_owners('contacts:read'), app.current_tenant_id()$$), '<', 20,
  'statistics of an empty table, generic plans: the scope, hidden fields and tenant checks read a few buffers');

SELECT * FROM finish();
ROLLBACK;
