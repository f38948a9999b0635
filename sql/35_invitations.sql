-- ============================================================================
-- Invitations (contract v1.1). Created by a users:manage holder for any
-- email, with the same answer whether the email has an account or not;
-- mailed with a single-use token; accepted by the invitee, which is the only
-- way an existing account joins a tenant.
--
-- Accepting sets the account's password (required) and ends every other
-- session of the account: someone who registered the invitee's address
-- before them (account pre-hijack) loses it the moment the real owner of the
-- mailbox accepts. Roles pass the escalation rule when invited and again
-- when accepted (the inviter must still hold every permission they carry).
-- ============================================================================

CREATE OR REPLACE FUNCTION app.create_invitation(p_email text, p_role_ids uuid[], p_token text)
RETURNS TABLE (id uuid, email text, expires_at timestamptz, created_at timestamptz, invited_by uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.require_context();
  v_email text := lower(btrim(p_email));
  v_inv invitations;
  v_tenant_name text;
BEGIN
  IF NOT app.has_permission('users:manage') THEN
    RAISE EXCEPTION USING ERRCODE = 'TN403', MESSAGE = 'This action requires the permission users:manage.';
  END IF;
  IF v_email IS NULL OR length(v_email) < 3 OR length(v_email) > 320 OR p_token IS NULL OR length(p_token) < 43 THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid invitation';
  END IF;
  IF EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
              WHERE m.tenant_id = v_tenant AND lower(u.email) = v_email) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'This email is already a member of the tenant.';
  END IF;
  PERFORM app.check_grantable_roles(v_tenant, p_role_ids, 'You cannot invite with a role holding permissions you do not hold.');
  INSERT INTO invitations (tenant_id, email, token_hash, invited_by, expires_at)
  VALUES (v_tenant, v_email, sha256(convert_to(p_token, 'UTF8')), app.current_user_id(), now() + interval '7 days')
  RETURNING * INTO v_inv;
  INSERT INTO invitation_roles (tenant_id, invitation_id, role_id)
  SELECT v_tenant, v_inv.id, r FROM (SELECT DISTINCT unnest(coalesce(p_role_ids, '{}')) AS r) d;
  SELECT t.name INTO v_tenant_name FROM tenants t WHERE t.id = v_tenant;
  PERFORM app.queue_email(v_email, 'invitation', jsonb_build_object('token', p_token, 'tenant', v_tenant_name));
  RETURN QUERY SELECT v_inv.id, v_inv.email, v_inv.expires_at, v_inv.created_at, v_inv.invited_by;
END
$$;
COMMENT ON FUNCTION app.create_invitation(text, uuid[], text) IS
  'Invites an email to the caller''s tenant with roles (users:manage; the escalation rule applies; 409 for a member); '
  'mails the token. The same whether or not the email has an account.';

CREATE OR REPLACE FUNCTION app.revoke_invitation(p_id uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.require_context();
BEGIN
  IF NOT app.has_permission('users:manage') THEN
    RAISE EXCEPTION USING ERRCODE = 'TN403', MESSAGE = 'This action requires the permission users:manage.';
  END IF;
  UPDATE invitations i SET revoked_at = now()
   WHERE i.tenant_id = v_tenant AND i.id = p_id AND i.revoked_at IS NULL AND i.accepted_at IS NULL;
  RETURN FOUND;
END
$$;
COMMENT ON FUNCTION app.revoke_invitation(uuid) IS 'Revokes a pending invitation of the caller''s tenant (users:manage): its token stops working.';

-- What the acceptance page shows for a valid token; nothing for any other.
CREATE OR REPLACE FUNCTION app.lookup_invitation(p_token_hash bytea)
RETURNS TABLE (tenant_name text, email text, account_exists boolean, needs_password boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT t.name, i.email, EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = i.email),
         NOT EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = i.email AND u.email_verified_at IS NOT NULL)
    FROM invitations i JOIN tenants t ON t.id = i.tenant_id
   WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
$$;
COMMENT ON FUNCTION app.lookup_invitation(bytea) IS
  'For a pending, unexpired invitation token: the tenant''s name, the invited email, whether it has an account, '
  'and whether accepting must set a password (a new or unverified account).';

-- The bcrypt salt of the invited account when it is verified (accepting then
-- proves it is the account's holder with its current password, or by being
-- signed in as it); NULL for a new or unverified account, or a bad token.
CREATE OR REPLACE FUNCTION app.invitation_salt(p_token_hash bytea) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT app.bcrypt_salt(app.password_hash_of(u.id))
    FROM invitations i JOIN users u ON lower(u.email) = i.email AND u.email_verified_at IS NOT NULL
   WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
$$;
COMMENT ON FUNCTION app.invitation_salt(bytea) IS
  'For a pending invitation of a verified account: the bcrypt salt to hash its current password with (never the hash).';

-- status: ok, invalid (unknown, used, revoked or expired token),
-- password_required, name_required, member (already a member),
-- inviter_lacks (the inviter no longer holds what the roles grant),
-- sign_in_required (a verified account, neither its current password nor a
-- live session of it given).
--
-- A new or unverified account: p_password_hash (a fresh bcrypt hash) becomes
-- its password, every other session of it ends, and accepting verifies the
-- email (the token came by mail). A verified account: p_current_hash (bcrypt
-- of the password typed, with app.invitation_salt) must match, or
-- p_bearer_session / p_bearer_secret_hash must name a live session of it;
-- its password and sessions stay.
CREATE OR REPLACE FUNCTION app.accept_invitation(
  p_token_hash bytea, p_name text, p_password_hash text, p_current_hash text,
  p_bearer_session uuid, p_bearer_secret_hash bytea,
  p_session_id uuid, p_secret_hash bytea, p_refresh_hash bytea, p_lifetime interval)
RETURNS TABLE (status text, user_id uuid, tenant_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_inv invitations;
  v_user users;
  v_keys text[];
  v_verified boolean;
BEGIN
  SELECT * INTO v_inv FROM invitations i
   WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
   FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid;
    RETURN;
  END IF;
  SELECT * INTO v_user FROM users u WHERE lower(u.email) = v_inv.email;
  v_verified := v_user.id IS NOT NULL AND v_user.email_verified_at IS NOT NULL;
  IF v_verified THEN
    IF NOT (app.bcrypt_matches(app.password_hash_of(v_user.id), p_current_hash)
            OR EXISTS (SELECT 1 FROM sessions s
                        WHERE s.id = p_bearer_session AND s.user_id IS NOT DISTINCT FROM v_user.id AND s.secret_hash = p_bearer_secret_hash
                          AND s.revoked_at IS NULL AND s.expires_at > now())) THEN
      RETURN QUERY SELECT 'sign_in_required'::text, NULL::uuid, NULL::uuid;
      RETURN;
    END IF;
  ELSE
    IF p_password_hash IS NULL OR app.bcrypt_salt(p_password_hash) IS NULL THEN
      RETURN QUERY SELECT 'password_required'::text, NULL::uuid, NULL::uuid;
      RETURN;
    END IF;
    IF v_user.id IS NULL AND (p_name IS NULL OR btrim(p_name) = '') THEN
      RETURN QUERY SELECT 'name_required'::text, NULL::uuid, NULL::uuid;
      RETURN;
    END IF;
  END IF;
  IF v_user.id IS NOT NULL AND EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = v_inv.tenant_id AND m.user_id = v_user.id) THEN
    RETURN QUERY SELECT 'member'::text, NULL::uuid, NULL::uuid;
    RETURN;
  END IF;
  -- The escalation rule again: the inviter, still an active member, must
  -- still hold every permission the invitation's roles carry.
  SELECT coalesce(array_agg(DISTINCT rp.permission_key), '{}') INTO v_keys
    FROM invitation_roles ir JOIN role_permissions rp ON rp.tenant_id = ir.tenant_id AND rp.role_id = ir.role_id
   WHERE ir.tenant_id = v_inv.tenant_id AND ir.invitation_id = v_inv.id;
  IF cardinality(v_keys) > 0 AND NOT coalesce((
       SELECT array_agg(DISTINCT rp.permission_key) @> v_keys
         FROM memberships m
         JOIN membership_roles mr ON mr.tenant_id = m.tenant_id AND mr.user_id = m.user_id
         JOIN role_permissions rp ON rp.tenant_id = mr.tenant_id AND rp.role_id = mr.role_id
        WHERE m.tenant_id = v_inv.tenant_id AND m.user_id = v_inv.invited_by AND m.active), false) THEN
    RETURN QUERY SELECT 'inviter_lacks'::text, NULL::uuid, NULL::uuid;
    RETURN;
  END IF;

  IF v_user.id IS NULL THEN
    INSERT INTO users (email, name, email_verified_at, home_tenant_id)
    VALUES (v_inv.email, btrim(p_name), now(), v_inv.tenant_id) RETURNING * INTO v_user;
    INSERT INTO app_private.user_secrets (user_id, password_hash) VALUES (v_user.id, p_password_hash);
  ELSIF NOT v_verified THEN
    -- Whoever held the unverified account before the mailbox's owner accepted loses it.
    UPDATE app_private.user_secrets us SET password_hash = p_password_hash, updated_at = now() WHERE us.user_id = v_user.id;
    UPDATE sessions s SET revoked_at = now(), revoked_reason = 'invitation_accepted'
     WHERE s.user_id = v_user.id AND s.revoked_at IS NULL;
    UPDATE users u SET email_verified_at = now() WHERE u.id = v_user.id;
  END IF;
  -- The new member is the actor of what is audited below.
  PERFORM set_config('app.user_id', v_user.id::text, true);
  INSERT INTO memberships (tenant_id, user_id) VALUES (v_inv.tenant_id, v_user.id);
  INSERT INTO membership_roles (tenant_id, user_id, role_id)
  SELECT v_inv.tenant_id, v_user.id, ir.role_id FROM invitation_roles ir
   WHERE ir.tenant_id = v_inv.tenant_id AND ir.invitation_id = v_inv.id;
  UPDATE invitations i SET accepted_at = now() WHERE i.tenant_id = v_inv.tenant_id AND i.id = v_inv.id;
  INSERT INTO app_private.login_attempts (email, user_id, tenant_id, succeeded) VALUES (v_inv.email, v_user.id, v_inv.tenant_id, true);
  PERFORM app.start_session(p_session_id, v_user.id, v_inv.tenant_id, p_secret_hash, p_refresh_hash, p_lifetime,
                            'auth.invitation_accepted');
  RETURN QUERY SELECT 'ok'::text, v_user.id, v_inv.tenant_id;
END
$$;
COMMENT ON FUNCTION app.accept_invitation(bytea, text, text, text, uuid, bytea, uuid, bytea, bytea, interval) IS
  'Accepts an invitation: a new or unverified account sets its password (ending its other sessions) and is verified; '
  'a verified account proves itself with its current password or a live session. Adds the membership with the '
  'invitation''s roles if the inviter still holds them, and opens a session.';

REVOKE ALL ON FUNCTION app.create_invitation(text, uuid[], text), app.revoke_invitation(uuid),
  app.lookup_invitation(bytea), app.invitation_salt(bytea),
  app.accept_invitation(bytea, text, text, text, uuid, bytea, uuid, bytea, bytea, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.create_invitation(text, uuid[], text), app.revoke_invitation(uuid),
  app.lookup_invitation(bytea), app.invitation_salt(bytea),
  app.accept_invitation(bytea, text, text, text, uuid, bytea, uuid, bytea, bytea, interval) TO tenet_api;
