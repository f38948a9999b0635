-- ============================================================================
-- Authentication entry points: the few steps that must run before a tenant
-- is known (signup, login, refresh) and the session operations.
--
-- Every function here is SECURITY DEFINER, owned by the migration owner,
-- pins search_path, validates its arguments and returns only what the caller
-- needs (DATABASE.md invariant 7). tenet_api may EXECUTE them; it holds no
-- direct write privilege on users, sessions, refresh_tokens, login_attempts
-- or security_events.
--
-- Errors meant for clients use SQLSTATE 'TN' || <http status> with a message
-- safe to show (mapped in src/error.rs); anything else is an opaque 500.
-- ============================================================================

-- ---------------------------------------------------------------------------
-- Security events. A NULL tenant means "operators only" (unknown email).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.log_security_event(
  p_action text, p_tenant_id uuid, p_user_id uuid, p_session_id uuid, p_email text, p_details jsonb DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF p_tenant_id IS NOT NULL THEN
    -- Into the tenant's audit chain, like every data change.
    PERFORM app.audit_append(p_tenant_id, p_action,
      CASE WHEN p_session_id IS NOT NULL THEN 'session' ELSE 'user' END,
      coalesce(p_session_id, p_user_id),
      coalesce(p_details, '{}') || CASE WHEN p_email IS NOT NULL THEN jsonb_build_object('email', left(lower(p_email), 320)) ELSE '{}' END,
      p_user_id);
  ELSE
    -- No tenant (an unknown email): kept where only operators see it.
    INSERT INTO security_events (action, tenant_id, user_id, session_id, email, details, request_id, ip, user_agent)
    VALUES (p_action, NULL, p_user_id, p_session_id, left(lower(p_email), 320), coalesce(p_details, '{}'),
            app.request_id(), app.client_ip(), app.user_agent());
  END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- Slugs: lower-case words joined by '-', unique across tenants.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.unique_slug(p_name text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  base text := left(btrim(regexp_replace(lower(coalesce(p_name, '')), '[^a-z0-9]+', '-', 'g'), '-'), 40);
  candidate text;
BEGIN
  base := btrim(base, '-');
  IF base = '' THEN base := 'workspace'; END IF;
  candidate := base;
  WHILE EXISTS (SELECT 1 FROM tenants WHERE slug = candidate) LOOP
    candidate := base || '-' || substr(md5(random()::text), 1, 6);
  END LOOP;
  RETURN candidate;
END
$$;

-- ---------------------------------------------------------------------------
-- Tenants and their system roles.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.seed_system_roles(p_tenant_id uuid) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  WITH spec(name, description, perms) AS (VALUES
    ('owner',  'Full control of the tenant',
       ARRAY['tenant:manage','users:read','users:manage','roles:manage','audit:read',
             'companies:read','companies:write','companies:delete','contacts:read','contacts:write','contacts:delete']),
    ('admin',  'Manages members, roles and all CRM data',
       ARRAY['users:read','users:manage','roles:manage','audit:read',
             'companies:read','companies:write','companies:delete','contacts:read','contacts:write','contacts:delete']),
    ('member', 'Works with CRM data',
       ARRAY['users:read','companies:read','companies:write','contacts:read','contacts:write']),
    ('viewer', 'Reads CRM data',
       ARRAY['users:read','companies:read','contacts:read'])
  ), inserted AS (
    INSERT INTO roles (tenant_id, name, description, system)
    SELECT p_tenant_id, name, description, true FROM spec
    ON CONFLICT (tenant_id, name) DO NOTHING
    RETURNING id, name
  )
  INSERT INTO role_permissions (tenant_id, role_id, permission_key)
  SELECT p_tenant_id, i.id, unnest(s.perms) FROM inserted i JOIN spec s USING (name)
$$;
COMMENT ON FUNCTION app.seed_system_roles(uuid) IS 'Creates the four read-only system roles of a tenant with the contract''s permission sets.';

-- Creates a tenant and its owner. The account is new, or (p_allow_existing:
-- `tenet admin create-tenant`, run as the owner; not granted to the API) an
-- existing one whose password is left alone.
CREATE OR REPLACE FUNCTION app.create_tenant_with_owner(
  p_tenant_name text, p_email text, p_name text, p_password_hash text, p_allow_existing boolean DEFAULT false)
RETURNS TABLE (tenant_id uuid, tenant_name text, tenant_slug text, tenant_created_at timestamptz,
               user_id uuid, user_email text, user_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant tenants;
  v_user users;
BEGIN
  IF p_tenant_name IS NULL OR btrim(p_tenant_name) = '' OR p_email IS NULL OR p_password_hash IS NULL
     OR p_password_hash !~ '^\$2[abxy]\$' THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid tenant or owner';
  END IF;

  SELECT * INTO v_user FROM users u WHERE lower(u.email) = lower(btrim(p_email));
  IF FOUND AND NOT p_allow_existing THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'An account with this email already exists.';
  END IF;
  IF NOT FOUND THEN
    INSERT INTO users (email, name, password_hash)
    VALUES (btrim(p_email), btrim(p_name), p_password_hash)
    RETURNING * INTO v_user;
  END IF;

  -- The new owner is the actor of everything audited below.
  PERFORM set_config('app.user_id', v_user.id::text, true);
  INSERT INTO tenants (name, slug) VALUES (btrim(p_tenant_name), app.unique_slug(p_tenant_name))
  RETURNING * INTO v_tenant;
  PERFORM app.seed_system_roles(v_tenant.id);
  INSERT INTO memberships (tenant_id, user_id) VALUES (v_tenant.id, v_user.id);
  INSERT INTO membership_roles (tenant_id, user_id, role_id)
  SELECT v_tenant.id, v_user.id, r.id FROM roles r WHERE r.tenant_id = v_tenant.id AND r.name = 'owner';

  RETURN QUERY SELECT v_tenant.id, v_tenant.name, v_tenant.slug, v_tenant.created_at, v_user.id, v_user.email, v_user.name;
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'An account with this email already exists.';
END
$$;

-- Sign-up from the API: a new account only (an existing email is 409).
CREATE OR REPLACE FUNCTION app.signup(p_tenant_name text, p_email text, p_name text, p_password_hash text)
RETURNS TABLE (tenant_id uuid, tenant_name text, tenant_slug text, tenant_created_at timestamptz,
               user_id uuid, user_email text, user_name text)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT * FROM app.create_tenant_with_owner(p_tenant_name, p_email, p_name, p_password_hash, false)
$$;

-- ---------------------------------------------------------------------------
-- Login.
--
-- app.begin_login() records a *pending* attempt before the password is
-- checked (in Rust, with bcrypt on the blocking pool), under a lock on the
-- email: pending attempts count as failures, so parallel guesses cannot slip
-- past the throttle. The attempt then either fails (app.fail_login) or opens
-- a session (app.open_session), which only accepts a fresh pending attempt of
-- that very user, so every session traces back to a recorded login.
-- ---------------------------------------------------------------------------
DROP FUNCTION IF EXISTS app.login_lookup(text, text);
DROP FUNCTION IF EXISTS app.record_login_failure(text, uuid, uuid, text);
DROP FUNCTION IF EXISTS app.open_session(uuid, uuid, bytea, interval, text);

-- Seconds until the per-email throttle lets this email try again, or NULL.
-- After 10 failed (or pending) attempts within 15 minutes, since the last
-- success, further attempts wait until the oldest of those 10 leaves the window.
CREATE OR REPLACE FUNCTION app.login_retry_after(p_email text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  WITH recent AS (
    SELECT attempted_at
      FROM login_attempts
     WHERE email = lower(btrim(p_email))
       AND succeeded IS NOT TRUE
       AND attempted_at > now() - interval '15 minutes'
       AND attempted_at > coalesce((SELECT max(attempted_at) FROM login_attempts
                                     WHERE email = lower(btrim(p_email)) AND succeeded), '-infinity')
     ORDER BY attempted_at DESC
     LIMIT 10)
  SELECT CASE WHEN count(*) >= 10
              THEN greatest(1, ceil(extract(epoch FROM min(attempted_at) + interval '15 minutes' - now())))::integer
         END
    FROM recent
$$;

-- What login needs, and nothing more: the pending attempt, the user's id and
-- password hash, the tenant it would sign in to (by slug, or the most
-- recently used one) and whether that membership is active; or only
-- retry_after when throttled. Always one row, so an unknown email costs the
-- same work.
CREATE OR REPLACE FUNCTION app.begin_login(p_email text, p_tenant_slug text)
RETURNS TABLE (attempt_id bigint, user_id uuid, password_hash text, tenant_id uuid, member_active boolean, retry_after integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_email text := lower(btrim(p_email));
  v_retry integer;
  v_user users;
  v_tenant uuid;
  v_active boolean := false;
  v_attempt bigint;
BEGIN
  IF v_email IS NULL OR v_email = '' OR length(v_email) > 320 OR length(p_tenant_slug) > 63 THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid login';
  END IF;
  -- One login per email at a time through the throttle check.
  PERFORM pg_advisory_xact_lock(hashtextextended('tenet.login:' || v_email, 0));
  v_retry := app.login_retry_after(v_email);
  IF v_retry IS NOT NULL THEN
    RETURN QUERY SELECT NULL::bigint, NULL::uuid, NULL::text, NULL::uuid, false, v_retry;
    RETURN;
  END IF;

  SELECT * INTO v_user FROM users u WHERE lower(u.email) = v_email;
  IF FOUND THEN
    SELECT m.tenant_id, m.active INTO v_tenant, v_active
      FROM memberships m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.user_id = v_user.id
       AND ((p_tenant_slug IS NOT NULL AND t.slug = lower(p_tenant_slug)) OR (p_tenant_slug IS NULL AND m.active))
     ORDER BY (m.tenant_id = v_user.last_tenant_id) DESC, m.created_at DESC
     LIMIT 1;
  END IF;

  INSERT INTO login_attempts (email, user_id, tenant_id, succeeded)
  VALUES (v_email, v_user.id, v_tenant, NULL)
  RETURNING id INTO v_attempt;
  RETURN QUERY SELECT v_attempt, v_user.id, v_user.password_hash, v_tenant, coalesce(v_active, false), NULL::integer;
END
$$;

-- The attempt failed. The security event goes to the tenant involved (or the
-- user's most recent one); an unknown email's stays with the operators.
CREATE OR REPLACE FUNCTION app.fail_login(p_attempt bigint, p_reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v login_attempts;
  v_tenant uuid;
BEGIN
  IF p_reason NOT IN ('unknown_email', 'wrong_password', 'not_a_member', 'inactive_member') THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid reason';
  END IF;
  UPDATE login_attempts SET succeeded = false
   WHERE id = p_attempt AND succeeded IS NULL AND attempted_at > now() - interval '5 minutes'
  RETURNING * INTO v;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  v_tenant := v.tenant_id;
  IF v.user_id IS NOT NULL AND v_tenant IS NULL THEN
    SELECT coalesce(u.last_tenant_id,
                    (SELECT m.tenant_id FROM memberships m WHERE m.user_id = u.id ORDER BY m.created_at DESC LIMIT 1))
      INTO v_tenant
      FROM users u WHERE u.id = v.user_id;
  END IF;
  PERFORM app.log_security_event('auth.login_failed', v_tenant, v.user_id, NULL, v.email,
                                 jsonb_build_object('reason', p_reason));
END
$$;

-- Opens a session: after login, for the user of a fresh pending attempt
-- (p_attempt); after signup (p_attempt NULL), only for an account created in
-- this very transaction. Refuses unless the user is an active member.
CREATE OR REPLACE FUNCTION app.open_session(
  p_user_id uuid, p_tenant_id uuid, p_refresh_hash bytea, p_lifetime interval, p_attempt bigint)
RETURNS TABLE (session_id uuid, expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_session sessions;
  v_email text;
BEGIN
  IF p_refresh_hash IS NULL OR length(p_refresh_hash) <> 32
     OR p_lifetime IS NULL OR p_lifetime <= interval '0' OR p_lifetime > interval '366 days' THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid session parameters';
  END IF;
  IF p_attempt IS NOT NULL THEN
    UPDATE login_attempts SET succeeded = true
     WHERE id = p_attempt AND user_id = p_user_id AND succeeded IS NULL AND attempted_at > now() - interval '5 minutes'
    RETURNING email INTO v_email;
  ELSE
    SELECT lower(email) INTO v_email FROM users WHERE id = p_user_id AND created_at = now();
    IF FOUND THEN
      INSERT INTO login_attempts (email, user_id, tenant_id, succeeded) VALUES (v_email, p_user_id, p_tenant_id, true);
    END IF;
  END IF;
  IF v_email IS NULL OR NOT EXISTS (
       SELECT 1 FROM memberships m WHERE m.tenant_id = p_tenant_id AND m.user_id = p_user_id AND m.active) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN401', MESSAGE = 'Invalid email, password or tenant.';
  END IF;

  INSERT INTO sessions (user_id, tenant_id, refresh_token_hash, expires_at, ip, user_agent)
  VALUES (p_user_id, p_tenant_id, p_refresh_hash, now() + p_lifetime, app.client_ip(), app.user_agent())
  RETURNING * INTO v_session;
  INSERT INTO refresh_tokens (token_hash, session_id) VALUES (p_refresh_hash, v_session.id);
  UPDATE users SET last_tenant_id = p_tenant_id WHERE id = p_user_id;
  PERFORM app.log_security_event(CASE WHEN p_attempt IS NULL THEN 'auth.signup' ELSE 'auth.login' END,
                                 p_tenant_id, p_user_id, v_session.id, NULL);

  RETURN QUERY SELECT v_session.id, v_session.expires_at;
END
$$;

-- ---------------------------------------------------------------------------
-- Refresh-token rotation with reuse detection.
-- status: 'ok' (rotated), 'reused' (a rotated-out token: the session is now
-- revoked), 'invalid' (unknown, expired or revoked).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.rotate_refresh_token(p_old_hash bytea, p_new_hash bytea)
RETURNS TABLE (status text, session_id uuid, user_id uuid, tenant_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_session sessions;
BEGIN
  IF p_old_hash IS NULL OR length(p_old_hash) <> 32 OR p_new_hash IS NULL OR length(p_new_hash) <> 32 THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid refresh token';
  END IF;

  -- Atomic: of two concurrent rotations of one token, the second re-reads the
  -- row after the first commits, no longer matches, and is treated as reuse.
  UPDATE sessions s
     SET refresh_token_hash = p_new_hash, last_used_at = now(),
         ip = coalesce(app.client_ip(), s.ip), user_agent = coalesce(app.user_agent(), s.user_agent)
   WHERE s.refresh_token_hash = p_old_hash
     AND s.revoked_at IS NULL
     AND s.expires_at > now()
     AND EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = s.tenant_id AND m.user_id = s.user_id AND m.active)
  RETURNING * INTO v_session;

  IF FOUND THEN
    INSERT INTO refresh_tokens (token_hash, session_id) VALUES (p_new_hash, v_session.id);
    RETURN QUERY SELECT 'ok'::text, v_session.id, v_session.user_id, v_session.tenant_id;
    RETURN;
  END IF;

  SELECT s.* INTO v_session
    FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id
   WHERE rt.token_hash = p_old_hash AND s.refresh_token_hash <> p_old_hash
   FOR UPDATE OF s;
  IF FOUND THEN
    IF v_session.revoked_at IS NULL THEN
      UPDATE sessions SET revoked_at = now(), revoked_reason = 'refresh_token_reuse' WHERE id = v_session.id;
    END IF;
    PERFORM app.log_security_event('auth.refresh_reuse', v_session.tenant_id, v_session.user_id, v_session.id, NULL);
    RETURN QUERY SELECT 'reused'::text, v_session.id, v_session.user_id, v_session.tenant_id;
    RETURN;
  END IF;

  RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid, NULL::uuid;
END
$$;

-- ---------------------------------------------------------------------------
-- Operations on the caller's own session(s). They act only on the session
-- and user of a valid request context (app.current_tenant_id() not NULL).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.require_context() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.current_tenant_id();
BEGIN
  IF v_tenant IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'TN401', MESSAGE = 'The session is not valid.';
  END IF;
  RETURN v_tenant;
END
$$;

CREATE OR REPLACE FUNCTION app.revoke_own_session(p_session_id uuid, p_reason text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.require_context();
  v_found boolean;
BEGIN
  IF p_reason NOT IN ('logout', 'revoked') THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid reason';
  END IF;
  UPDATE sessions SET revoked_at = now(), revoked_reason = p_reason
   WHERE id = p_session_id AND user_id = app.current_user_id() AND revoked_at IS NULL AND expires_at > now();
  v_found := FOUND;
  IF v_found THEN
    PERFORM app.log_security_event(CASE p_reason WHEN 'logout' THEN 'auth.logout' ELSE 'auth.session_revoked' END,
                                   v_tenant, app.current_user_id(), p_session_id, NULL);
  END IF;
  RETURN v_found;
END
$$;

CREATE OR REPLACE FUNCTION app.current_password_hash() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT password_hash FROM users WHERE id = app.current_user_id() AND app.current_tenant_id() IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION app.change_password(p_new_hash text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.require_context();
BEGIN
  IF p_new_hash IS NULL OR p_new_hash !~ '^\$2[abxy]\$' THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid password hash';
  END IF;
  UPDATE users SET password_hash = p_new_hash WHERE id = app.current_user_id();
  UPDATE sessions SET revoked_at = now(), revoked_reason = 'password_changed'
   WHERE user_id = app.current_user_id() AND id <> app.current_session_id() AND revoked_at IS NULL;
  PERFORM app.log_security_event('auth.password_changed', v_tenant, app.current_user_id(), app.current_session_id(), NULL);
END
$$;

-- Moves the caller's session to another tenant they actively belong to and
-- rotates its refresh token; access tokens for the old tenant stop working.
CREATE OR REPLACE FUNCTION app.switch_tenant(p_slug text, p_new_hash bytea)
RETURNS TABLE (tenant_id uuid, expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_from uuid := app.require_context();
  v_to uuid;
  v_expires timestamptz;
BEGIN
  IF p_new_hash IS NULL OR length(p_new_hash) <> 32 THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid refresh token';
  END IF;
  SELECT m.tenant_id INTO v_to
    FROM memberships m JOIN tenants t ON t.id = m.tenant_id
   WHERE t.slug = lower(p_slug) AND m.user_id = app.current_user_id() AND m.active;
  IF v_to IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'TN404', MESSAGE = 'No such tenant.';
  END IF;
  UPDATE sessions s SET tenant_id = v_to, refresh_token_hash = p_new_hash, last_used_at = now()
   WHERE s.id = app.current_session_id()
  RETURNING s.expires_at INTO v_expires;
  INSERT INTO refresh_tokens (token_hash, session_id) VALUES (p_new_hash, app.current_session_id());
  UPDATE users SET last_tenant_id = v_to WHERE id = app.current_user_id();
  PERFORM app.log_security_event('auth.switch_tenant', v_to, app.current_user_id(), app.current_session_id(), NULL,
                                 jsonb_build_object('from_tenant_id', v_from));
  RETURN QUERY SELECT v_to, v_expires;
END
$$;

-- Every tenant the caller belongs to, with their roles there.
CREATE OR REPLACE FUNCTION app.my_memberships()
RETURNS TABLE (tenant_id uuid, tenant_name text, tenant_slug text, roles text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_user uuid := app.current_user_id();
BEGIN
  IF app.current_tenant_id() IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT t.id, t.name, t.slug,
         coalesce((SELECT array_agg(r.name ORDER BY r.name)
                     FROM membership_roles mr JOIN roles r ON r.tenant_id = mr.tenant_id AND r.id = mr.role_id
                    WHERE mr.tenant_id = m.tenant_id AND mr.user_id = m.user_id), '{}')
    FROM memberships m JOIN tenants t ON t.id = m.tenant_id
   WHERE m.user_id = v_user AND m.active
   ORDER BY t.name, t.id;
END
$$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'app.log_security_event(text, uuid, uuid, uuid, text, jsonb)',
    'app.unique_slug(text)',
    'app.seed_system_roles(uuid)',
    'app.create_tenant_with_owner(text, text, text, text, boolean)',
    'app.signup(text, text, text, text)',
    'app.login_retry_after(text)',
    'app.begin_login(text, text)',
    'app.fail_login(bigint, text)',
    'app.open_session(uuid, uuid, bytea, interval, bigint)',
    'app.rotate_refresh_token(bytea, bytea)',
    'app.require_context()',
    'app.revoke_own_session(uuid, text)',
    'app.current_password_hash()',
    'app.change_password(text)',
    'app.switch_tenant(text, bytea)',
    'app.my_memberships()']
  LOOP
    EXECUTE 'REVOKE ALL ON FUNCTION ' || f || ' FROM PUBLIC';
  END LOOP;
END
$$;

-- What the API may call directly. Internal helpers (log_security_event,
-- unique_slug, seed_system_roles, create_tenant_with_owner,
-- login_retry_after) are not granted.
REVOKE EXECUTE ON FUNCTION app.create_tenant_with_owner(text, text, text, text, boolean) FROM tenet_api;
GRANT EXECUTE ON FUNCTION
  app.signup(text, text, text, text),
  app.begin_login(text, text),
  app.fail_login(bigint, text),
  app.open_session(uuid, uuid, bytea, interval, bigint),
  app.rotate_refresh_token(bytea, bytea),
  app.require_context(),
  app.revoke_own_session(uuid, text),
  app.current_password_hash(),
  app.change_password(text),
  app.switch_tenant(text, bytea),
  app.my_memberships()
TO tenet_api;
