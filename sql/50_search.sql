-- ============================================================================
-- Search that uses its indexes under RLS.
--
-- `ILIKE` is not leakproof, so under a row-level security policy PostgreSQL
-- may evaluate it only after the policy's quals: the trigram indexes are
-- never used and a selective search scans the whole tenant. These functions
-- run the search as the tables' owner (whose policy is `true`, so the
-- planner is free to use the trigram indexes) but only inside the caller's
-- tenant and only when the caller holds the read permission
-- (app.tenant_with_permission), and they answer ids only: the API reads the
-- rows themselves through RLS, so the policies still decide what is seen.
--
-- They apply the caller's scope (app.scope_owners) or the list's owner
-- filter (app.list_owners, never wider than the scope) and never match a field hidden from the caller
-- (app.hidden_fields), so a search cannot reveal what the caller may not see.
--
-- p_pattern is an ILIKE pattern the server built (metacharacters escaped);
-- p_owner the list's owner filter (me, team, all); p_after_at/p_after_id the
-- keyset cursor; at most p_limit ids, newest first.
-- Planned per call (plan_cache_mode), so the planner sees the real pattern.
--
-- Bounded either way the pattern turns out. The planner's estimate of an
-- ILIKE is crude (it expected 592 matches of '%ann%' in a 5,000-contact
-- tenant that had 66), and each way of searching is fast only on one side:
-- walking the page index filtering every row when matches are dense,
-- collecting every match through the trigram indexes and sorting them when
-- they are few. So a search
--   1. walks the newest app.search_walk() rows of the tenant along the page
--      index: enough matches there (or no more rows) is the answer;
--   2. else collects at most app.search_candidates() matches in any order (the trigram
--      indexes): fewer than the bound is every match, sorted here;
--   3. else (matches dense, but not among the newest rows) reads the newest
--      matches along the page index.
-- ============================================================================
-- How many rows step 1 walks (a row more, to know whether it saw them all),
-- and how many matches step 2 collects.
CREATE OR REPLACE FUNCTION app.search_walk() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 2000 $$;
COMMENT ON FUNCTION app.search_walk() IS
  'How many of the newest rows app.search_contacts / app.search_companies walk first, looking for enough matches.';
CREATE OR REPLACE FUNCTION app.search_candidates() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 1000 $$;
COMMENT ON FUNCTION app.search_candidates() IS
  'How many matches app.search_contacts / app.search_companies collect in any order (after walking the newest rows) '
  'before they read the newest ones along the page index instead.';

DROP FUNCTION IF EXISTS app.search_contacts(text, uuid, timestamptz, uuid, bigint);
DROP FUNCTION IF EXISTS app.search_companies(text, timestamptz, uuid, bigint);

CREATE OR REPLACE FUNCTION app.search_contacts(
  p_pattern text, p_company uuid, p_owner text, p_after_at timestamptz, p_after_id uuid, p_limit bigint)
RETURNS SETOF uuid ROWS 50
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_tenant uuid := app.tenant_with_permission('contacts:read');
  v_owners uuid[] := coalesce(app.list_owners('contacts:read', p_owner), app.scope_owners('contacts:read'));
  v_email boolean := NOT ('email' = ANY (app.hidden_fields('contacts')));
  v_ids uuid[];
  v_walked bigint;
BEGIN
  IF v_tenant IS NULL OR p_pattern IS NULL OR p_limit IS NULL OR p_limit < 1 OR p_limit > 201 THEN
    RETURN;
  END IF;
  -- 1. The newest rows: enough matches among them (the walk stops at the
  --    p_limit-th), or no more rows.
  SELECT coalesce(array_agg(h.id ORDER BY h.created_at DESC, h.id DESC), '{}') INTO v_ids
    FROM (SELECT w.id, w.created_at
            FROM (SELECT c.id, c.created_at, c.first_name, c.last_name, c.email, c.company_id, c.owner_id
                    FROM contacts c
                   WHERE c.tenant_id = v_tenant
                     AND (p_after_at IS NULL OR (c.created_at, c.id) < (p_after_at, p_after_id))
                   ORDER BY c.created_at DESC, c.id DESC
                   LIMIT app.search_walk() + 1) w
           WHERE (w.first_name ILIKE p_pattern OR w.last_name ILIKE p_pattern OR (v_email AND w.email ILIKE p_pattern))
             AND (p_company IS NULL OR w.company_id = p_company)
             AND (v_owners IS NULL OR w.owner_id = ANY (v_owners))
           ORDER BY w.created_at DESC, w.id DESC
           LIMIT p_limit) h;
  IF cardinality(v_ids) < p_limit THEN
    SELECT count(*) INTO v_walked
      FROM (SELECT 1 FROM contacts c
             WHERE c.tenant_id = v_tenant
               AND (p_after_at IS NULL OR (c.created_at, c.id) < (p_after_at, p_after_id))
             ORDER BY c.created_at DESC, c.id DESC
             LIMIT app.search_walk() + 1) w;
  END IF;
  IF cardinality(v_ids) >= p_limit OR v_walked <= app.search_walk() THEN
    RETURN QUERY SELECT unnest(v_ids[1:p_limit]);
    RETURN;
  END IF;
  -- 2. Sparse: every match (fewer than the bound), newest first.
  SELECT array_agg(m.id ORDER BY m.created_at DESC, m.id DESC) INTO v_ids
    FROM (SELECT c.id, c.created_at FROM contacts c
           WHERE c.tenant_id = v_tenant
             AND (c.first_name ILIKE p_pattern OR c.last_name ILIKE p_pattern OR (v_email AND c.email ILIKE p_pattern))
             AND (p_company IS NULL OR c.company_id = p_company)
             AND (v_owners IS NULL OR c.owner_id = ANY (v_owners))
             AND (p_after_at IS NULL OR (c.created_at, c.id) < (p_after_at, p_after_id))
           LIMIT app.search_candidates()) m;
  IF coalesce(cardinality(v_ids), 0) < app.search_candidates() THEN
    RETURN QUERY SELECT unnest(v_ids[1:p_limit]);
    RETURN;
  END IF;
  -- 3. Dense: the newest matches along the page index.
  RETURN QUERY
  SELECT c.id FROM contacts c
   WHERE c.tenant_id = v_tenant
     AND (c.first_name ILIKE p_pattern OR c.last_name ILIKE p_pattern OR (v_email AND c.email ILIKE p_pattern))
     AND (p_company IS NULL OR c.company_id = p_company)
     AND (v_owners IS NULL OR c.owner_id = ANY (v_owners))
     AND (p_after_at IS NULL OR (c.created_at, c.id) < (p_after_at, p_after_id))
   ORDER BY c.created_at DESC, c.id DESC
   LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION app.search_contacts(text, uuid, text, timestamptz, uuid, bigint) IS
  'Ids of the caller''s tenant''s contacts matching an ILIKE pattern on names or email (unless hidden from the caller), '
  'newest first, only with contacts:read and within its scope and the owner filter; uses the trigram indexes. The rows '
  'are then read through RLS.';

CREATE OR REPLACE FUNCTION app.search_companies(
  p_pattern text, p_owner text, p_after_at timestamptz, p_after_id uuid, p_limit bigint)
RETURNS SETOF uuid ROWS 50
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_tenant uuid := app.tenant_with_permission('companies:read');
  v_owners uuid[] := coalesce(app.list_owners('companies:read', p_owner), app.scope_owners('companies:read'));
  v_domain boolean := NOT ('domain' = ANY (app.hidden_fields('companies')));
  v_ids uuid[];
  v_walked bigint;
BEGIN
  IF v_tenant IS NULL OR p_pattern IS NULL OR p_limit IS NULL OR p_limit < 1 OR p_limit > 201 THEN
    RETURN;
  END IF;
  -- 1. The newest rows: enough matches among them (the walk stops at the
  --    p_limit-th), or no more rows.
  SELECT coalesce(array_agg(h.id ORDER BY h.created_at DESC, h.id DESC), '{}') INTO v_ids
    FROM (SELECT w.id, w.created_at
            FROM (SELECT c.id, c.created_at, c.name, c.domain, c.owner_id
                    FROM companies c
                   WHERE c.tenant_id = v_tenant
                     AND (p_after_at IS NULL OR (c.created_at, c.id) < (p_after_at, p_after_id))
                   ORDER BY c.created_at DESC, c.id DESC
                   LIMIT app.search_walk() + 1) w
           WHERE (w.name ILIKE p_pattern OR (v_domain AND w.domain ILIKE p_pattern))
             AND (v_owners IS NULL OR w.owner_id = ANY (v_owners))
           ORDER BY w.created_at DESC, w.id DESC
           LIMIT p_limit) h;
  IF cardinality(v_ids) < p_limit THEN
    SELECT count(*) INTO v_walked
      FROM (SELECT 1 FROM companies c
             WHERE c.tenant_id = v_tenant
               AND (p_after_at IS NULL OR (c.created_at, c.id) < (p_after_at, p_after_id))
             ORDER BY c.created_at DESC, c.id DESC
             LIMIT app.search_walk() + 1) w;
  END IF;
  IF cardinality(v_ids) >= p_limit OR v_walked <= app.search_walk() THEN
    RETURN QUERY SELECT unnest(v_ids[1:p_limit]);
    RETURN;
  END IF;
  -- 2. Sparse: every match (fewer than the bound), newest first.
  SELECT array_agg(m.id ORDER BY m.created_at DESC, m.id DESC) INTO v_ids
    FROM (SELECT c.id, c.created_at FROM companies c
           WHERE c.tenant_id = v_tenant
             AND (c.name ILIKE p_pattern OR (v_domain AND c.domain ILIKE p_pattern))
             AND (v_owners IS NULL OR c.owner_id = ANY (v_owners))
             AND (p_after_at IS NULL OR (c.created_at, c.id) < (p_after_at, p_after_id))
           LIMIT app.search_candidates()) m;
  IF coalesce(cardinality(v_ids), 0) < app.search_candidates() THEN
    RETURN QUERY SELECT unnest(v_ids[1:p_limit]);
    RETURN;
  END IF;
  -- 3. Dense: the newest matches along the page index.
  RETURN QUERY
  SELECT c.id FROM companies c
   WHERE c.tenant_id = v_tenant
     AND (c.name ILIKE p_pattern OR (v_domain AND c.domain ILIKE p_pattern))
     AND (v_owners IS NULL OR c.owner_id = ANY (v_owners))
     AND (p_after_at IS NULL OR (c.created_at, c.id) < (p_after_at, p_after_id))
   ORDER BY c.created_at DESC, c.id DESC
   LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION app.search_companies(text, text, timestamptz, uuid, bigint) IS
  'Ids of the caller''s tenant''s companies matching an ILIKE pattern on name or domain (unless hidden from the '
  'caller), newest first, only with companies:read and within its scope and the owner filter; uses the trigram '
  'indexes. The rows are then read through RLS.';

REVOKE ALL ON FUNCTION app.search_contacts(text, uuid, text, timestamptz, uuid, bigint),
  app.search_companies(text, text, timestamptz, uuid, bigint), app.search_candidates(), app.search_walk() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.search_contacts(text, uuid, text, timestamptz, uuid, bigint),
  app.search_companies(text, text, timestamptz, uuid, bigint) TO tenet_api;
