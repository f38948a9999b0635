-- ============================================================================
-- Record-level access: scopes, teams and hidden fields (issue 15).
--
-- A role grants a CRM permission with a scope (role_permissions.scope):
--   all   every record of the tenant;
--   team  records owned by the caller or by a member of one of the caller's
--         teams;
--   own   records owned by the caller (owner_id).
-- A member's scope for a permission is the widest their roles grant; an API
-- key's is the narrower of its own roles' and its creator's. Records without
-- an owner are reached only with scope all.
--
-- The policies of policies/companies.sql and policies/contacts.sql compile a
-- scope into
--     tenant_id = (SELECT app.tenant_with_permission('contacts:read'))
--     AND coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)
--         = ANY (coalesce((SELECT app.scope_owners('contacts:read')), ARRAY[coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)]))
-- (scope all, NULL: every row passes; otherwise the owner must be listed, and
-- an unowned row, the nil uuid, is not). Each sub-select is an InitPlan:
-- evaluated once per statement, then the per-row check is a comparison with
-- constants (no function call per row).
--
-- Hidden fields: a member sees a field of a resource while at least one of
-- their roles granting `<resource>:read` does not hide it
-- (role_hidden_fields); an API key only while both its roles and its creator
-- see it. The API role has no SELECT privilege on hideable columns: it reads
-- them through the masking views contacts_visible / companies_visible.
--
-- When a member leaves a tenant (the membership is deleted), the records they
-- owned (companies, contacts, deals, the notes they wrote and the tasks
-- assigned to them) pass to the member who removed them (the acting person of the
-- request); with no acting person (tenant deletion, an operator in psql, a
-- member removing themselves) they become unowned, which only scope-all
-- holders reach. A deactivated member keeps their records.
-- ============================================================================

-- The caller's scope for a permission: 'all', 'team', 'own', or NULL when the
-- context names no session of this user and tenant or does not hold the
-- permission. It does not check the session's secret, liveness or the
-- membership: it only narrows what app.tenant_with_permission lets through,
-- and every use ANDs it with that check (the policies, the search functions)
-- or runs where the statement already passed it (the escalation guards).
CREATE OR REPLACE FUNCTION app.permission_scope(p_permission text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_session uuid := app.setting_uuid('app.session_id');
  v_user uuid := app.setting_uuid('app.user_id');
  v_tenant uuid := app.setting_uuid('app.tenant_id');
  v_kind text;
  v_rank int;
  v_key_rank int;
BEGIN
  SELECT s.kind INTO v_kind FROM sessions s
   WHERE s.tenant_id = v_tenant AND s.id = v_session AND s.user_id IS NOT DISTINCT FROM v_user;  -- (sql/00_context.sql)
  IF v_kind IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT max(CASE rp.scope WHEN 'all' THEN 3 WHEN 'team' THEN 2 WHEN 'own' THEN 1 END) INTO v_rank
    FROM membership_roles mr
    JOIN role_permissions rp ON rp.tenant_id = mr.tenant_id AND rp.role_id = mr.role_id
   WHERE mr.tenant_id = v_tenant AND mr.user_id = v_user AND rp.permission_key = p_permission;
  IF v_kind <> 'login' THEN
    -- An API key: the narrower of its own roles' scope and its creator's
    -- (least() ignores NULLs: a key without the permission has none).
    SELECT max(CASE rp.scope WHEN 'all' THEN 3 WHEN 'team' THEN 2 WHEN 'own' THEN 1 END) INTO v_key_rank
      FROM api_key_roles kr
      JOIN role_permissions rp ON rp.tenant_id = kr.tenant_id AND rp.role_id = kr.role_id
     WHERE kr.tenant_id = v_tenant AND kr.api_key_id = v_session AND rp.permission_key = p_permission;
    v_rank := CASE WHEN v_key_rank IS NULL THEN NULL ELSE least(v_rank, v_key_rank) END;
  END IF;
  RETURN CASE v_rank WHEN 3 THEN 'all' WHEN 2 THEN 'team' WHEN 1 THEN 'own' END;
END
$$;
COMMENT ON FUNCTION app.permission_scope(text) IS
  'The scope (all, team, own) with which the request context''s session holds a permission: the widest of the member''s '
  'roles, for an API key the narrower of its roles'' and its creator''s; NULL without the permission. Narrows what '
  'app.tenant_with_permission lets through and does not validate the context itself.';

-- The caller and the members of the caller's teams (internal: called after
-- the context was validated).
CREATE OR REPLACE FUNCTION app.teammates(p_tenant uuid, p_user uuid) RETURNS uuid[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT array_agg(DISTINCT u) FROM (
    SELECT p_user AS u
    UNION ALL
    SELECT o.user_id
      FROM team_members t JOIN team_members o ON o.tenant_id = t.tenant_id AND o.team_id = t.team_id
     WHERE t.tenant_id = p_tenant AND t.user_id = p_user
  ) x
$$;
COMMENT ON FUNCTION app.teammates(uuid, uuid) IS
  'A member and every member of the teams they are in (internal to app.scope_owners and app.list_owners).';
REVOKE ALL ON FUNCTION app.teammates(uuid, uuid) FROM PUBLIC;

-- The owners whose records a permission reaches for the caller, as policies
-- use it: NULL = every record of the tenant (scope all); otherwise the owner
-- ids (own: the caller; team: the caller and their teammates); '{}' (nothing)
-- without a valid context or the permission. Policies always AND it with
-- tenant_id = (SELECT app.tenant_with_permission(...)), which is what
-- validates the context: so a tenant that grants the permission only with
-- scope all (no role narrows it) is answered NULL after one index probe,
-- without validating the context a second time.
CREATE OR REPLACE FUNCTION app.scope_owners(p_permission text) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.setting_uuid('app.tenant_id');
BEGIN
  IF v_tenant IS NOT NULL AND NOT EXISTS (SELECT 1 FROM role_permissions
                                           WHERE tenant_id = v_tenant AND permission_key = p_permission AND scope <> 'all') THEN
    RETURN NULL;
  END IF;
  RETURN CASE app.permission_scope(p_permission)
    WHEN 'all' THEN NULL
    WHEN 'team' THEN app.teammates(v_tenant, app.setting_uuid('app.user_id'))
    WHEN 'own' THEN ARRAY[app.setting_uuid('app.user_id')]
    ELSE '{}'::uuid[]
  END;
END
$$;
COMMENT ON FUNCTION app.scope_owners(text) IS
  'The owners whose records the permission reaches for the request context: NULL for scope all (every record of the '
  'tenant; at once when no role of the tenant narrows the permission), the caller for own, the caller and their '
  'teammates for team, none without a valid context or the permission. Always ANDed with app.tenant_with_permission, '
  'which validates the context.';

-- What a list walks: the owners of the list's filter ('me': the caller;
-- 'team': the caller and their teammates, narrowed by the scope), or NULL
-- for no filter. The rows are read through RLS, which applies the scope
-- anyway; narrowing the team filter by the scope only spares walking the
-- records of teammates an own-scope caller cannot read.
CREATE OR REPLACE FUNCTION app.list_owners(p_permission text, p_filter text) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_user uuid := app.setting_uuid('app.user_id');
  v_scope uuid[];
BEGIN
  IF p_filter = 'me' THEN
    RETURN ARRAY[v_user];
  ELSIF p_filter = 'team' THEN
    v_scope := app.scope_owners(p_permission);
    IF v_scope IS NOT NULL AND cardinality(v_scope) <= 1 THEN
      RETURN v_scope;
    END IF;
    RETURN app.teammates(app.setting_uuid('app.tenant_id'), v_user);
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.list_owners(text, text) IS
  'The owners a filtered list walks: me (the caller) or team (the caller and their teammates, no wider than the '
  'permission''s scope); NULL without a filter. The rows are still read through RLS.';

-- The fields of a resource hidden from the request context. Masking only
-- matters for rows the context can read, and RLS shows rows only to a valid
-- context, so this does not validate the session again: a tenant that hides
-- no field is answered '{}' after one index probe; otherwise the member's
-- roles decide (every hideable field without a known session: fail closed).
CREATE OR REPLACE FUNCTION app.hidden_fields(p_resource text) RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.setting_uuid('app.tenant_id');
  v_session uuid;
  v_user uuid;
  v_read text := p_resource || ':read';
  v_kind text;
  v_hidden text[];
BEGIN
  IF v_tenant IS NOT NULL AND NOT EXISTS (SELECT 1 FROM role_hidden_fields WHERE tenant_id = v_tenant) THEN
    RETURN '{}';
  END IF;
  v_session := app.setting_uuid('app.session_id');
  v_user := app.setting_uuid('app.user_id');
  SELECT s.kind INTO v_kind FROM sessions s
   WHERE s.tenant_id = v_tenant AND s.id = v_session AND s.user_id IS NOT DISTINCT FROM v_user;  -- (sql/00_context.sql)
  SELECT coalesce(array_agg(h.field ORDER BY h.field), '{}') INTO v_hidden
    FROM hideable_fields h
   WHERE h.resource = p_resource
     AND (v_kind IS NULL
          OR NOT EXISTS (SELECT 1
                           FROM membership_roles mr
                           JOIN role_permissions rp ON rp.tenant_id = mr.tenant_id AND rp.role_id = mr.role_id
                          WHERE mr.tenant_id = v_tenant AND mr.user_id = v_user AND rp.permission_key = v_read
                            AND NOT EXISTS (SELECT 1 FROM role_hidden_fields x
                                             WHERE x.tenant_id = mr.tenant_id AND x.role_id = mr.role_id AND x.field_key = h.key))
          OR (v_kind = 'api_key'
              AND NOT EXISTS (SELECT 1
                                FROM api_key_roles kr
                                JOIN role_permissions rp ON rp.tenant_id = kr.tenant_id AND rp.role_id = kr.role_id
                               WHERE kr.tenant_id = v_tenant AND kr.api_key_id = v_session AND rp.permission_key = v_read
                                 AND NOT EXISTS (SELECT 1 FROM role_hidden_fields x
                                                  WHERE x.tenant_id = kr.tenant_id AND x.role_id = kr.role_id AND x.field_key = h.key))));
  RETURN v_hidden;
END
$$;
COMMENT ON FUNCTION app.hidden_fields(text) IS
  'The field names of a resource hidden from the request context: those that every one of the caller''s roles granting '
  '<resource>:read hides (for an API key, also those its own roles hide); none at once in a tenant that hides nothing. '
  'It masks what RLS lets the context read, so it does not validate the context itself.';

-- ---------------------------------------------------------------------------
-- The escalation rule with scopes and fields: nobody grants more than they
-- hold. A grant (key, scope) is covered when the actor holds the key with at
-- least that scope; a role is covered when each of its grants is, and when
-- the actor sees every field the role shows.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.covers_grant(p_permission text, p_scope text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT coalesce((CASE app.permission_scope(p_permission) WHEN 'all' THEN 3 WHEN 'team' THEN 2 WHEN 'own' THEN 1 END)
                  >= (CASE p_scope WHEN 'all' THEN 3 WHEN 'team' THEN 2 WHEN 'own' THEN 1 END), false)
$$;
COMMENT ON FUNCTION app.covers_grant(text, text) IS
  'Whether the request context holds the permission with at least the given scope (the escalation rule).';

-- Fields a role of the current tenant would show to its members that the
-- actor cannot see.
CREATE OR REPLACE FUNCTION app.fields_beyond_actor(p_role uuid) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT coalesce(array_agg(h.key ORDER BY h.key), '{}')
    FROM hideable_fields h
    JOIN role_permissions rp ON rp.permission_key = h.resource || ':read'
   WHERE rp.tenant_id = app.current_tenant_id() AND rp.role_id = p_role
     AND NOT EXISTS (SELECT 1 FROM role_hidden_fields x WHERE x.tenant_id = rp.tenant_id AND x.role_id = p_role AND x.field_key = h.key)
     AND h.field = ANY (app.hidden_fields(h.resource))
$$;
COMMENT ON FUNCTION app.fields_beyond_actor(uuid) IS
  'The hideable fields a role shows its members that the request context itself cannot see.';

CREATE OR REPLACE FUNCTION app.covers_role(p_role uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT NOT EXISTS (SELECT 1 FROM role_permissions rp
                      WHERE rp.tenant_id = app.current_tenant_id() AND rp.role_id = p_role
                        AND NOT app.covers_grant(rp.permission_key, rp.scope))
     AND cardinality(app.fields_beyond_actor(p_role)) = 0
$$;
COMMENT ON FUNCTION app.covers_role(uuid) IS
  'Whether the request context holds every grant of a role with at least its scope and sees every field it shows '
  '(the escalation rule for assigning a role, inviting with it or giving it to an API key).';

-- ---------------------------------------------------------------------------
-- role_hidden_fields guard: system roles are read-only; hiding is always
-- allowed to a roles:manage holder (RLS), showing a field again only to who
-- sees it.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.guard_role_hidden_fields() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  r role_hidden_fields := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
  v_field hideable_fields;
BEGIN
  IF app.acting_as_owner(TG_RELID) THEN
    RETURN r;
  END IF;
  IF EXISTS (SELECT 1 FROM roles WHERE tenant_id = r.tenant_id AND id = r.role_id AND system) THEN
    RAISE EXCEPTION USING ERRCODE = 'TN409', MESSAGE = 'System roles are read-only.';
  END IF;
  IF TG_OP = 'DELETE' THEN
    SELECT * INTO v_field FROM hideable_fields WHERE key = r.field_key;
    IF v_field.field = ANY (app.hidden_fields(v_field.resource)) THEN
      RAISE EXCEPTION USING ERRCODE = 'TN403',
        MESSAGE = format('You cannot show the field %s, which is hidden from you.', r.field_key);
    END IF;
  END IF;
  RETURN r;
END
$$;
COMMENT ON FUNCTION app.guard_role_hidden_fields() IS
  'Trigger: system roles are read-only (TN409); nobody shows a field again that is hidden from them (TN403).';

-- ---------------------------------------------------------------------------
-- A leaving member's records pass to the person removing them (see above).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.reassign_leaving_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_actor uuid;
BEGIN
  IF app.current_tenant_id() IS NOT DISTINCT FROM OLD.tenant_id THEN
    v_actor := app.current_user_id();
  END IF;
  IF v_actor IS NOT NULL AND v_actor <> OLD.user_id THEN
    UPDATE companies SET owner_id = v_actor WHERE tenant_id = OLD.tenant_id AND owner_id = OLD.user_id;
    UPDATE contacts SET owner_id = v_actor WHERE tenant_id = OLD.tenant_id AND owner_id = OLD.user_id;
    UPDATE deals SET owner_id = v_actor WHERE tenant_id = OLD.tenant_id AND owner_id = OLD.user_id;
    UPDATE notes SET owner_id = v_actor WHERE tenant_id = OLD.tenant_id AND owner_id = OLD.user_id;
    UPDATE tasks SET assignee_id = v_actor WHERE tenant_id = OLD.tenant_id AND assignee_id = OLD.user_id;
  END IF;
  -- Otherwise the foreign keys' ON DELETE SET NULL leaves them unowned.
  RETURN OLD;
END
$$;
COMMENT ON FUNCTION app.reassign_leaving_owner() IS
  'Trigger: the records a leaving member owned pass to the person removing them (audited as their change); without '
  'an acting person the foreign keys leave them unowned (reached only with scope all).';

-- ---------------------------------------------------------------------------
-- The masking views (contacts_visible, companies_visible, audit_log_visible
-- in policies/) belong to tenet_field_reader. PostgreSQL lets a role create
-- or replace a view of another owner, and hand one over, only while it is a
-- member of that owner and the owner may CREATE in the schema: these two
-- calls bracket a view's statements in its policies file, so nobody holds
-- tenet_field_reader outside them. Owner-only (run by tenet migrate).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.masking_view_begin() RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  EXECUTE format('GRANT tenet_field_reader TO %I', current_user);
  GRANT CREATE ON SCHEMA public TO tenet_field_reader;
END
$$;
COMMENT ON FUNCTION app.masking_view_begin() IS
  'Migrations only: lets the migration owner create or replace a masking view owned by tenet_field_reader (until app.masking_view_end).';

CREATE OR REPLACE FUNCTION app.masking_view_end(p_view regclass) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  EXECUTE format('ALTER VIEW %s OWNER TO tenet_field_reader', p_view);
  REVOKE CREATE ON SCHEMA public FROM tenet_field_reader;
  EXECUTE format('REVOKE tenet_field_reader FROM %I', current_user);
END
$$;
COMMENT ON FUNCTION app.masking_view_end(regclass) IS
  'Migrations only: gives the masking view to tenet_field_reader and takes back what app.masking_view_begin granted.';
REVOKE ALL ON FUNCTION app.masking_view_begin(), app.masking_view_end(regclass) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.permission_scope(text), app.scope_owners(text), app.list_owners(text, text),
  app.hidden_fields(text), app.covers_grant(text, text), app.fields_beyond_actor(uuid), app.covers_role(uuid),
  app.guard_role_hidden_fields(), app.reassign_leaving_owner() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.permission_scope(text), app.scope_owners(text), app.list_owners(text, text),
  app.hidden_fields(text), app.covers_grant(text, text), app.fields_beyond_actor(uuid), app.covers_role(uuid)
TO tenet_api;
-- The masking views and the policies they pass through run as their owner.
GRANT USAGE ON SCHEMA app TO tenet_field_reader;
GRANT EXECUTE ON FUNCTION app.setting_uuid(text), app.tenant_with_permission(text), app.scope_owners(text),
  app.hidden_fields(text) TO tenet_field_reader;
