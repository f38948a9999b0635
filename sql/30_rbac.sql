-- ============================================================================
-- RBAC guards, enforced by the database whatever the API does:
--   * no privilege escalation: to grant or revoke a permission on a role, or
--     to assign or unassign a role, or to deactivate or remove a member, the
--     acting user must hold every permission involved;
--   * the last owner of a tenant cannot be removed, deactivated or demoted;
--   * system roles are read-only; a role still assigned cannot be deleted.
-- The guards bind every role but the tables' owner (migrations, SECURITY
-- DEFINER functions such as signup, and RI cascades run as the owner).
-- Errors use SQLSTATE TN403 / TN409 with messages meant for clients.
-- ============================================================================

-- Whether the current role acts with the table owner's privileges (the owner
-- itself, or a superuser).
CREATE OR REPLACE FUNCTION app.acting_as_owner(tbl regclass) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_catalog.pg_class c WHERE c.oid = tbl
$$;
COMMENT ON FUNCTION app.acting_as_owner(regclass) IS
  'Whether the current role owns the table: the owner''s SECURITY DEFINER functions pass the guards (they check on their own).';

-- Whether the request context holds every permission in the list.
CREATE OR REPLACE FUNCTION app.holds_all(perms text[]) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT coalesce(perms, '{}') <@ app.current_permissions()
$$;
COMMENT ON FUNCTION app.holds_all(text[]) IS
  'Whether the request context holds every one of the given permission keys.';

-- The permissions of a role / a member of the *current* tenant (empty for
-- anything outside it): the API role may call them, they reveal nothing of
-- other tenants.
DROP FUNCTION IF EXISTS app.role_permission_keys(uuid, uuid);
DROP FUNCTION IF EXISTS app.member_permission_keys(uuid, uuid);
CREATE OR REPLACE FUNCTION app.role_permission_keys(p_role uuid) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT coalesce(array_agg(permission_key), '{}') FROM role_permissions
   WHERE tenant_id = app.current_tenant_id() AND role_id = p_role
$$;
COMMENT ON FUNCTION app.role_permission_keys(uuid) IS
  'Permission keys of a role of the current tenant.';

CREATE OR REPLACE FUNCTION app.member_permission_keys(p_user uuid) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT coalesce(array_agg(DISTINCT rp.permission_key), '{}')
    FROM membership_roles mr JOIN role_permissions rp ON rp.tenant_id = mr.tenant_id AND rp.role_id = mr.role_id
   WHERE mr.tenant_id = app.current_tenant_id() AND mr.user_id = p_user
$$;
COMMENT ON FUNCTION app.member_permission_keys(uuid) IS
  'Permission keys a member holds through their roles in the current tenant (used by the escalation guards).';

-- Roles handed out by invitation or API key pass the escalation rule: each
-- must be a role of the tenant (TN422) whose every permission the request
-- context holds (TN403 with the caller's message). Internal: called by
-- app.create_invitation and app.create_api_key.
CREATE OR REPLACE FUNCTION app.check_grantable_roles(p_tenant uuid, p_role_ids uuid[], p_refusal text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(coalesce(p_role_ids, '{}')) r(role_id)
              WHERE NOT EXISTS (SELECT 1 FROM roles x WHERE x.tenant_id = p_tenant AND x.id = r.role_id)) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'unknown role';
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(coalesce(p_role_ids, '{}')) r(role_id)
              WHERE NOT app.covers_role(r.role_id)) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN403', MESSAGE = p_refusal;
  END IF;
END
$$;
COMMENT ON FUNCTION app.check_grantable_roles(uuid, uuid[], text) IS
  'Raises TN422 for a role outside the tenant and TN403 for a role holding a permission the request context lacks '
  '(the escalation rule for invitations and API keys).';
REVOKE ALL ON FUNCTION app.check_grantable_roles(uuid, uuid[], text) FROM PUBLIC;

-- Whether a role of the current tenant is assigned to anyone (whether or not
-- the caller may read the assignments).
CREATE OR REPLACE FUNCTION app.role_is_assigned(p_role uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM membership_roles WHERE tenant_id = app.current_tenant_id() AND role_id = p_role)
$$;
COMMENT ON FUNCTION app.role_is_assigned(uuid) IS
  'Whether a role of the current tenant is assigned to any member.';

-- Serialises changes that could remove a tenant's last owner: two owners
-- demoting each other concurrently must not both succeed. The lock is held
-- until commit; the AFTER check then sees the other transaction's result.
CREATE OR REPLACE FUNCTION app.lock_tenant_owners(p_tenant uuid) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT pg_advisory_xact_lock(hashtextextended('tenet.owners:' || p_tenant::text, 0))
$$;
COMMENT ON FUNCTION app.lock_tenant_owners(uuid) IS
  'Takes the per-tenant advisory lock that serialises changes to who is an owner.';

-- Whether a tenant still has an active member holding the system role owner.
CREATE OR REPLACE FUNCTION app.tenant_has_owner(p_tenant uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT NOT EXISTS (SELECT 1 FROM tenants WHERE id = p_tenant)  -- the tenant itself is being deleted
      OR EXISTS (
        SELECT 1
          FROM memberships m
          JOIN membership_roles mr ON mr.tenant_id = m.tenant_id AND mr.user_id = m.user_id
          JOIN roles r ON r.tenant_id = mr.tenant_id AND r.id = mr.role_id
         WHERE m.tenant_id = p_tenant AND m.active AND r.system AND r.name = 'owner')
$$;
COMMENT ON FUNCTION app.tenant_has_owner(uuid) IS
  'Whether the tenant still has an active owner (checked after changes, under app.lock_tenant_owners).';

-- The escalation checks run BEFORE each row changes, so they judge the actor
-- by what they held before the statement (an actor granting themselves a role
-- must not pass because the grant itself gave them the permissions).

-- ---------------------------------------------------------------------------
-- role_permissions: grant or revoke only what you hold.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.guard_role_permissions() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  r role_permissions := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
BEGIN
  IF TG_OP = 'INSERT' AND r.scope <> 'all' AND NOT EXISTS (SELECT 1 FROM permissions WHERE key = r.permission_key AND scopable) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = format('The permission %s takes no scope but all.', r.permission_key);
  END IF;
  IF app.acting_as_owner(TG_RELID) THEN
    RETURN r;
  END IF;
  -- System roles are read-only: this trigger is the one place that says so
  -- for their permissions (app.guard_roles for the roles themselves).
  IF EXISTS (SELECT 1 FROM roles WHERE tenant_id = r.tenant_id AND id = r.role_id AND system) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'System roles are read-only.';
  END IF;
  -- The scope counts (sql/32_record_access.sql): holding contacts:read with
  -- scope team does not let one grant it with scope all.
  IF NOT app.covers_grant(r.permission_key, r.scope) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN403',
      MESSAGE = CASE WHEN r.scope = 'all'
                THEN format('You cannot grant or revoke the permission %s, which you do not hold.', r.permission_key)
                ELSE format('You cannot grant or revoke the permission %s with scope %s, which you do not hold.', r.permission_key, r.scope) END;
  END IF;
  -- Granting a read permission shows the role's members every field of the
  -- resource it does not hide: the actor must see those fields.
  IF TG_OP = 'INSERT' AND EXISTS (
       SELECT 1 FROM hideable_fields h
        WHERE h.resource || ':read' = r.permission_key
          AND h.field = ANY (app.hidden_fields(h.resource))
          AND NOT EXISTS (SELECT 1 FROM role_hidden_fields x WHERE x.tenant_id = r.tenant_id AND x.role_id = r.role_id AND x.field_key = h.key)) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN403',
      MESSAGE = format('You cannot grant %s without hiding the fields that are hidden from you.', r.permission_key);
  END IF;
  RETURN r;
END
$$;
COMMENT ON FUNCTION app.guard_role_permissions() IS
  'Trigger: only scopable permissions take a scope (TN422); system roles'' permissions are read-only (TN409); nobody '
  'grants or revokes a permission they do not hold with at least its scope, nor shows fields hidden from them (TN403).';


-- ---------------------------------------------------------------------------
-- membership_roles: assign or unassign only roles whose permissions you hold
-- (before); never leave a tenant without an owner (after).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.guard_membership_roles() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  r membership_roles := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
BEGIN
  IF TG_WHEN = 'BEFORE' THEN
    IF TG_OP = 'DELETE' THEN
      PERFORM app.lock_tenant_owners(r.tenant_id);
    END IF;
    IF NOT app.acting_as_owner(TG_RELID) AND NOT app.covers_role(r.role_id) THEN
      RAISE EXCEPTION USING ERRCODE = 'TN403',
        MESSAGE = 'You cannot assign or unassign a role holding permissions you do not hold.';
    END IF;
    RETURN r;
  END IF;
  IF TG_OP = 'DELETE' AND NOT app.tenant_has_owner(r.tenant_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'The last owner cannot be removed, deactivated or demoted.';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.guard_membership_roles() IS
  'Trigger: nobody assigns or unassigns a role holding permissions they lack (TN403); the last owner stays (TN409).';


-- ---------------------------------------------------------------------------
-- memberships: deactivate or remove only members whose permissions you hold;
-- never the last owner.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.guard_memberships() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.active IS NOT DISTINCT FROM OLD.active THEN
    RETURN CASE TG_WHEN WHEN 'BEFORE' THEN NEW END;
  END IF;
  IF TG_WHEN = 'BEFORE' THEN
    PERFORM app.lock_tenant_owners(OLD.tenant_id);
    -- Before the change (and before cascades drop the member's roles).
    IF NOT app.acting_as_owner(TG_RELID) AND NOT app.holds_all(app.member_permission_keys(OLD.user_id)) THEN
      RAISE EXCEPTION USING ERRCODE = 'TN403',
        MESSAGE = 'You cannot change a member who holds permissions you do not hold.';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF NOT app.tenant_has_owner(OLD.tenant_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'The last owner cannot be removed, deactivated or demoted.';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.guard_memberships() IS
  'Trigger: deactivating or removing a member needs every permission they hold (TN403); the last owner stays (TN409).';


-- ---------------------------------------------------------------------------
-- roles: system roles are read-only; assigned roles cannot be deleted.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.guard_roles() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF app.acting_as_owner(TG_RELID) THEN
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'INSERT' AND NEW.system THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'System roles cannot be created.';
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.system THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'System roles are read-only.';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.system IS DISTINCT FROM OLD.system THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'A role cannot become a system role.';
  END IF;
  IF TG_OP = 'DELETE' AND app.role_is_assigned(OLD.id) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'The role is still assigned to members.';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION app.guard_roles() IS
  'Trigger: system roles are read-only and cannot be created; a role still assigned cannot be deleted (TN409).';


-- ---------------------------------------------------------------------------
-- Adding a member: the account is found by email or created; an existing
-- account's password and name are never changed.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.find_or_create_user(p_email text, p_name text, p_password_hash text, p_verify_token text DEFAULT NULL)
RETURNS TABLE (user_id uuid, created boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_id uuid;
  v_tenant uuid := app.require_context();
BEGIN
  IF NOT app.has_permission('users:manage') THEN
    RAISE EXCEPTION USING ERRCODE = 'TN403', MESSAGE = 'This action requires the permission users:manage.';
  END IF;
  IF p_email IS NULL OR p_password_hash IS NULL OR p_password_hash !~ '^\$2[abxy]\$' THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid account';
  END IF;
  -- An existing account is not answered (not even its id): it joins only by
  -- accepting an invitation (app.create_invitation).
  IF EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(btrim(p_email))) THEN
    RETURN QUERY SELECT NULL::uuid, false;
    RETURN;
  END IF;
  INSERT INTO users (email, name, home_tenant_id) VALUES (btrim(p_email), btrim(p_name), v_tenant) RETURNING id INTO v_id;
  INSERT INTO app_private.user_secrets (user_id, password_hash) VALUES (v_id, p_password_hash);
  IF p_verify_token IS NOT NULL THEN
    PERFORM app.issue_email_verification(v_id, p_verify_token);
  END IF;
  -- The membership too: the API role cannot insert memberships itself, so no
  -- account joins a tenant but a new one here or by accepting an invitation.
  INSERT INTO memberships (tenant_id, user_id) VALUES (v_tenant, v_id);
  RETURN QUERY SELECT v_id, true;
END
$$;
COMMENT ON FUNCTION app.find_or_create_user(text, text, text, text) IS
  'POST /api/users: creates the account (with the given hash) and its membership in the caller''s tenant when the '
  'email has none, and answers its id; for an existing account answers NULL (it is invited instead). Needs users:manage.';

-- Renaming a global account: its holder, or a users:manage holder of the
-- only tenant the account belongs to (never across tenants).
CREATE OR REPLACE FUNCTION app.user_belongs_only_here(p_user uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = p_user AND tenant_id = app.current_tenant_id())
     AND NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = p_user AND tenant_id <> app.current_tenant_id())
$$;
COMMENT ON FUNCTION app.user_belongs_only_here(uuid) IS
  'Whether an account belongs to the current tenant and no other (a tenant may rename only such accounts).';

REVOKE ALL ON FUNCTION app.acting_as_owner(regclass), app.holds_all(text[]), app.role_permission_keys(uuid),
  app.member_permission_keys(uuid), app.role_is_assigned(uuid), app.lock_tenant_owners(uuid),
  app.tenant_has_owner(uuid), app.guard_role_permissions(), app.guard_membership_roles(), app.guard_memberships(),
  app.guard_roles(), app.find_or_create_user(text, text, text, text), app.user_belongs_only_here(uuid) FROM PUBLIC;
-- The guards run as the invoking role (so they can tell the owner from the
-- API), hence the helpers they call are executable by tenet_api.
GRANT EXECUTE ON FUNCTION app.acting_as_owner(regclass), app.holds_all(text[]), app.role_permission_keys(uuid),
  app.member_permission_keys(uuid), app.role_is_assigned(uuid), app.lock_tenant_owners(uuid),
  app.tenant_has_owner(uuid), app.find_or_create_user(text, text, text, text), app.user_belongs_only_here(uuid)
TO tenet_api;
