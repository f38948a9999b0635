-- Search (sql/50_search.sql) is bounded whichever way a pattern turns out
-- and answers the same ids, newest first, on each of its three paths:
--   1. enough matches among the newest app.search_walk() rows;
--   2. fewer matches than that in all (collected in any order, sorted);
--   3. more matches than that, but not among the newest rows.
-- Each answer is compared with the same search done naively as the owner.
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(8);

SELECT tests.create_world();
SELECT FROM tests.add_member('a', 'a_nobody');
SELECT tests.as_superuser();
-- Oldest first: 1,100 'Olddense' (path 3), 5 'Rare' (path 2), then the
-- newest 2,100 'Newdense' (path 1). Explicit times: one transaction has one now().
INSERT INTO contacts (tenant_id, first_name, last_name, created_at)
SELECT tests.tenant_id('a'), 'Olddense', 'No ' || g, now() - interval '1 day' + g * interval '1 millisecond'
  FROM generate_series(1, 1100) g;
INSERT INTO contacts (tenant_id, first_name, last_name, created_at)
SELECT tests.tenant_id('a'), 'Rare', 'No ' || g, now() - interval '12 hours' + g * interval '1 millisecond'
  FROM generate_series(1, 5) g;
INSERT INTO contacts (tenant_id, first_name, last_name, created_at)
SELECT tests.tenant_id('a'), 'Newdense', 'No ' || g, now() - interval '1 hour' + g * interval '1 millisecond'
  FROM generate_series(1, 2100) g;
-- The same names in tenant b, which a's search must never answer.
INSERT INTO contacts (tenant_id, first_name, last_name)
SELECT tests.tenant_id('b'), n, 'In b' FROM unnest(ARRAY['Olddense', 'Rare', 'Newdense']) n;

SELECT ok(app.search_candidates() < 1100 AND app.search_walk() < 2100,
  'the fixtures exceed the search''s bounds (paths 2 and 3 are reached)');

CREATE FUNCTION pg_temp.expected(p_tenant uuid, p_pattern text, p_limit int, p_after_at timestamptz DEFAULT NULL, p_after_id uuid DEFAULT NULL)
RETURNS uuid[] LANGUAGE sql AS $$
  SELECT array_agg(id ORDER BY created_at DESC, id DESC) FROM (
    SELECT id, created_at FROM contacts
     WHERE tenant_id = p_tenant AND (first_name ILIKE p_pattern OR last_name ILIKE p_pattern OR email ILIKE p_pattern)
       AND (p_after_at IS NULL OR (created_at, id) < (p_after_at, p_after_id))
     ORDER BY created_at DESC, id DESC LIMIT p_limit) x
$$;
CREATE TEMP TABLE expected AS
SELECT 'new' AS k, pg_temp.expected(tests.tenant_id('a'), '%newdense%', 51) AS ids
UNION ALL SELECT 'rare', pg_temp.expected(tests.tenant_id('a'), '%rare%', 51)
UNION ALL SELECT 'old', pg_temp.expected(tests.tenant_id('a'), '%olddense%', 51)
UNION ALL SELECT 'none', pg_temp.expected(tests.tenant_id('a'), '%nothing like it%', 51);
-- The cursor of the 51st 'Olddense': the next page starts after it.
CREATE TEMP TABLE cursor_after AS
SELECT created_at, id FROM contacts WHERE id = (SELECT ids[51] FROM expected WHERE k = 'old');
CREATE TEMP TABLE expected_next AS
SELECT pg_temp.expected(tests.tenant_id('a'), '%olddense%', 51, c.created_at, c.id) AS ids FROM cursor_after c;
GRANT SELECT ON expected, cursor_after, expected_next TO tenet_api;

SELECT tests.authenticate('a_owner', 'a');
SELECT is(ARRAY(SELECT app.search_contacts('%newdense%', NULL, 'all', NULL, NULL, 51)), (SELECT ids FROM expected WHERE k = 'new'),
  'path 1: the 51 newest matches, found among the newest rows');
SELECT is(ARRAY(SELECT app.search_contacts('%rare%', NULL, 'all', NULL, NULL, 51)), (SELECT ids FROM expected WHERE k = 'rare'),
  'path 2: all 5 matches older than the newest rows, newest first');
SELECT is(ARRAY(SELECT app.search_contacts('%olddense%', NULL, 'all', NULL, NULL, 51)), (SELECT ids FROM expected WHERE k = 'old'),
  'path 3: the 51 newest of more matches than the bound, none among the newest rows');
SELECT is(ARRAY(SELECT app.search_contacts('%olddense%', NULL, 'all', c.created_at, c.id, 51) FROM cursor_after c),
  (SELECT ids FROM expected_next), 'path 3 with a cursor: the next 51');
SELECT is(cardinality(ARRAY(SELECT app.search_contacts('%nothing like it%', NULL, 'all', NULL, NULL, 51))), 0,
  'no match: nothing');
SELECT ok(NOT EXISTS (SELECT 1 FROM contacts_visible WHERE tenant_id <> tests.tenant_id('a')
                        AND id = ANY (ARRAY(SELECT app.search_contacts('%dense%', NULL, 'all', NULL, NULL, 201)))),
  'the same names in tenant b are never answered');

SELECT tests.authenticate('a_nobody', 'a');
SELECT is(cardinality(ARRAY(SELECT app.search_contacts('%newdense%', NULL, 'all', NULL, NULL, 51))), 0,
  'without contacts:read: nothing');

SELECT * FROM finish();
ROLLBACK;
