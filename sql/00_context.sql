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
-- The value must be a uuid as uuid_out writes it, any case: 8-4-4-4-12 hex
-- digits. The test reads as the regular expression
--   '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' (case-insensitive)
-- and accepts exactly what it accepts: 36 characters with a hyphen at 9, 14,
-- 19 and 24 (LIKE), no other hyphen (32 bytes without them), and no byte but
-- hex digits and hyphens (ltrim of those leaves nothing; a character outside
-- ASCII is bytes outside the set). It is written without the expression
-- because every check of every statement reads one to three settings, and
-- with the expression this function took about 7 us a call, without it about
-- 3 (benches/check_calls.sh; docs/performance.md, ninth session).
CREATE OR REPLACE FUNCTION app.setting_uuid(name text) RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN current_setting(name, true) LIKE '________-____-____-____-____________'
     AND octet_length(replace(current_setting(name, true), '-', '')) = 32
     AND ltrim(convert_to(current_setting(name, true), 'UTF8'),
               decode('2d30313233343536373839616263646566414243444546', 'hex')) = ''::bytea
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
-- Finding the session: by its key (tenant_id, id), and only by it. The user
-- is compared with IS NOT DISTINCT FROM (the same as = here: neither side is
-- NULL), which is not an index condition. With `s.user_id = v_user` the
-- planner may find the row through sessions_user_idx (user_id) instead, and
-- it does when most users hold one session or two: its estimate is then one
-- row, the same as the key's. For a user who holds thousands of live sessions
-- (a script that signs in for every call) every statement of every request
-- of theirs then walked all of them (2,000 sessions: 50 buffers instead of 3).
-- Nor may an index hold tenant_id anywhere but first: when sessions_user_idx
-- was (user_id, tenant_id), a table analyzed while small let its walk for
-- `tenant_id = $1` tie with the key (migrations/V021).
-- tests/sql/10_forged_context.sql holds both checks.
--
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
   WHERE s.tenant_id = v_tenant
     AND s.id = v_session
     AND s.user_id IS NOT DISTINCT FROM v_user  -- not an index condition (above)
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
-- What kind of session the valid request context is: 'login' (a person) or
-- 'api_key'; NULL without a valid context. It tells them apart for the
-- account-level rules (app.require_login_session, the sessions policy);
-- app.me() reads the kind of the session app.authorize() has just validated
-- itself, to spare a second validation on every GET /api/auth/me.
CREATE OR REPLACE FUNCTION app.current_session_kind() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_kind text;
BEGIN
  IF app.current_tenant_id() IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT s.kind INTO v_kind FROM sessions s WHERE s.id = app.current_session_id();
  RETURN v_kind;
END
$$;
COMMENT ON FUNCTION app.current_session_kind() IS
  'The kind of session of a valid request context: login (a signed-in person) or api_key; NULL without a valid context.';

-- The per-statement check of a policy that needs a permission, in one
-- indexed query: the tenant of the context only while it is valid (as
-- app.current_tenant_id()) AND holds the permission; NULL otherwise. A
-- policy reads `tenant_id = (SELECT app.tenant_with_permission('x:y'))`:
-- one InitPlan, one call, per statement.
--
-- An API key (sessions.kind = 'api_key') holds a permission only through its
-- own roles, and only as far as its creator (the session's user) holds it
-- too: both EXISTS below must hold.
CREATE OR REPLACE FUNCTION app.tenant_with_permission(p_permission text) RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_session uuid := app.setting_uuid('app.session_id');
  v_user uuid := app.setting_uuid('app.user_id');
  v_tenant uuid := app.setting_uuid('app.tenant_id');
  v_secret text := current_setting('app.session_secret', true);
  v_found uuid;
BEGIN
  IF v_session IS NULL OR v_user IS NULL OR v_tenant IS NULL OR v_secret IS NULL OR v_secret = '' OR p_permission IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT s.tenant_id INTO v_found
    FROM sessions s
    JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id AND m.active
   WHERE s.tenant_id = v_tenant
     AND s.id = v_session
     AND s.user_id IS NOT DISTINCT FROM v_user  -- not an index condition (above)
     AND s.secret_hash = sha256(convert_to(v_secret, 'UTF8'))
     AND s.revoked_at IS NULL
     AND s.expires_at > now()
     AND EXISTS (SELECT 1
                   FROM membership_roles mr
                   JOIN role_permissions rp ON rp.tenant_id = mr.tenant_id AND rp.role_id = mr.role_id
                  WHERE mr.tenant_id = s.tenant_id AND mr.user_id = s.user_id AND rp.permission_key = p_permission)
     AND (s.kind = 'login'
          OR EXISTS (SELECT 1
                       FROM api_key_roles kr
                       JOIN role_permissions rp ON rp.tenant_id = kr.tenant_id AND rp.role_id = kr.role_id
                      WHERE kr.tenant_id = s.tenant_id AND kr.api_key_id = s.id AND rp.permission_key = p_permission));
  RETURN v_found;
END
$$;
COMMENT ON FUNCTION app.tenant_with_permission(text) IS
  'The tenant of the request context while it is valid (see app.current_tenant_id) and holds the permission, else NULL: '
  'the one per-statement check of a policy, as tenant_id = (SELECT app.tenant_with_permission(''key'')). An API key holds '
  'a permission only through its roles and only as far as its creator does.';

-- The statement every authenticated request runs right after setting its
-- context (in the same pipeline): NULL when the context is not a live
-- session of an active member (the API answers 401), otherwise the caller's
-- permissions (so handlers can answer 403 before doing work). One
-- validation and one permission query.
CREATE OR REPLACE FUNCTION app.authorize() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_session uuid := app.setting_uuid('app.session_id');
  v_user uuid := app.setting_uuid('app.user_id');
  v_tenant uuid := app.setting_uuid('app.tenant_id');
  v_secret text := current_setting('app.session_secret', true);
  v_kind text;
  v_keys text[];
BEGIN
  IF v_session IS NULL OR v_user IS NULL OR v_tenant IS NULL OR v_secret IS NULL OR v_secret = '' THEN
    RETURN NULL;
  END IF;
  SELECT s.kind INTO v_kind
    FROM sessions s
    JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id AND m.active
   WHERE s.tenant_id = v_tenant
     AND s.id = v_session
     AND s.user_id IS NOT DISTINCT FROM v_user  -- not an index condition (above)
     AND s.secret_hash = sha256(convert_to(v_secret, 'UTF8'))
     AND s.revoked_at IS NULL
     AND s.expires_at > now();
  IF v_kind IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT coalesce(array_agg(DISTINCT rp.permission_key ORDER BY rp.permission_key), '{}') INTO v_keys
    FROM membership_roles mr
    JOIN role_permissions rp ON rp.tenant_id = mr.tenant_id AND rp.role_id = mr.role_id
   WHERE mr.tenant_id = v_tenant AND mr.user_id = v_user
     AND (v_kind = 'login'
          OR rp.permission_key IN (SELECT kp.permission_key
                                     FROM api_key_roles kr
                                     JOIN role_permissions kp ON kp.tenant_id = kr.tenant_id AND kp.role_id = kr.role_id
                                    WHERE kr.tenant_id = v_tenant AND kr.api_key_id = v_session));
  RETURN v_keys;
END
$$;
COMMENT ON FUNCTION app.authorize() IS
  'Run by every authenticated request right after its context: NULL when the context is not a live session of an active member (401), else the caller''s permission keys.';

-- RBAC: evaluated from the current membership and role tables on every
-- statement, never from token claims, so role changes apply immediately.
CREATE OR REPLACE FUNCTION app.current_permissions() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  RETURN coalesce(app.authorize(), '{}');
END
$$;
COMMENT ON FUNCTION app.current_permissions() IS 'Permission keys the request context holds in its tenant (empty without a valid context).';

CREATE OR REPLACE FUNCTION app.has_permission(permission text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  RETURN app.tenant_with_permission(permission) IS NOT NULL;
END
$$;
COMMENT ON FUNCTION app.has_permission(text) IS
  'Whether the request context holds a permission (app.tenant_with_permission is not NULL). In policies use '
  'tenant_id = (SELECT app.tenant_with_permission(''key'')) instead: one check per statement.';

DROP FUNCTION IF EXISTS app.api_key_allows(uuid, uuid, text);

REVOKE ALL ON FUNCTION app.setting_uuid(text), app.current_user_id(), app.current_session_id(), app.request_id(),
  app.client_ip(), app.user_agent(), app.current_tenant_id(), app.current_permissions(), app.has_permission(text),
  app.authorize(), app.tenant_with_permission(text), app.current_session_kind() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.setting_uuid(text), app.current_user_id(), app.current_session_id(), app.request_id(),
  app.client_ip(), app.user_agent(), app.current_tenant_id(), app.current_permissions(), app.has_permission(text),
  app.authorize(), app.tenant_with_permission(text), app.current_session_kind() TO tenet_api;

-- Column defaults call it when the API inserts rows.
REVOKE ALL ON FUNCTION app.uuid_generate_v7() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.uuid_generate_v7() TO tenet_api;
