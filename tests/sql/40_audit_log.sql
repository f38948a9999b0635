-- The audit log: every change of an audited table appends an entry to its
-- tenant's hash chain, in the same transaction, naming the actor from the
-- request context; holders of audit:read read their own tenant's entries;
-- nobody updates, deletes or truncates entries (the API role has no grant,
-- and a trigger refuses even the owner role and superusers unless the
-- logged maintenance switch is on).
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(37);

SELECT tests.create_world();

-- ---------------------------------------------------------------------------
-- Writes to companies and contacts create entries.
-- ---------------------------------------------------------------------------
SELECT tests.as_superuser();
SELECT FROM set_config('tests.audit_before', (SELECT count(*) FROM audit_log WHERE tenant_id = tests.tenant_id('a'))::text, true);

SELECT tests.authenticate('a_member', 'a');
SELECT lives_ok($$INSERT INTO companies (tenant_id, name, domain) VALUES (tests.tenant_id('a'), 'Audited', 'audited.example')$$,
  'member creates a company');
SELECT lives_ok($$UPDATE companies SET name = 'Audited Ltd' WHERE name = 'Audited'$$, 'member renames it');
SELECT lives_ok($$UPDATE companies SET name = 'Audited Ltd' WHERE name = 'Audited Ltd'$$, 'member saves it unchanged');
SELECT lives_ok($$INSERT INTO contacts (tenant_id, first_name, email) VALUES (tests.tenant_id('a'), 'Audra', 'audra@audited.example')$$,
  'member creates a contact');
SELECT tests.authenticate('a_admin', 'a');
SELECT lives_ok($$DELETE FROM companies WHERE name = 'Audited Ltd'$$, 'admin deletes the company');

SELECT tests.as_superuser();
SELECT FROM set_config('tests.audited', (SELECT id::text FROM audit_log WHERE entity = 'company' AND action = 'insert'
                                      AND changes -> 'name' ->> 'new' = 'Audited'), true);
SELECT is((SELECT count(*) FROM audit_log WHERE tenant_id = tests.tenant_id('a')) - current_setting('tests.audit_before')::bigint,
  4::bigint, 'four entries in a''s chain: insert, rename, contact insert, delete (an unchanged save records nothing)');
SELECT results_eq(
  $$SELECT action, actor_id, changes -> 'name' ->> 'old', changes -> 'name' ->> 'new', request_id
      FROM audit_log WHERE tenant_id = tests.tenant_id('a') AND entity = 'company'
       AND record_id = (SELECT record_id FROM audit_log WHERE id = current_setting('tests.audited')::uuid)
     ORDER BY seq$$,
  $$VALUES ('insert', tests.user_id('a_member'), NULL, 'Audited', 'pgtap'),
           ('update', tests.user_id('a_member'), 'Audited', 'Audited Ltd', 'pgtap'),
           ('delete', tests.user_id('a_admin'), 'Audited Ltd', NULL, 'pgtap')$$,
  'the company''s entries name the action, the actor of the request context, the old and new values and the request id');
SELECT results_eq(
  $$SELECT action, actor_id, changes -> 'email' ->> 'new' FROM audit_log
     WHERE tenant_id = tests.tenant_id('a') AND entity = 'contact' AND changes -> 'first_name' ->> 'new' = 'Audra'$$,
  $$VALUES ('insert', tests.user_id('a_member'), 'audra@audited.example')$$,
  'the contact''s insert is recorded with its actor');
SELECT is_empty($$SELECT 1 FROM audit_log WHERE tenant_id = tests.tenant_id('b') AND changes::text LIKE '%Audited%'$$,
  'nothing of it lands in b''s chain');
SELECT results_eq($$SELECT ok, problem FROM app.audit_verify(tests.tenant_id('a'))$$, $$VALUES (true, NULL::text)$$,
  'a''s chain verifies');

-- Membership changes are audited too.
SELECT tests.authenticate('a_admin', 'a');
SELECT is(tests.affected($$UPDATE memberships SET active = false WHERE user_id = tests.user_id('a_viewer')$$), 1::bigint,
  'admin deactivates the viewer');
SELECT tests.as_superuser();
SELECT results_eq(
  $$SELECT action, actor_id, changes -> 'active' FROM audit_log
     WHERE tenant_id = tests.tenant_id('a') AND entity = 'membership' AND record_id = tests.user_id('a_viewer') AND action = 'update'$$,
  $$VALUES ('update', tests.user_id('a_admin'), '{"old": true, "new": false}'::jsonb)$$,
  'the deactivation is recorded with its actor');

-- ---------------------------------------------------------------------------
-- Who reads the audit log: audit:read holders, their own tenant only.
-- ---------------------------------------------------------------------------
SELECT FROM set_config('tests.audit_a', (SELECT count(*) FROM audit_log WHERE tenant_id = tests.tenant_id('a'))::text, true);
SELECT tests.authenticate('a_owner', 'a');
SELECT is((SELECT count(*) FROM audit_log), current_setting('tests.audit_a')::bigint, 'owner (audit:read) reads all of a''s audit log');
SELECT is_empty($$SELECT 1 FROM audit_log WHERE tenant_id <> tests.tenant_id('a')$$, 'owner of a reads no entry of b');
SELECT results_eq($$SELECT seq FROM app.audit_head()$$, $$SELECT max(seq) FROM audit_log$$, 'owner reads the chain head');
SELECT tests.authenticate('a_admin', 'a');
SELECT is((SELECT count(*) FROM audit_log), current_setting('tests.audit_a')::bigint, 'admin (audit:read) reads all of a''s entries');
SELECT tests.authenticate('a_member', 'a');
SELECT is_empty($$SELECT 1 FROM audit_log$$, 'member (no audit:read) reads no entry');
SELECT is_empty($$SELECT 1 FROM app.audit_head()$$, 'member reads no chain head');
SELECT tests.authenticate('a_sales', 'a');
SELECT is_empty($$SELECT 1 FROM audit_log$$, 'custom role without audit:read reads no entry');
SELECT tests.authenticate('b_owner', 'b');
SELECT is_empty($$SELECT 1 FROM audit_log WHERE tenant_id = tests.tenant_id('a')$$, 'b''s owner reads no entry of a');

-- ---------------------------------------------------------------------------
-- Append-only, for the API role ...
-- ---------------------------------------------------------------------------
SELECT tests.authenticate('a_owner', 'a');
SELECT throws_ok($$INSERT INTO audit_log (tenant_id, seq, action, entity, prev_hash, hash)
                   VALUES (tests.tenant_id('a'), 999999, 'forged', 'company', sha256('x'), sha256('y'))$$,
  '42501', 'permission denied for table audit_log', 'API role: INSERT refused');
SELECT throws_ok($$UPDATE audit_log SET action = 'forged'$$, '42501', 'permission denied for table audit_log', 'API role: UPDATE refused');
SELECT throws_ok($$DELETE FROM audit_log$$, '42501', 'permission denied for table audit_log', 'API role: DELETE refused');
SELECT throws_ok($$TRUNCATE audit_log$$, '42501', 'permission denied for table audit_log', 'API role: TRUNCATE refused');
SELECT tests.as_superuser();
SELECT FROM set_config('tenet.audit_maintenance', 'the API role tries the switch', true);
SELECT tests.authenticate('a_owner', 'a');
SELECT throws_ok($$DELETE FROM audit_log$$, '42501', 'permission denied for table audit_log',
  'API role: DELETE refused even with the maintenance switch set');
SELECT FROM set_config('tenet.audit_maintenance', '', true);

-- ---------------------------------------------------------------------------
-- ... for the owner role that owns the table ...
-- ---------------------------------------------------------------------------
SELECT tests.as_superuser();
SET LOCAL role tenet_owner;
SELECT throws_ok($$UPDATE audit_log SET action = 'forged' WHERE tenant_id = tests.tenant_id('a')$$,
  '42501', 'audit_log is append-only: UPDATE refused', 'owner role: UPDATE refused');
SELECT throws_ok($$DELETE FROM audit_log WHERE tenant_id = tests.tenant_id('a')$$,
  '42501', 'audit_log is append-only: DELETE refused', 'owner role: DELETE refused');
SELECT throws_ok($$TRUNCATE audit_log$$, '42501', 'audit_log is append-only: TRUNCATE refused', 'owner role: TRUNCATE refused');

-- ... and for a superuser.
RESET role;
SELECT throws_ok($$UPDATE audit_log SET action = 'forged' WHERE tenant_id = tests.tenant_id('a')$$,
  '42501', 'audit_log is append-only: UPDATE refused', 'superuser: UPDATE refused');
SELECT throws_ok($$DELETE FROM audit_log WHERE tenant_id = tests.tenant_id('a')$$,
  '42501', 'audit_log is append-only: DELETE refused', 'superuser: DELETE refused');
SELECT throws_ok($$TRUNCATE audit_log$$, '42501', 'audit_log is append-only: TRUNCATE refused', 'superuser: TRUNCATE refused');
SELECT results_eq($$SELECT ok FROM app.audit_verify(tests.tenant_id('a'))$$, ARRAY[true], 'a''s chain still verifies');

-- The documented maintenance switch lets the owner delete, but the deletion
-- is itself appended to the chain, and the chain no longer verifies.
SET LOCAL role tenet_owner;
SELECT FROM set_config('tenet.audit_maintenance', 'pgtap: proving maintenance is recorded', true);
SELECT is(tests.affected($$DELETE FROM audit_log WHERE tenant_id = tests.tenant_id('a') AND seq = 1$$), 1::bigint,
  'owner role with the maintenance switch: the DELETE goes through');
SELECT FROM set_config('tenet.audit_maintenance', '', true);
RESET role;
SELECT results_eq(
  $$SELECT changes ->> 'operation', changes ->> 'reason', (changes ->> 'seq')::bigint FROM audit_log
     WHERE tenant_id = tests.tenant_id('a') AND action = 'audit.maintenance'$$,
  $$VALUES ('delete', 'pgtap: proving maintenance is recorded', 1::bigint)$$,
  'the deletion is recorded in the chain, with its reason');
SELECT results_eq($$SELECT ok, broken_seq FROM app.audit_verify(tests.tenant_id('a'))$$, $$VALUES (false, 2::bigint)$$,
  'and the verifier reports the gap');

-- ---------------------------------------------------------------------------
-- A refused write leaves no entry.
-- ---------------------------------------------------------------------------
SELECT FROM set_config('tests.audit_b', (SELECT count(*) FROM audit_log WHERE tenant_id = tests.tenant_id('b'))::text, true);
SELECT tests.authenticate('a_owner', 'a');
SELECT is(tests.affected(format('UPDATE companies SET name = %L WHERE tenant_id = %L', 'Cross', tests.tenant_id('b'))), 0::bigint,
  'owner of a updates nothing in b');
SELECT tests.as_superuser();
SELECT is((SELECT count(*) FROM audit_log WHERE tenant_id = tests.tenant_id('b')), current_setting('tests.audit_b')::bigint,
  'and b''s chain did not move');

SELECT * FROM finish();
ROLLBACK;
