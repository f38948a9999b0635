-- ============================================================================
-- Request context: who is asking.
--
-- Each request sets, transaction-locally (set_config(name, value, true)):
--   app.tenant_id, app.user_id, app.session_id, app.session_secret,
--   app.request_id, app.client_ip, app.user_agent
-- These helpers read them with current_setting(name, true) and are STABLE so
-- that policies calling them as `(select app.fn())` evaluate them once per
-- statement (an InitPlan), not once per row.
--
-- app.current_tenant_id() is the heart of fail-closed tenancy: it returns the
-- tenant only while the context names a live session of an active member of
-- that tenant, with that session's secret; otherwise NULL, and
-- `tenant_id = NULL` matches no row.
-- ============================================================================

-- ---------------------------------------------------------------------------
-- Parsing: a malformed setting reads as "no context", never as an error.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.setting_uuid(name text) RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN current_setting(name, true) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN current_setting(name, true)::uuid
  END
$$;
COMMENT ON FUNCTION app.setting_uuid(text) IS 'The uuid in a transaction-local setting, or NULL when unset or malformed.';

CREATE OR REPLACE FUNCTION app.current_user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT app.setting_uuid('app.user_id') $$;
COMMENT ON FUNCTION app.current_user_id() IS
  'The user of the request context (app.user_id), or NULL. Not proof of anything alone: policies pair it with app.current_tenant_id().';

CREATE OR REPLACE FUNCTION app.current_session_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT app.setting_uuid('app.session_id') $$;
COMMENT ON FUNCTION app.current_session_id() IS
  'The session of the request context (app.session_id), or NULL.';

CREATE OR REPLACE FUNCTION app.request_id() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT left(nullif(current_setting('app.request_id', true), ''), 200) $$;
COMMENT ON FUNCTION app.request_id() IS
  'The request id of the context (app.request_id, at most 200 characters), recorded in audit entries.';

CREATE OR REPLACE FUNCTION app.client_ip() RETURNS inet
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN nullif(current_setting('app.client_ip', true), '')::inet;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.client_ip() IS
  'The client address of the context (app.client_ip), or NULL when unset or malformed.';

CREATE OR REPLACE FUNCTION app.user_agent() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- Stored safely: control characters removed, at most 512 characters.
  SELECT left(nullif(regexp_replace(current_setting('app.user_agent', true), '[[:cntrl:]]', '', 'g'), ''), 512)
$$;
COMMENT ON FUNCTION app.user_agent() IS
  'The user agent of the context, control characters removed, at most 512 characters.';

-- ---------------------------------------------------------------------------
-- The validated tenant: live session + active membership, or NULL.
-- SECURITY DEFINER because sessions and memberships are themselves behind RLS.
-- ---------------------------------------------------------------------------
-- These run on every statement of every request, so they are PL/pgSQL (whose
-- query plans are cached per connection; a plain SQL function that cannot be
-- inlined is planned again on every call) and read each setting once into a
-- variable, so each lookup is a primary-key probe.
CREATE OR REPLACE FUNCTION app.current_tenant_id() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_session uuid := app.setting_uuid('app.session_id');
  v_user uuid := app.setting_uuid('app.user_id');
  v_tenant uuid := app.setting_uuid('app.tenant_id');
  v_secret text := current_setting('app.session_secret', true);
  v_found uuid;
BEGIN
  IF v_session IS NULL OR v_user IS NULL OR v_tenant IS NULL OR v_secret IS NULL OR v_secret = '' THEN
    RETURN NULL;
  END IF;
  SELECT s.tenant_id INTO v_found
    FROM sessions s
    JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id AND m.active
   WHERE s.id = v_session
     AND s.user_id = v_user
     AND s.tenant_id = v_tenant
     AND s.secret_hash = sha256(convert_to(v_secret, 'UTF8'))
     AND s.revoked_at IS NULL
     AND s.expires_at > now();
  RETURN v_found;
END
$$;
COMMENT ON FUNCTION app.current_tenant_id() IS
  'The tenant of the request context, only while app.session_id names a live session of app.user_id acting in '
  'app.tenant_id, app.session_secret is that session''s secret, and that user is an active member of it. '
  'NULL otherwise: every tenant policy then matches nothing.';

-- ---------------------------------------------------------------------------
-- RBAC: evaluated from the current membership and role tables on every
-- statement, never from token claims, so role changes apply immediately.
-- ---------------------------------------------------------------------------
-- An API key acts with its roles' permissions, and only as far as its
-- creator (the session's user) holds them too: the callers below intersect.
-- True for a login session. Internal: it trusts its arguments.
CREATE OR REPLACE FUNCTION app.api_key_allows(p_tenant uuid, p_session uuid, p_permission text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = p_session AND s.kind = 'api_key')
      OR EXISTS (SELECT 1
                   FROM api_key_roles kr
                   JOIN role_permissions rp ON rp.tenant_id = kr.tenant_id AND rp.role_id = kr.role_id
                  WHERE kr.tenant_id = p_tenant AND kr.api_key_id = p_session AND rp.permission_key = p_permission)
$$;
COMMENT ON FUNCTION app.api_key_allows(uuid, uuid, text) IS
  'Whether a session may use a permission as far as its kind goes: always for a login, through its roles for an API key. '
  'Internal to app.has_permission and app.current_permissions, which also require the member to hold it.';

CREATE OR REPLACE FUNCTION app.current_permissions() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.current_tenant_id();
  v_user uuid := app.setting_uuid('app.user_id');
  v_keys text[];
BEGIN
  IF v_tenant IS NULL THEN
    RETURN '{}';
  END IF;
  SELECT coalesce(array_agg(DISTINCT rp.permission_key ORDER BY rp.permission_key), '{}') INTO v_keys
    FROM membership_roles mr
    JOIN role_permissions rp ON rp.tenant_id = mr.tenant_id AND rp.role_id = mr.role_id
   WHERE mr.tenant_id = v_tenant AND mr.user_id = v_user
     AND app.api_key_allows(v_tenant, app.current_session_id(), rp.permission_key);
  RETURN v_keys;
END
$$;
COMMENT ON FUNCTION app.current_permissions() IS 'Permission keys the request context holds in its tenant (empty without a valid context).';

CREATE OR REPLACE FUNCTION app.has_permission(permission text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.current_tenant_id();
  v_user uuid := app.setting_uuid('app.user_id');
BEGIN
  IF v_tenant IS NULL THEN
    RETURN false;
  END IF;
  RETURN EXISTS (
    SELECT 1
      FROM membership_roles mr
      JOIN role_permissions rp ON rp.tenant_id = mr.tenant_id AND rp.role_id = mr.role_id
     WHERE mr.tenant_id = v_tenant AND mr.user_id = v_user AND rp.permission_key = permission)
    AND app.api_key_allows(v_tenant, app.current_session_id(), permission);
END
$$;
COMMENT ON FUNCTION app.has_permission(text) IS
  'Whether the request context holds a permission. Call it as (select app.has_permission(''key'')) in policies '
  'so it runs once per statement.';

-- The statement every authenticated request runs right after setting its
-- context (in the same pipeline): NULL when the context is not a live
-- session of an active member (the API answers 401), otherwise the caller's
-- permissions (so handlers can answer 403 before doing work).
CREATE OR REPLACE FUNCTION app.authorize() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF app.current_tenant_id() IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN app.current_permissions();
END
$$;
COMMENT ON FUNCTION app.authorize() IS
  'Run by every authenticated request right after its context: NULL when the context is not a live session of an active member (401), else the caller''s permission keys.';

REVOKE ALL ON FUNCTION app.setting_uuid(text), app.current_user_id(), app.current_session_id(), app.request_id(),
  app.client_ip(), app.user_agent(), app.current_tenant_id(), app.current_permissions(), app.has_permission(text),
  app.authorize(), app.api_key_allows(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.setting_uuid(text), app.current_user_id(), app.current_session_id(), app.request_id(),
  app.client_ip(), app.user_agent(), app.current_tenant_id(), app.current_permissions(), app.has_permission(text),
  app.authorize() TO tenet_api;

-- Column defaults call it when the API inserts rows.
REVOKE ALL ON FUNCTION app.uuid_generate_v7() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.uuid_generate_v7() TO tenet_api;
