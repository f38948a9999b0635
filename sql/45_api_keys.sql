-- ============================================================================
-- API keys bound to roles (contract v1.1; tables in V011).
--
-- A key `tnt_<prefix>_<secret>` is a session of kind 'api_key' whose
-- secret_hash is sha256 of the whole key: the server resolves the prefix to
-- the session's ids once (app.resolve_api_key), then every request sets the
-- same context as a login's, and app.current_tenant_id() validates it the
-- same way (live, unrevoked, an active member, the secret). The permissions
-- are the key's roles' intersected with its creator's current ones
-- (app.api_key_allows). Keys are made and revoked only from a login session
-- holding api_keys:manage; a key never manages the account that made it.
-- ============================================================================

-- The tenant of a valid context whose session is a login (not an API key):
-- what account-level operations (password, sessions, switching tenant,
-- making keys) require. TN401 without a valid context, TN403 for a key.
CREATE OR REPLACE FUNCTION app.require_login_session() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.require_context();
BEGIN
  IF app.current_session_kind() IS DISTINCT FROM 'login' THEN
    RAISE EXCEPTION USING ERRCODE = 'TN403', MESSAGE = 'An API key cannot do this; sign in as the account instead.';
  END IF;
  RETURN v_tenant;
END
$$;
COMMENT ON FUNCTION app.require_login_session() IS
  'The tenant of a valid request context made by a signed-in person; TN401 without one, TN403 for an API key. '
  'Guards the account-level operations (password, sessions, tenant switch, creating keys).';

CREATE OR REPLACE FUNCTION app.create_api_key(
  p_name text, p_role_ids uuid[], p_expires_at timestamptz, p_prefix text, p_secret_hash bytea)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.require_login_session();
  v_id uuid := app.uuid_generate_v7();
BEGIN
  IF NOT app.has_permission('api_keys:manage') THEN
    RAISE EXCEPTION USING ERRCODE = 'TN403', MESSAGE = 'This action requires the permission api_keys:manage.';
  END IF;
  IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 OR p_prefix IS NULL OR p_prefix !~ '^[0-9a-f]{12}$'
     OR p_secret_hash IS NULL OR length(p_secret_hash) <> 32 THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid API key';
  END IF;
  IF p_expires_at IS NOT NULL AND p_expires_at <= now() THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'expires_at must be in the future';
  END IF;
  -- The escalation rule: a key gets no role holding a permission its creator lacks.
  PERFORM app.check_grantable_roles(v_tenant, p_role_ids, 'You cannot give a key a role holding permissions you do not hold.');
  INSERT INTO sessions (id, user_id, tenant_id, kind, refresh_token_hash, secret_hash, expires_at, last_used_at, ip, user_agent)
  VALUES (v_id, app.current_user_id(), v_tenant, 'api_key', NULL, p_secret_hash, coalesce(p_expires_at, 'infinity'),
          now(), app.client_ip(), app.user_agent());
  INSERT INTO api_keys (tenant_id, id, name, prefix, created_by, expires_at)
  VALUES (v_tenant, v_id, btrim(p_name), p_prefix, app.current_user_id(), p_expires_at);
  INSERT INTO api_key_roles (tenant_id, api_key_id, role_id)
  SELECT DISTINCT v_tenant, v_id, r FROM unnest(coalesce(p_role_ids, '{}')) r;
  RETURN v_id;
END
$$;
COMMENT ON FUNCTION app.create_api_key(text, uuid[], timestamptz, text, bytea) IS
  'Creates an API key of the caller''s tenant (api_keys:manage, signed in as a person) with roles that pass the '
  'escalation rule; stores only the secret''s hash. Returns the key''s id.';

CREATE OR REPLACE FUNCTION app.revoke_api_key(p_id uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.require_context();
BEGIN
  IF NOT app.has_permission('api_keys:manage') THEN
    RAISE EXCEPTION USING ERRCODE = 'TN403', MESSAGE = 'This action requires the permission api_keys:manage.';
  END IF;
  UPDATE api_keys k SET revoked_at = now() WHERE k.tenant_id = v_tenant AND k.id = p_id AND k.revoked_at IS NULL;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE sessions s SET revoked_at = now(), revoked_reason = 'api_key_revoked'
   WHERE s.tenant_id = v_tenant AND s.id = p_id AND s.kind = 'api_key' AND s.revoked_at IS NULL;
  RETURN true;
END
$$;
COMMENT ON FUNCTION app.revoke_api_key(uuid) IS
  'Revokes an API key of the caller''s tenant (api_keys:manage): it is refused from the next request on.';

-- Step 0 of a request made with a key: its session's ids, only for the
-- right secret of a live key. The server caches the answer for a minute;
-- each request is still validated by app.current_tenant_id().
CREATE OR REPLACE FUNCTION app.resolve_api_key(p_prefix text, p_secret_hash bytea)
RETURNS TABLE (session_id uuid, user_id uuid, tenant_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  RETURN QUERY
  UPDATE api_keys k SET last_used_at = now()
    FROM sessions s
   WHERE k.prefix = p_prefix AND s.tenant_id = k.tenant_id AND s.id = k.id AND s.kind = 'api_key' AND s.secret_hash = p_secret_hash
     AND s.revoked_at IS NULL AND s.expires_at > now() AND k.revoked_at IS NULL
  RETURNING s.id, s.user_id, s.tenant_id;
END
$$;
COMMENT ON FUNCTION app.resolve_api_key(text, bytea) IS
  'The session ids of a live API key given its prefix and the sha256 of the whole key (nothing otherwise); '
  'stamps last_used_at.';

REVOKE ALL ON FUNCTION app.require_login_session(), app.create_api_key(text, uuid[], timestamptz, text, bytea),
  app.revoke_api_key(uuid), app.resolve_api_key(text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.require_login_session(), app.create_api_key(text, uuid[], timestamptz, text, bytea),
  app.revoke_api_key(uuid), app.resolve_api_key(text, bytea) TO tenet_api;
