-- Webhooks and imports (issue 17): a webhook event is written in the
-- transaction of its change and only for the tenant's own endpoints; the
-- signing secrets and the outbox are out of the API role's reach; endpoints
-- are managed with webhooks:manage only; an import is started only with the
-- resource's write permission, in the importer's own name, and its
-- bookkeeping is reached only by the importer.
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(15);

SELECT tests.create_world();

SELECT tests.authenticate('a_admin', 'a');
SELECT lives_ok($$WITH e AS (INSERT INTO webhook_endpoints (tenant_id, url, events, created_by)
                   VALUES (tests.tenant_id('a'), 'https://hooks.example.com/a', ARRAY['contact.created'], tests.user_id('a_admin')) RETURNING id)
                   SELECT tests.remember('endpoint', 'a', id) FROM e$$,
  'an admin adds a webhook endpoint');
SELECT throws_ok($$INSERT INTO webhook_endpoints (tenant_id, url, events, created_by)
                   VALUES (tests.tenant_id('b'), 'https://hooks.example.com/b', ARRAY['contact.created'], tests.user_id('a_admin'))$$,
  '42501', NULL, 'but not one of another tenant');
SELECT throws_ok($$SELECT secret FROM app_private.webhook_secrets$$, '42501', NULL, 'the API role cannot read signing secrets');
SELECT throws_ok($$SELECT payload FROM app_private.webhook_events$$, '42501', NULL, 'nor the outbox');

INSERT INTO contacts (tenant_id, first_name, owner_id) VALUES (tests.tenant_id('a'), 'Evented', tests.user_id('a_admin'));
SAVEPOINT ghost;
INSERT INTO contacts (tenant_id, first_name, owner_id) VALUES (tests.tenant_id('a'), 'Ghost', tests.user_id('a_admin'));
ROLLBACK TO SAVEPOINT ghost;
SELECT tests.authenticate('b_owner', 'b');
INSERT INTO contacts (tenant_id, first_name, owner_id) VALUES (tests.tenant_id('b'), 'Elsewhere', tests.user_id('b_owner'));
SELECT tests.as_superuser();
SELECT results_eq($$SELECT type, payload #>> '{data,object,first_name}' FROM app_private.webhook_events$$,
  $$VALUES ('contact.created', 'Evented')$$,
  'one event: the committed insert of tenant a; none for a rolled-back change or for another tenant');
SELECT results_eq($$SELECT d.endpoint_id, d.status FROM app_private.webhook_deliveries d$$,
  $$VALUES (tests.lookup('endpoint', 'a'), 'pending')$$, 'and one pending delivery to a''s endpoint');

SELECT tests.authenticate('a_member', 'a');
SELECT is_empty($$SELECT 1 FROM webhook_endpoints$$, 'a member without webhooks:manage sees no endpoint');
SELECT is_empty($$SELECT * FROM app.webhook_deliveries(tests.lookup('endpoint', 'a'), NULL, NULL, 50)$$, 'nor its delivery log');
SELECT is(app.set_webhook_secret(tests.lookup('endpoint', 'a'), repeat('x', 40)), false, 'nor sets its secret');

SELECT tests.authenticate('a_viewer', 'a');
SELECT throws_ok($$INSERT INTO imports (tenant_id, resource, mode, mapping, created_by)
                   VALUES (tests.tenant_id('a'), 'contacts', 'create', '{}', tests.user_id('a_viewer'))$$,
  '42501', NULL, 'a viewer cannot start an import');
SELECT tests.authenticate('a_member', 'a');
SELECT lives_ok($$WITH i AS (INSERT INTO imports (tenant_id, resource, mode, mapping, created_by)
                   VALUES (tests.tenant_id('a'), 'contacts', 'create', '{}', tests.user_id('a_member')) RETURNING id)
                   SELECT tests.remember('import', 'a', id) FROM i$$,
  'a member starts an import of contacts');
SELECT throws_ok($$INSERT INTO imports (tenant_id, resource, mode, mapping, created_by)
                   VALUES (tests.tenant_id('a'), 'contacts', 'create', '{}', tests.user_id('a_admin'))$$,
  '42501', NULL, 'only in their own name');
SELECT throws_ok($$UPDATE imports SET rows_created = 99$$, '42501', NULL,
  'an import''s counters move only with the rows it recorded (app.record_import_batch)');
SELECT tests.authenticate('a_admin', 'a');
SELECT is_empty($$SELECT 1 FROM imports$$, 'an admin does not see a member''s import');
SELECT is(app.record_import_batch(tests.lookup('import', 'a'), 1, '[]', '[{"row": 1, "field": null, "message": "x"}]'), false,
  'nor writes into its bookkeeping');

SELECT * FROM finish();
ROLLBACK;
