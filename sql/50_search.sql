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
-- Planned per call (plan_cache_mode), so the planner sees the real pattern
-- (a selective one uses the trigram indexes, a short one the page index).
-- ============================================================================
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
BEGIN
  IF v_tenant IS NULL OR p_pattern IS NULL OR p_limit IS NULL OR p_limit < 1 OR p_limit > 201 THEN
    RETURN;
  END IF;
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
BEGIN
  IF v_tenant IS NULL OR p_pattern IS NULL OR p_limit IS NULL OR p_limit < 1 OR p_limit > 201 THEN
    RETURN;
  END IF;
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
  app.search_companies(text, text, timestamptz, uuid, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.search_contacts(text, uuid, text, timestamptz, uuid, bigint),
  app.search_companies(text, text, timestamptz, uuid, bigint) TO tenet_api;
