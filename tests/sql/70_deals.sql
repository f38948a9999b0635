-- Deals (issue 16): the default pipeline of a new tenant, scopes on deals,
-- a stage from another pipeline refused, stage changes recorded with the
-- time in stage, contact links visible only with their deal, the history
-- written only by the trigger.
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(16);

SELECT tests.create_world();
SELECT tests.create_role('a', 'rep_own', ARRAY['deals:read', 'deals:write', 'users:read']);
UPDATE role_permissions SET scope = 'own' WHERE role_id = tests.role_id('a', 'rep_own') AND permission_key LIKE 'deals:%';
SELECT tests.add_member('a', 'rep', ARRAY['rep_own']);

SELECT results_eq($$SELECT string_agg(s.name || ':' || s.kind, ',' ORDER BY s.position) FROM stages s JOIN pipelines p ON p.tenant_id = s.tenant_id AND p.id = s.pipeline_id
                     WHERE p.tenant_id = tests.tenant_id('a') AND p.name = 'Sales'$$,
  ARRAY['Lead:open,Qualified:open,Proposal:open,Negotiation:open,Won:won,Lost:lost'], 'a new tenant has the default pipeline');
SELECT FROM tests.remember('x', 'pipeline', (SELECT id FROM pipelines WHERE tenant_id = tests.tenant_id('a')));
SELECT FROM tests.remember('x', 'lead', (SELECT id FROM stages WHERE tenant_id = tests.tenant_id('a') AND name = 'Lead'));
SELECT FROM tests.remember('x', 'won', (SELECT id FROM stages WHERE tenant_id = tests.tenant_id('a') AND name = 'Won'));
SELECT FROM tests.remember('x', 'b_lead', (SELECT id FROM stages WHERE tenant_id = tests.tenant_id('b') AND name = 'Lead'));
SELECT FROM tests.remember('x', 'b_pipeline', (SELECT id FROM pipelines WHERE tenant_id = tests.tenant_id('b')));

SELECT tests.authenticate('a_member', 'a');
SELECT lives_ok($$INSERT INTO deals (tenant_id, name, amount, currency, pipeline_id, stage_id, owner_id)
                  VALUES (tests.tenant_id('a'), 'Big one', 12345.67, 'EUR', tests.lookup('x', 'pipeline'), tests.lookup('x', 'lead'), tests.user_id('a_member'))$$,
  'a member creates a deal in the default pipeline');
SELECT throws_ok($$INSERT INTO deals (tenant_id, name, pipeline_id, stage_id) VALUES (tests.tenant_id('a'), 'Cross', tests.lookup('x', 'pipeline'), tests.lookup('x', 'b_lead'))$$,
  '23503', NULL, 'a stage of another tenant (or pipeline) is refused');
SELECT throws_ok($$INSERT INTO deals (tenant_id, name, amount, pipeline_id, stage_id) VALUES (tests.tenant_id('a'), 'No currency', 10, tests.lookup('x', 'pipeline'), tests.lookup('x', 'lead'))$$,
  '23514', NULL, 'an amount needs a currency');
SELECT results_eq($$SELECT amount FROM deals WHERE name = 'Big one'$$, ARRAY[12345.67::numeric], 'amounts are exact decimals');
SELECT tests.authenticate('rep', 'a');
SELECT is_empty($$SELECT 1 FROM deals$$, 'scope own: the rep reads none of the member''s deals');
SELECT lives_ok($$INSERT INTO deals (tenant_id, name, pipeline_id, stage_id, owner_id) VALUES (tests.tenant_id('a'), 'Rep deal', tests.lookup('x', 'pipeline'), tests.lookup('x', 'lead'), tests.user_id('rep'))$$,
  'the rep creates an own deal');
SELECT throws_ok($$UPDATE deals SET owner_id = tests.user_id('a_member') WHERE name = 'Rep deal'$$, '42501', NULL, 'and cannot hand it to someone else');
SELECT lives_ok($$UPDATE deals SET stage_id = tests.lookup('x', 'won') WHERE name = 'Rep deal'$$, 'the rep moves it to Won');
SELECT results_eq($$SELECT count(*)::int, count(*) FILTER (WHERE from_stage_id = tests.lookup('x', 'lead') AND to_stage_id = tests.lookup('x', 'won')
                            AND seconds_in_stage >= 0 AND changed_by = tests.user_id('rep'))::int FROM deal_stage_changes$$,
  $$VALUES (2, 1)$$, 'the entry into Lead and the move to Won are recorded, with the time in stage and who moved it');
SELECT throws_ok($$INSERT INTO deal_stage_changes (tenant_id, deal_id, to_stage_id) SELECT tenant_id, id, stage_id FROM deals LIMIT 1$$,
  '42501', NULL, 'nobody writes the stage history but the trigger');
SELECT tests.authenticate('a_member', 'a');
SELECT lives_ok($$INSERT INTO deal_contacts (tenant_id, deal_id, contact_id) SELECT tenant_id, id, tests.contact_id('ca1') FROM deals WHERE name = 'Big one'$$,
  'a member links a contact to a deal');
SELECT tests.authenticate('rep', 'a');
SELECT is_empty($$SELECT 1 FROM deal_contacts$$, 'the link of a deal the rep cannot read is invisible');
SELECT tests.authenticate('b_owner', 'b');
SELECT is_empty($$SELECT 1 FROM deals$$, 'another tenant reads no deal');
SELECT tests.authenticate('a_owner', 'a');
SELECT throws_ok($$DELETE FROM stages WHERE id = tests.lookup('x', 'won')$$, '23503', NULL, 'a stage in use cannot be deleted');
SELECT tests.authenticate('a_viewer', 'a');
SELECT results_eq($$SELECT count(*)::int FROM deals$$, ARRAY[2], 'a viewer reads every deal (scope all)');

SELECT * FROM finish();
ROLLBACK;
