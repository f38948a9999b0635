-- ============================================================================
-- Authentication entry points: the few steps that must run before a tenant
-- is known (signup, login, refresh) and the session operations.
--
-- Every function here is SECURITY DEFINER, owned by the migration owner,
-- pins search_path, validates its arguments and returns only what the caller
-- needs (DATABASE.md invariant 7). tenet_api may EXECUTE them; it holds no
-- direct write privilege on users, sessions, app_private.refresh_tokens, app_private.login_attempts
-- or app_private.security_events.
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
    INSERT INTO app_private.security_events (action, tenant_id, user_id, session_id, email, details, request_id, ip, user_agent)
    VALUES (p_action, NULL, p_user_id, p_session_id, left(lower(p_email), 320), coalesce(p_details, '{}'),
            app.request_id(), app.client_ip(), app.user_agent());
  END IF;
END
$$;
COMMENT ON FUNCTION app.log_security_event(text, uuid, uuid, uuid, text, jsonb) IS
  'Records a security event: into the tenant''s audit chain, or for operators only (app_private.security_events) when no tenant is known.';

-- The tenant whose log records a security event about a user when no tenant
-- is named: the tenant of their last sign-in, else their newest membership.
CREATE OR REPLACE FUNCTION app.event_tenant_of(p_user uuid) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT coalesce(u.last_tenant_id,
                  (SELECT m.tenant_id FROM memberships m WHERE m.user_id = u.id ORDER BY m.created_at DESC LIMIT 1))
    FROM users u WHERE u.id = p_user
$$;
COMMENT ON FUNCTION app.event_tenant_of(uuid) IS
  'The tenant whose audit log records a security event about a user when none is named. Internal.';

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
COMMENT ON FUNCTION app.unique_slug(text) IS
  'A URL slug for a tenant name, unique across tenants.';

-- ---------------------------------------------------------------------------
-- Tenants and their system roles.
-- ---------------------------------------------------------------------------
-- The four system roles and their permissions (API.md's table), in one place:
-- app.seed_system_roles() creates them per tenant, app.access_matrix reads them.
CREATE OR REPLACE FUNCTION app.system_role_permissions()
RETURNS TABLE (name text, description text, permissions text[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  VALUES
    ('owner',  'Full control of the tenant',
       ARRAY['tenant:manage','users:read','users:manage','roles:manage','audit:read','api_keys:manage','teams:manage','webhooks:manage',
             'companies:read','companies:write','companies:delete','contacts:read','contacts:write','contacts:delete',
             'deals:read','deals:write','deals:delete','pipelines:manage',
             'notes:read','notes:write','notes:delete','tasks:read','tasks:write','tasks:delete']),
    ('admin',  'Manages members, roles and all CRM data',
       ARRAY['users:read','users:manage','roles:manage','audit:read','api_keys:manage','teams:manage','webhooks:manage',
             'companies:read','companies:write','companies:delete','contacts:read','contacts:write','contacts:delete',
             'deals:read','deals:write','deals:delete','pipelines:manage',
             'notes:read','notes:write','notes:delete','tasks:read','tasks:write','tasks:delete']),
    ('member', 'Works with CRM data',
       ARRAY['users:read','companies:read','companies:write','contacts:read','contacts:write','deals:read','deals:write',
             'notes:read','notes:write','tasks:read','tasks:write']),
    ('viewer', 'Reads CRM data',
       ARRAY['users:read','companies:read','contacts:read','deals:read','notes:read','tasks:read'])
$$;
COMMENT ON FUNCTION app.system_role_permissions() IS 'The four system roles of every tenant and their permission keys (the contract''s table).';

CREATE OR REPLACE FUNCTION app.seed_system_roles(p_tenant_id uuid) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  WITH inserted AS (
    INSERT INTO roles (tenant_id, name, description, system)
    SELECT p_tenant_id, s.name, s.description, true FROM app.system_role_permissions() s
    ON CONFLICT (tenant_id, name) DO NOTHING
    RETURNING id, name
  )
  INSERT INTO role_permissions (tenant_id, role_id, permission_key)
  SELECT p_tenant_id, i.id, unnest(s.permissions) FROM inserted i JOIN app.system_role_permissions() s USING (name)
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
    INSERT INTO users (email, name) VALUES (btrim(p_email), btrim(p_name)) RETURNING * INTO v_user;
    INSERT INTO app_private.user_secrets (user_id, password_hash) VALUES (v_user.id, p_password_hash);
  END IF;

  -- The new owner is the actor of everything audited below.
  PERFORM set_config('app.user_id', v_user.id::text, true);
  INSERT INTO tenants (name, slug) VALUES (btrim(p_tenant_name), app.unique_slug(p_tenant_name))
  RETURNING * INTO v_tenant;
  -- A new account's home: the one tenant it may use while unverified.
  UPDATE users u SET home_tenant_id = v_tenant.id WHERE u.id = v_user.id AND u.home_tenant_id IS NULL;
  PERFORM app.seed_system_roles(v_tenant.id);
  INSERT INTO memberships (tenant_id, user_id) VALUES (v_tenant.id, v_user.id);
  INSERT INTO membership_roles (tenant_id, user_id, role_id)
  SELECT v_tenant.id, v_user.id, r.id FROM roles r WHERE r.tenant_id = v_tenant.id AND r.name = 'owner';

  RETURN QUERY SELECT v_tenant.id, v_tenant.name, v_tenant.slug, v_tenant.created_at, v_user.id, v_user.email, v_user.name;
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'An account with this email already exists.';
END
$$;
COMMENT ON FUNCTION app.create_tenant_with_owner(text, text, text, text, boolean) IS
  'Creates a tenant, its system roles and its owner (a new account, or an existing one for tenet admin create-tenant). Not executable by the API role.';

-- Sign-up from the API: a new account only (an existing email is 409), and
-- its first session, opened in the same call.
CREATE OR REPLACE FUNCTION app.signup(
  p_tenant_name text, p_email text, p_name text, p_password_hash text,
  p_session_id uuid, p_secret_hash bytea, p_refresh_hash bytea, p_lifetime interval, p_verify_token text DEFAULT NULL)
RETURNS TABLE (tenant_id uuid, tenant_name text, tenant_slug text, tenant_created_at timestamptz,
               user_id uuid, user_email text, user_name text, session_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  r record;
BEGIN
  SELECT * INTO r FROM app.create_tenant_with_owner(p_tenant_name, p_email, p_name, p_password_hash, false);
  INSERT INTO app_private.login_attempts (email, user_id, tenant_id, succeeded) VALUES (lower(r.user_email), r.user_id, r.tenant_id, true);
  PERFORM app.start_session(p_session_id, r.user_id, r.tenant_id, p_secret_hash, p_refresh_hash, p_lifetime, 'auth.signup');
  IF p_verify_token IS NOT NULL THEN
    PERFORM app.issue_email_verification(r.user_id, p_verify_token);
  END IF;
  RETURN QUERY SELECT r.tenant_id, r.tenant_name, r.tenant_slug, r.tenant_created_at, r.user_id, r.user_email, r.user_name,
                      p_session_id;
END
$$;
COMMENT ON FUNCTION app.signup(text, text, text, text, uuid, bytea, bytea, interval, text) IS
  'Sign-up: a new tenant and its new owner account, and the owner''s first session (hashes of its secret and refresh token), in one call.';

-- ---------------------------------------------------------------------------
-- Login: the database decides.
--
-- 1. app.begin_login() records a *pending* attempt (pending attempts count as
--    failures, so parallel guesses cannot slip past the throttle) and answers
--    only the bcrypt salt and cost of the account: never its hash. An unknown
--    email gets a fake salt derived from the email and a private pepper, the
--    same on every call, so the answer does not tell whether it exists.
-- 2. The server computes bcrypt(password, that salt) off the database.
-- 3. app.finish_login() compares that result with the stored hash and, in the
--    same call, either fails the attempt or opens the session. No other path
--    opens a session for an existing account.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.login_retry_after(p_email text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  WITH recent AS (
    SELECT attempted_at
      FROM app_private.login_attempts
     WHERE email = lower(btrim(p_email))
       AND succeeded IS NOT TRUE
       AND attempted_at > now() - interval '15 minutes'
       AND attempted_at > coalesce((SELECT max(attempted_at) FROM app_private.login_attempts
                                     WHERE email = lower(btrim(p_email)) AND succeeded), '-infinity')
     ORDER BY attempted_at DESC
     LIMIT 10)
  SELECT CASE WHEN count(*) >= 10
              THEN greatest(1, ceil(extract(epoch FROM min(attempted_at) + interval '15 minutes' - now())))::integer
         END
    FROM recent
$$;
COMMENT ON FUNCTION app.login_retry_after(text) IS
  'Seconds until an email may try to log in again (10 failures since its last success within 15 minutes), or NULL.';

-- An account's stored hash (app_private.user_secrets), for the functions
-- below; never executable by the API role.
CREATE OR REPLACE FUNCTION app.password_hash_of(p_user uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  SELECT s.password_hash FROM app_private.user_secrets s WHERE s.user_id = p_user
$$;
COMMENT ON FUNCTION app.password_hash_of(uuid) IS
  'The stored bcrypt hash of an account. Internal to the login and password functions: not executable by the API role.';

-- The salt part of a bcrypt hash ("$2b$12$" and 22 characters).
CREATE OR REPLACE FUNCTION app.bcrypt_salt(p_hash text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_hash ~ '^\$2[abxy]\$[0-9]{2}\$[./A-Za-z0-9]{53}$' THEN left(p_hash, 29) END
$$;
COMMENT ON FUNCTION app.bcrypt_salt(text) IS 'The "$2b$<cost>$<salt>" prefix of a bcrypt hash, NULL for anything else.';

-- Whether a bcrypt output computed by the server matches a stored hash
-- (versions 2a/2b/2y compute the same output and differ only in the tag).
CREATE OR REPLACE FUNCTION app.bcrypt_matches(p_stored text, p_computed text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT app.bcrypt_salt(p_stored) IS NOT NULL AND app.bcrypt_salt(p_computed) IS NOT NULL
     AND substr(p_stored, 4) = substr(p_computed, 4)
$$;
COMMENT ON FUNCTION app.bcrypt_matches(text, text) IS 'Compares a stored bcrypt hash with one the server computed from a candidate password.';

-- A stable fake salt for an email without an account.
CREATE OR REPLACE FUNCTION app.fake_bcrypt_salt(p_email text, p_cost integer) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT '$2b$' || lpad(least(greatest(p_cost, 4), 31)::text, 2, '0') || '$' ||
         left(translate(encode(substr(sha256(p.pepper || convert_to(lower(btrim(p_email)), 'UTF8')), 1, 16), 'base64'),
                        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
                        './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), 22)
    FROM app_private.login_pepper p
$$;
COMMENT ON FUNCTION app.fake_bcrypt_salt(text, integer) IS
  'The salt answered for an unknown email: derived from the email and app_private.login_pepper, stable across calls.';

CREATE OR REPLACE FUNCTION app.begin_login(p_email text, p_tenant_slug text, p_unknown_cost integer)
RETURNS TABLE (attempt_id bigint, password_salt text, retry_after integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_email text := lower(btrim(p_email));
  v_retry integer;
  v_user users;
  v_tenant uuid;
  v_attempt bigint;
BEGIN
  IF v_email IS NULL OR v_email = '' OR length(v_email) > 320 OR length(p_tenant_slug) > 63 THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid login';
  END IF;
  -- One login per email at a time through the throttle check.
  PERFORM pg_advisory_xact_lock(hashtextextended('tenet.login:' || v_email, 0));
  v_retry := app.login_retry_after(v_email);
  IF v_retry IS NOT NULL THEN
    RETURN QUERY SELECT NULL::bigint, NULL::text, v_retry;
    RETURN;
  END IF;

  SELECT * INTO v_user FROM users u WHERE lower(u.email) = v_email;
  IF FOUND THEN
    SELECT m.tenant_id INTO v_tenant
      FROM memberships m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.user_id = v_user.id
       AND ((p_tenant_slug IS NOT NULL AND t.slug = lower(p_tenant_slug)) OR (p_tenant_slug IS NULL AND m.active))
     -- Without a slug: the tenant of the last sign-in (users.last_tenant_id,
     -- set only when a session starts or switches), else the oldest
     -- membership: never one joined recently that the user did not choose.
     ORDER BY (m.tenant_id = v_user.last_tenant_id) DESC NULLS LAST, m.created_at ASC
     LIMIT 1;
  END IF;

  INSERT INTO app_private.login_attempts (email, user_id, tenant_id, succeeded)
  VALUES (v_email, v_user.id, v_tenant, NULL)
  RETURNING id INTO v_attempt;
  RETURN QUERY SELECT v_attempt,
                      coalesce(app.bcrypt_salt(app.password_hash_of(v_user.id)), app.fake_bcrypt_salt(v_email, p_unknown_cost)),
                      NULL::integer;
END
$$;
COMMENT ON FUNCTION app.begin_login(text, text, integer) IS
  'Step 1 of a login: records a pending attempt under the per-email throttle and answers the bcrypt salt to '
  'hash the candidate password with (a stable fake one for an unknown email). Never answers a hash.';

-- Opens a session. Internal: called only by app.signup (an account created
-- in the same call) and app.finish_login (a password just verified).
-- (It gained p_details: a new argument needs a new function.)
DROP FUNCTION IF EXISTS app.start_session(uuid, uuid, uuid, bytea, bytea, interval, text);
CREATE OR REPLACE FUNCTION app.start_session(
  p_session_id uuid, p_user_id uuid, p_tenant_id uuid, p_secret_hash bytea, p_refresh_hash bytea,
  p_lifetime interval, p_event text, p_details jsonb DEFAULT NULL)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_expires timestamptz;
BEGIN
  IF p_session_id IS NULL OR p_refresh_hash IS NULL OR length(p_refresh_hash) <> 32
     OR p_secret_hash IS NULL OR length(p_secret_hash) <> 32
     OR p_lifetime IS NULL OR p_lifetime <= interval '0' OR p_lifetime > interval '365 days' THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid session parameters';
  END IF;
  INSERT INTO sessions (id, user_id, tenant_id, refresh_token_hash, secret_hash, expires_at, ip, user_agent)
  VALUES (p_session_id, p_user_id, p_tenant_id, p_refresh_hash, p_secret_hash, now() + p_lifetime,
          app.client_ip(), app.user_agent())
  RETURNING expires_at INTO v_expires;
  INSERT INTO app_private.refresh_tokens (tenant_id, token_hash, session_id) VALUES (p_tenant_id, p_refresh_hash, p_session_id);
  -- Only when it changes: signing in again to the same tenant rewrites
  -- nothing (no new row version, and users.updated_at stays the last edit's).
  UPDATE users SET last_tenant_id = p_tenant_id WHERE id = p_user_id AND last_tenant_id IS DISTINCT FROM p_tenant_id;
  PERFORM app.log_security_event(p_event, p_tenant_id, p_user_id, p_session_id, NULL, p_details);
  RETURN v_expires;
END
$$;
COMMENT ON FUNCTION app.start_session(uuid, uuid, uuid, bytea, bytea, interval, text, jsonb) IS
  'Inserts a session and its first refresh token (hashes only). Not executable by the API role.';

-- Step 3 of a login: the database compares the bcrypt output the server
-- computed with the stored hash and, only if it matches and the member is
-- active, opens the session, all in this one call. status: 'ok' or 'failed'
-- (the reason stays in the audit trail, never in the answer).
CREATE OR REPLACE FUNCTION app.finish_login(
  p_attempt bigint, p_computed_hash text, p_session_id uuid, p_secret_hash bytea, p_refresh_hash bytea,
  p_lifetime interval)
RETURNS TABLE (status text, user_id uuid, tenant_id uuid, session_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v app_private.login_attempts;
  v_user users;
  v_active boolean;
  v_reason text;
  v_tenant uuid;
BEGIN
  SELECT * INTO v FROM app_private.login_attempts a
   WHERE a.id = p_attempt AND a.succeeded IS NULL AND a.attempted_at > now() - interval '5 minutes'
   FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'TN401', MESSAGE = 'Invalid email, password or tenant.';
  END IF;
  SELECT * INTO v_user FROM users u WHERE u.id = v.user_id;
  SELECT m.active INTO v_active FROM memberships m WHERE m.tenant_id = v.tenant_id AND m.user_id = v.user_id;

  v_reason := CASE
    WHEN v_user.id IS NULL THEN 'unknown_email'
    WHEN NOT app.bcrypt_matches(app.password_hash_of(v_user.id), p_computed_hash) THEN 'wrong_password'
    WHEN v.tenant_id IS NULL OR v_active IS NULL THEN 'not_a_member'
    WHEN NOT v_active THEN 'inactive_member'
    WHEN v_user.email_verified_at IS NULL AND v.tenant_id IS DISTINCT FROM v_user.home_tenant_id THEN 'unverified'
  END;

  IF v_reason IS NOT NULL THEN
    UPDATE app_private.login_attempts SET succeeded = false WHERE id = v.id;
    v_tenant := v.tenant_id;
    IF v.user_id IS NOT NULL AND v_tenant IS NULL THEN
      v_tenant := app.event_tenant_of(v_user.id);
    END IF;
    PERFORM app.log_security_event('auth.login_failed', v_tenant, v.user_id, NULL, v.email,
                                   jsonb_build_object('reason', v_reason));
    RETURN QUERY SELECT 'failed'::text, NULL::uuid, NULL::uuid, NULL::uuid;
    RETURN;
  END IF;

  UPDATE app_private.login_attempts SET succeeded = true WHERE id = v.id;
  PERFORM app.start_session(p_session_id, v.user_id, v.tenant_id, p_secret_hash, p_refresh_hash, p_lifetime, 'auth.login');
  RETURN QUERY SELECT 'ok'::text, v.user_id, v.tenant_id, p_session_id;
END
$$;
COMMENT ON FUNCTION app.finish_login(bigint, text, uuid, bytea, bytea, interval) IS
  'Step 3 of a login: compares the server-computed bcrypt output with the stored hash; opens the session only '
  'on a match for an active member, else records the failure. The only way into an existing account.';

-- ---------------------------------------------------------------------------
-- Refresh-token rotation with reuse detection.
-- status: 'ok' (rotated), 'reused' (a rotated-out token: the session is now
-- revoked), 'invalid' (unknown, expired or revoked).
-- ---------------------------------------------------------------------------
-- (The answer gained secret_hash: a changed return type needs a new function.)
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_proc WHERE oid = to_regprocedure('app.rotate_refresh_token(bytea, bytea)')
               AND NOT 'secret_hash' = ANY (coalesce(proargnames, '{}'))) THEN
    DROP FUNCTION app.rotate_refresh_token(bytea, bytea);
  END IF;
END $$;
CREATE OR REPLACE FUNCTION app.rotate_refresh_token(p_old_hash bytea, p_new_hash bytea)
RETURNS TABLE (status text, session_id uuid, user_id uuid, tenant_id uuid, secret_hash bytea)
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
     AND s.secret_hash IS NOT NULL
     AND s.revoked_at IS NULL
     AND s.expires_at > now()
     AND EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = s.tenant_id AND m.user_id = s.user_id AND m.active)
  RETURNING * INTO v_session;

  IF FOUND THEN
    INSERT INTO app_private.refresh_tokens (tenant_id, token_hash, session_id) VALUES (v_session.tenant_id, p_new_hash, v_session.id);
    RETURN QUERY SELECT 'ok'::text, v_session.id, v_session.user_id, v_session.tenant_id, v_session.secret_hash;
    RETURN;
  END IF;

  SELECT s.* INTO v_session
    FROM app_private.refresh_tokens rt JOIN sessions s ON s.tenant_id = rt.tenant_id AND s.id = rt.session_id
   WHERE rt.token_hash = p_old_hash AND s.refresh_token_hash <> p_old_hash
   FOR UPDATE OF s;
  IF FOUND THEN
    -- Recorded once, when it revokes: a session that already ended (logout,
    -- removal from the tenant, an earlier reuse) is refused without writing
    -- to the tenant's log again, however often its old tokens come back.
    IF v_session.revoked_at IS NULL THEN
      UPDATE sessions s SET revoked_at = now(), revoked_reason = 'refresh_token_reuse'
       WHERE s.tenant_id = v_session.tenant_id AND s.id = v_session.id;
      PERFORM app.log_security_event('auth.refresh_reuse', v_session.tenant_id, v_session.user_id, v_session.id, NULL);
    END IF;
    RETURN QUERY SELECT 'reused'::text, v_session.id, v_session.user_id, v_session.tenant_id, NULL::bytea;
    RETURN;
  END IF;

  RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid, NULL::uuid, NULL::bytea;
END
$$;
COMMENT ON FUNCTION app.rotate_refresh_token(bytea, bytea) IS
  'Refresh-token rotation with reuse detection: ok (rotated; with the hash of the session''s secret, so that a server '
  'whose JWT key changed can move the session to it), reused (a rotated-out token: the session is revoked, logged once), invalid.';

-- After a JWT key rotation, a session opened under an earlier key moves to
-- the current one at its next refresh (the server sees that the secret hash
-- rotate_refresh_token answered is not the one its key derives): whoever
-- holds its current refresh token (just rotated) sets the new hash.
CREATE OR REPLACE FUNCTION app.rekey_session_secret(p_refresh_hash bytea, p_secret_hash bytea) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  WITH moved AS (
    UPDATE sessions s SET secret_hash = p_secret_hash
     WHERE s.refresh_token_hash = p_refresh_hash AND length(p_secret_hash) = 32
       AND s.kind = 'login' AND s.revoked_at IS NULL AND s.expires_at > now()
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM moved)
$$;
COMMENT ON FUNCTION app.rekey_session_secret(bytea, bytea) IS
  'Key rotation: the holder of a live login session''s current refresh token sets the hash of its secret under the new key.';

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
COMMENT ON FUNCTION app.require_context() IS
  'The tenant of a valid request context; raises TN401 otherwise. Used by the functions that act on the caller''s own session.';

CREATE OR REPLACE FUNCTION app.revoke_own_session(p_session_id uuid, p_reason text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.require_login_session();
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
COMMENT ON FUNCTION app.revoke_own_session(uuid, text) IS
  'Revokes one of the caller''s own live sessions (logout or revocation) and logs it.';

-- Changing the password: like a login, the server hashes the current
-- password with the salt app.password_salt() answers, and the database
-- compares. Wrong guesses count in the login throttle of the account's email
-- (same window) and are audited; then 429 until the window passes.
CREATE OR REPLACE FUNCTION app.password_salt()
RETURNS TABLE (password_salt text, retry_after integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_user users;
BEGIN
  PERFORM app.require_login_session();
  SELECT * INTO v_user FROM users u WHERE u.id = app.current_user_id();
  RETURN QUERY SELECT app.bcrypt_salt(app.password_hash_of(v_user.id)), app.login_retry_after(v_user.email);
END
$$;
COMMENT ON FUNCTION app.password_salt() IS
  'The bcrypt salt of the caller''s own password (never the hash), and retry_after when the account is throttled.';

-- status: 'ok', 'wrong_password' or 'throttled' (with retry_after).
CREATE OR REPLACE FUNCTION app.change_password(p_current_computed text, p_new_hash text)
RETURNS TABLE (status text, retry_after integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.require_login_session();
  v_user users;
  v_retry integer;
BEGIN
  IF p_new_hash IS NULL OR app.bcrypt_salt(p_new_hash) IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid password hash';
  END IF;
  SELECT * INTO v_user FROM users u WHERE u.id = app.current_user_id();
  PERFORM pg_advisory_xact_lock(hashtextextended('tenet.login:' || lower(v_user.email), 0));
  v_retry := app.login_retry_after(v_user.email);
  IF v_retry IS NOT NULL THEN
    RETURN QUERY SELECT 'throttled'::text, v_retry;
    RETURN;
  END IF;
  IF NOT app.bcrypt_matches(app.password_hash_of(v_user.id), p_current_computed) THEN
    INSERT INTO app_private.login_attempts (email, user_id, tenant_id, succeeded) VALUES (lower(v_user.email), v_user.id, v_tenant, false);
    PERFORM app.log_security_event('auth.password_change_failed', v_tenant, v_user.id, app.current_session_id(), NULL);
    RETURN QUERY SELECT 'wrong_password'::text, NULL::integer;
    RETURN;
  END IF;
  UPDATE app_private.user_secrets SET password_hash = p_new_hash, updated_at = now() WHERE user_id = v_user.id;
  UPDATE sessions SET revoked_at = now(), revoked_reason = 'password_changed'
   WHERE user_id = v_user.id AND id <> app.current_session_id() AND revoked_at IS NULL;
  PERFORM app.log_security_event('auth.password_changed', v_tenant, v_user.id, app.current_session_id(), NULL);
  RETURN QUERY SELECT 'ok'::text, NULL::integer;
END
$$;
COMMENT ON FUNCTION app.change_password(text, text) IS
  'Changes the caller''s password after the database verified the current one; revokes their other sessions.';

-- Moves the caller's session to another tenant they actively belong to and
-- rotates its refresh token; access tokens for the old tenant stop working.
-- A session never changes tenant (tenant_id is its distribution column and
-- in its key): switching ends the caller's session and opens one in the other
-- tenant, with the id, secret hash and refresh-token hash the server chose,
-- expiring when the old one would have.
DROP FUNCTION IF EXISTS app.switch_tenant(text, bytea);
CREATE OR REPLACE FUNCTION app.switch_tenant(p_slug text, p_session_id uuid, p_secret_hash bytea, p_refresh_hash bytea)
RETURNS TABLE (tenant_id uuid, expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_from uuid := app.require_login_session();
  v_user uuid := app.current_user_id();
  v_old uuid := app.current_session_id();
  v_to uuid;
  v_ends timestamptz;
BEGIN
  IF p_refresh_hash IS NULL OR length(p_refresh_hash) <> 32 THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid refresh token';
  END IF;
  SELECT m.tenant_id INTO v_to
    FROM memberships m JOIN tenants t ON t.id = m.tenant_id JOIN users u ON u.id = m.user_id
   WHERE t.slug = lower(p_slug) AND m.user_id = v_user AND m.active
     AND (u.email_verified_at IS NOT NULL OR u.home_tenant_id = m.tenant_id);
  IF v_to IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'TN404', MESSAGE = 'No such tenant.';
  END IF;
  UPDATE sessions s SET revoked_at = now(), revoked_reason = 'switched_tenant'
   WHERE s.tenant_id = v_from AND s.id = v_old
  RETURNING s.expires_at INTO v_ends;
  PERFORM app.start_session(p_session_id, v_user, v_to, p_secret_hash, p_refresh_hash, v_ends - now(), 'auth.switch_tenant',
                            jsonb_build_object('from_tenant_id', v_from, 'from_session_id', v_old));
  RETURN QUERY SELECT v_to, v_ends;
END
$$;
COMMENT ON FUNCTION app.switch_tenant(text, uuid, bytea, bytea) IS
  'Ends the caller''s session and opens one in another tenant they actively belong to (same expiry), with the '
  'server-chosen session id and hashes of its secret and refresh token.';

-- GET /api/auth/me in one call: the context is validated once (by
-- app.authorize(), which answers the permissions), then the caller's own
-- rows are read as the owner, without a policy check per table (issue 13:
-- the statement it replaced validated the context about ten times). Its
-- memberships: every tenant the caller actively belongs to, with their role
-- names there; an API key sees only the tenant it belongs to.
DROP FUNCTION IF EXISTS app.my_memberships();
CREATE OR REPLACE FUNCTION app.me()
RETURNS TABLE (user_id uuid, email text, name text, email_verified boolean, tenant_id uuid, tenant_name text,
               tenant_slug text, permissions text[], memberships json)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_permissions text[] := app.authorize();
  v_user uuid := app.setting_uuid('app.user_id');
  v_tenant uuid := app.setting_uuid('app.tenant_id');
  v_login boolean;
BEGIN
  IF v_permissions IS NULL THEN
    RETURN;
  END IF;
  -- app.authorize() answered: the settings name a live session of an active member.
  SELECT s.kind = 'login' INTO v_login
    FROM sessions s WHERE s.tenant_id = v_tenant AND s.id = app.setting_uuid('app.session_id');
  RETURN QUERY
  SELECT u.id, u.email, u.name, u.email_verified_at IS NOT NULL, t.id, t.name, t.slug, v_permissions,
         coalesce((SELECT json_agg(json_build_object('id', mt.id, 'name', mt.name, 'slug', mt.slug, 'roles',
                                     coalesce((SELECT array_agg(r.name ORDER BY r.name)
                                                 FROM membership_roles mr JOIN roles r ON r.tenant_id = mr.tenant_id AND r.id = mr.role_id
                                                WHERE mr.tenant_id = m.tenant_id AND mr.user_id = m.user_id), '{}'))
                            ORDER BY mt.name, mt.id)
                     FROM memberships m JOIN tenants mt ON mt.id = m.tenant_id
                    WHERE m.user_id = v_user AND m.active AND (v_login OR m.tenant_id = v_tenant)), '[]')
    FROM users u, tenants t
   WHERE u.id = v_user AND t.id = v_tenant;
END
$$;
COMMENT ON FUNCTION app.me() IS
  'The caller (GET /api/auth/me): user, tenant, permissions and memberships (every tenant the caller actively belongs to, '
  'with their role names; an API key only its own), or no row unless the context is a live session of an active member.';

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'app.log_security_event(text, uuid, uuid, uuid, text, jsonb)',
    'app.unique_slug(text)',
    'app.event_tenant_of(uuid)',
    'app.system_role_permissions()',
    'app.seed_system_roles(uuid)',
    'app.create_tenant_with_owner(text, text, text, text, boolean)',
    'app.signup(text, text, text, text, uuid, bytea, bytea, interval, text)',
    'app.login_retry_after(text)',
    'app.password_hash_of(uuid)',
    'app.bcrypt_salt(text)',
    'app.bcrypt_matches(text, text)',
    'app.fake_bcrypt_salt(text, integer)',
    'app.begin_login(text, text, integer)',
    'app.start_session(uuid, uuid, uuid, bytea, bytea, interval, text, jsonb)',
    'app.finish_login(bigint, text, uuid, bytea, bytea, interval)',
    'app.rotate_refresh_token(bytea, bytea)',
    'app.rekey_session_secret(bytea, bytea)',
    'app.require_context()',
    'app.revoke_own_session(uuid, text)',
    'app.password_salt()',
    'app.change_password(text, text)',
    'app.switch_tenant(text, uuid, bytea, bytea)',
    'app.me()']
  LOOP
    EXECUTE 'REVOKE ALL ON FUNCTION ' || f || ' FROM PUBLIC';
  END LOOP;
END
$$;

-- What the API may call directly. Internal helpers (log_security_event,
-- unique_slug, seed_system_roles, create_tenant_with_owner,
-- login_retry_after, the bcrypt helpers, start_session) are not granted.
REVOKE EXECUTE ON FUNCTION app.create_tenant_with_owner(text, text, text, text, boolean) FROM tenet_api;
GRANT EXECUTE ON FUNCTION
  app.signup(text, text, text, text, uuid, bytea, bytea, interval, text),
  app.begin_login(text, text, integer),
  app.finish_login(bigint, text, uuid, bytea, bytea, interval),
  app.rotate_refresh_token(bytea, bytea),
  app.rekey_session_secret(bytea, bytea),
  app.require_context(),
  app.revoke_own_session(uuid, text),
  app.password_salt(),
  app.change_password(text, text),
  app.switch_tenant(text, uuid, bytea, bytea),
  app.me()
TO tenet_api;
