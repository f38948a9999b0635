-- ============================================================================
-- Tenant export (docs/data-movement.md): every row of one tenant, read page
-- by page along each table's primary key, bounded by tenant_id.
--
-- The tables come from the catalog: every table of schemas public and
-- app_private with a tenant_id column and a primary key, plus the tenant's
-- own row and the accounts of its members; a new table is exported without
-- a code change. Left out: the webhook signing secrets and the login
-- attempts (account security, not tenant data). Secret columns are removed
-- from every row (token_hash, secret_hash, refresh_token_hash). The audit
-- chain's hashes stay: they are the proof.
-- ============================================================================

CREATE OR REPLACE FUNCTION app.tenant_export_tables()
RETURNS TABLE (table_name text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  SELECT t FROM (
    SELECT c.oid::regclass::text AS t, n.nspname AS s
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'app_private')
       AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
       AND EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')
       AND c.oid::regclass::text NOT IN ('app_private.webhook_secrets', 'app_private.login_attempts')
    UNION ALL SELECT 'public.tenants', 'public'
    UNION ALL SELECT 'public.users', 'public') x
  ORDER BY s DESC, t
$$;
COMMENT ON FUNCTION app.tenant_export_tables() IS
  'The tables a tenant export reads: every table of public and app_private with tenant_id and a primary key (not the webhook secrets or login attempts), tenants and users.';

-- One page of a table's rows of the tenant, in primary-key order, after
-- the row whose key columns p_after holds (NULL: from the start). Each row
-- as jsonb without secret columns.
CREATE OR REPLACE FUNCTION app.tenant_export_page(p_tenant uuid, p_table text, p_after jsonb, p_limit integer)
RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_table regclass;
  v_key text;
  v_bound text;
  v_where text;
BEGIN
  IF p_tenant IS NULL OR NOT EXISTS (SELECT 1 FROM app.tenant_export_tables() t WHERE t.table_name = p_table) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN400', MESSAGE = 'not an exported table';
  END IF;
  v_table := p_table::regclass;
  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY array_position(k.conkey, a.attnum)),
         string_agg('r.' || quote_ident(a.attname), ', ' ORDER BY array_position(k.conkey, a.attnum))
    INTO v_key, v_bound
    FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
   WHERE k.conrelid = v_table AND k.contype = 'p';
  v_where := CASE p_table
               WHEN 'public.tenants' THEN 'id = $1'
               WHEN 'public.users' THEN 'id IN (SELECT m.user_id FROM memberships m WHERE m.tenant_id = $1)'
               ELSE 'tenant_id = $1' END;
  RETURN QUERY EXECUTE format(
    'SELECT to_jsonb(t) - ARRAY[''token_hash'', ''secret_hash'', ''refresh_token_hash''] FROM %s t
      WHERE %s AND ($2 IS NULL OR (%s) > (SELECT %s FROM jsonb_populate_record(NULL::%s, $2) r))
      ORDER BY %s LIMIT $3',
    v_table, v_where, v_key, v_bound, v_table, v_key)
  USING p_tenant, p_after, least(greatest(p_limit, 1), 10000);
END
$$;
COMMENT ON FUNCTION app.tenant_export_page(uuid, text, jsonb, integer) IS
  'A page of one table''s rows of a tenant (only tenant_id = p_tenant; the tenant row; its members'' accounts), in key order, secret columns removed. Internal: the owner''s export-tenant and app.export_my_tenant_page.';

-- The same for the API: the caller's own tenant, with tenant:manage.
CREATE OR REPLACE FUNCTION app.export_my_tenant_page(p_table text, p_after jsonb, p_limit integer)
RETURNS SETOF jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT page FROM (SELECT app.tenant_with_permission('tenant:manage') AS tenant OFFSET 0) t,
         LATERAL app.tenant_export_page(t.tenant, p_table, p_after, p_limit) AS page
   WHERE t.tenant IS NOT NULL
$$;
COMMENT ON FUNCTION app.export_my_tenant_page(text, jsonb, integer) IS
  'A page of the caller''s tenant export (tenant:manage; no rows otherwise): app.tenant_export_page for the request''s own tenant.';

REVOKE ALL ON FUNCTION app.tenant_export_tables(), app.tenant_export_page(uuid, text, jsonb, integer),
  app.export_my_tenant_page(text, jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.tenant_export_tables(), app.export_my_tenant_page(text, jsonb, integer) TO tenet_api;
