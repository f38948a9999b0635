-- ============================================================================
-- Helpers of the pgTAP suite (tests/sql/*.sql), installed by scripts/pgtap
-- as the superuser into schema `tests` of the throw-away test database.
--
-- Fixtures are created inside each test file's transaction (and so rolled
-- back with it); this file only defines how. Everything that knows how
-- tenants, accounts and sessions are made lives here, so that a change of
-- the authentication tables touches one file. What the helpers rely on:
--   app.create_tenant_with_owner(name, email, name, bcrypt hash)
--   app.find_or_create_user(email, name, bcrypt hash) (accounts)
--   memberships(tenant_id, user_id, active), membership_roles, roles(name)
--   sessions(id, user_id, tenant_id, refresh_token_hash, secret_hash, expires_at)
--   app.current_tenant_id()'s rule: secret_hash = sha256(convert_to(secret, 'UTF8'))
--
-- Names: fixtures are registered under short keys ([a-z0-9_]) in
-- transaction-local settings (tests.t_<key>, tests.u_<key>, ...), so any
-- role, including tenet_api, can look their ids up with tests.tenant_id(key),
-- tests.user_id(key), tests.session_id(user, tenant) inside SQL strings.
--
-- Every helper is SECURITY INVOKER: it can do only what its caller can. The
-- ones that create fixtures first return to the session's (superuser) role.
-- ============================================================================
CREATE SCHEMA tests;
COMMENT ON SCHEMA tests IS 'Helpers of the pgTAP suite (tests/sql). Test databases only.';

-- ---------------------------------------------------------------------------
-- Registry of fixture ids.
-- ---------------------------------------------------------------------------
CREATE FUNCTION tests.remember(p_kind text, p_key text, p_id uuid) RETURNS uuid
LANGUAGE plpgsql AS $$
BEGIN
  IF p_key !~ '^[a-z0-9_]+$' THEN
    RAISE EXCEPTION 'fixture key % must match [a-z0-9_]+', p_key;
  END IF;
  PERFORM pg_catalog.set_config('tests.' || p_kind || '_' || p_key, p_id::text, true);
  RETURN p_id;
END
$$;

CREATE FUNCTION tests.lookup(p_kind text, p_key text) RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v text := nullif(pg_catalog.current_setting('tests.' || p_kind || '_' || p_key, true), '');
BEGIN
  IF v IS NULL THEN
    RAISE EXCEPTION 'no fixture %_% in this transaction', p_kind, p_key;
  END IF;
  RETURN v::uuid;
END
$$;

CREATE FUNCTION tests.tenant_id(p_key text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT tests.lookup('t', p_key) $$;
CREATE FUNCTION tests.user_id(p_key text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT tests.lookup('u', p_key) $$;
CREATE FUNCTION tests.session_id(p_user text, p_tenant text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT tests.lookup('s', p_user || '__' || p_tenant) $$;
CREATE FUNCTION tests.role_id(p_tenant text, p_role text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT tests.lookup('r', p_tenant || '__' || p_role) $$;
CREATE FUNCTION tests.company_id(p_key text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT tests.lookup('c', p_key) $$;
CREATE FUNCTION tests.contact_id(p_key text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT tests.lookup('p', p_key) $$;

-- The secret of a session, as the server derives it (any fixed function of
-- the session id will do: only its SHA-256 is stored).
CREATE FUNCTION tests.secret(p_session uuid) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'ssec-' || p_session::text $$;

-- A bcrypt-shaped hash: never compared in these tests.
CREATE FUNCTION tests.password_hash() RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT '$2b$04$' || repeat('x', 53) $$;

-- ---------------------------------------------------------------------------
-- Switching between the superuser (fixtures, checks behind RLS) and the API
-- role with a request context.
-- ---------------------------------------------------------------------------
-- Back to the session user, without any request context.
CREATE FUNCTION tests.as_superuser() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_catalog.set_config('role', 'none', true);
  PERFORM pg_catalog.set_config('app.' || s, '', true)
     FROM unnest(ARRAY['tenant_id', 'user_id', 'session_id', 'session_secret']) s;
END
$$;

-- The API role with exactly the given context, as src/db/scope.rs sets it
-- (NULL: the setting is left empty, i.e. missing).
CREATE FUNCTION tests.set_context(p_tenant text, p_user text, p_session text, p_secret text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_catalog.set_config('role', 'none', true);
  PERFORM pg_catalog.set_config('app.tenant_id', coalesce(p_tenant, ''), true),
          pg_catalog.set_config('app.user_id', coalesce(p_user, ''), true),
          pg_catalog.set_config('app.session_id', coalesce(p_session, ''), true),
          pg_catalog.set_config('app.session_secret', coalesce(p_secret, ''), true),
          pg_catalog.set_config('app.request_id', 'pgtap', true);
  PERFORM pg_catalog.set_config('role', 'tenet_api', true);
END
$$;

-- The API role with nothing set at all.
CREATE FUNCTION tests.as_anonymous() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tests.as_superuser();
  PERFORM pg_catalog.set_config('role', 'tenet_api', true);
END
$$;

-- ---------------------------------------------------------------------------
-- Fixtures (run as the superuser, whatever role calls them).
-- ---------------------------------------------------------------------------
-- A tenant with its four system roles and its owner, registered as tenant
-- <key> and user <key>_owner; its roles as tests.role_id(<key>, <name>).
CREATE FUNCTION tests.create_tenant(p_key text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  PERFORM tests.as_superuser();
  SELECT * INTO r
    FROM app.create_tenant_with_owner('Tenant ' || p_key, p_key || '_owner@pgtap.test', 'Owner of ' || p_key,
                                      tests.password_hash());
  PERFORM tests.remember('t', p_key, r.tenant_id);
  PERFORM tests.remember('u', p_key || '_owner', r.user_id);
  PERFORM tests.remember('r', p_key || '__' || ro.name, ro.id) FROM public.roles ro WHERE ro.tenant_id = r.tenant_id;
  PERFORM pg_catalog.set_config('app.user_id', '', true);
  RETURN r.tenant_id;
END
$$;

-- <user> joins tenant <tenant> with the named roles (system or custom). The
-- account (<user>@pgtap.test) is made on first use the way the API makes it,
-- by app.find_or_create_user under the tenant owner's context, so these
-- tests do not depend on where password hashes are kept.
CREATE FUNCTION tests.add_member(p_tenant text, p_user text, p_roles text[] DEFAULT '{}', p_active boolean DEFAULT true)
RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_user uuid := nullif(pg_catalog.current_setting('tests.u_' || p_user, true), '')::uuid;
  v_tenant uuid := tests.tenant_id(p_tenant);
  v_session uuid;
  v_missing text[];
BEGIN
  PERFORM tests.as_superuser();
  IF v_user IS NULL THEN
    v_session := tests.live_session(p_tenant || '_owner', p_tenant);
    PERFORM pg_catalog.set_config('app.tenant_id', v_tenant::text, true),
            pg_catalog.set_config('app.user_id', tests.user_id(p_tenant || '_owner')::text, true),
            pg_catalog.set_config('app.session_id', v_session::text, true),
            pg_catalog.set_config('app.session_secret', tests.secret(v_session), true);
    SELECT f.user_id INTO v_user FROM app.find_or_create_user(p_user || '@pgtap.test', 'User ' || p_user, tests.password_hash()) f;
    PERFORM tests.remember('u', p_user, v_user);
    PERFORM tests.as_superuser();
  END IF;
  -- app.find_or_create_user already made a new account a member of the
  -- tenant whose context it ran in; other tenants get the row here.
  INSERT INTO public.memberships (tenant_id, user_id, active) VALUES (v_tenant, v_user, p_active)
  ON CONFLICT (tenant_id, user_id) DO NOTHING;
  IF NOT p_active THEN
    UPDATE public.memberships SET active = false WHERE tenant_id = v_tenant AND user_id = v_user;
  END IF;
  INSERT INTO public.membership_roles (tenant_id, user_id, role_id)
  SELECT v_tenant, v_user, r.id FROM public.roles r WHERE r.tenant_id = v_tenant AND r.name = ANY (p_roles);
  SELECT array_agg(n) INTO v_missing FROM unnest(p_roles) n
   WHERE NOT EXISTS (SELECT 1 FROM public.roles r WHERE r.tenant_id = v_tenant AND r.name = n);
  IF v_missing IS NOT NULL THEN
    RAISE EXCEPTION 'tenant % has no roles %', p_tenant, v_missing;
  END IF;
  RETURN v_user;
END
$$;

-- A custom role of tenant <tenant> with the given permissions.
CREATE FUNCTION tests.create_role(p_tenant text, p_name text, p_permissions text[] DEFAULT '{}') RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_tenant uuid := tests.tenant_id(p_tenant);
  v uuid;
BEGIN
  PERFORM tests.as_superuser();
  INSERT INTO public.roles (tenant_id, name, description) VALUES (v_tenant, p_name, 'custom role ' || p_name)
  RETURNING id INTO v;
  INSERT INTO public.role_permissions (tenant_id, role_id, permission_key)
  SELECT v_tenant, v, unnest(p_permissions);
  RETURN tests.remember('r', p_tenant || '__' || p_name, v);
END
$$;

-- A live session of <user> in <tenant> (expiring after p_lifetime; a
-- negative lifetime makes an expired one). Registered as (user, tenant):
-- the latest one opened wins.
CREATE FUNCTION tests.open_session(p_user text, p_tenant text, p_lifetime interval DEFAULT '1 hour') RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v uuid := gen_random_uuid();
BEGIN
  PERFORM tests.as_superuser();
  INSERT INTO public.sessions (id, user_id, tenant_id, refresh_token_hash, secret_hash, expires_at)
  VALUES (v, tests.user_id(p_user), tests.tenant_id(p_tenant),
          sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
          sha256(convert_to(tests.secret(v), 'UTF8')),
          now() + p_lifetime);
  RETURN tests.remember('s', p_user || '__' || p_tenant, v);
END
$$;

-- The registered session of <user> in <tenant>, opened on first use.
CREATE FUNCTION tests.live_session(p_user text, p_tenant text) RETURNS uuid
LANGUAGE sql AS $$
  SELECT coalesce(nullif(pg_catalog.current_setting('tests.s_' || p_user || '__' || p_tenant, true), '')::uuid,
                  tests.open_session(p_user, p_tenant))
$$;

-- Acts as <user> in <tenant> through a live session of theirs (opened on
-- first use), with its secret: what an authenticated request does.
CREATE FUNCTION tests.authenticate(p_user text, p_tenant text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v uuid := tests.live_session(p_user, p_tenant);
BEGIN
  PERFORM tests.set_context(tests.tenant_id(p_tenant)::text, tests.user_id(p_user)::text, v::text, tests.secret(v));
END
$$;

-- The shared buffers a statement reads (hit or read), its nested queries
-- included: EXPLAIN (ANALYZE, BUFFERS) counts what a function it calls reads.
-- The statement runs once before, so that its plans (and those of the
-- functions it calls) are made and the catalog they read is not counted.
CREATE FUNCTION tests.buffers(p_statement text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_plan json;
BEGIN
  EXECUTE p_statement;
  EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ' || p_statement INTO v_plan;
  RETURN (v_plan -> 0 -> 'Plan' ->> 'Shared Hit Blocks')::int + (v_plan -> 0 -> 'Plan' ->> 'Shared Read Blocks')::int;
END
$$;

-- A company / contact of <tenant>, inserted by the superuser.
CREATE FUNCTION tests.create_company(p_tenant text, p_key text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v uuid;
BEGIN
  PERFORM tests.as_superuser();
  INSERT INTO public.companies (tenant_id, name, domain) VALUES (tests.tenant_id(p_tenant), 'Company ' || p_key, p_key || '.example')
  RETURNING id INTO v;
  RETURN tests.remember('c', p_key, v);
END
$$;

CREATE FUNCTION tests.create_contact(p_tenant text, p_key text, p_company text DEFAULT NULL) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v uuid;
BEGIN
  PERFORM tests.as_superuser();
  INSERT INTO public.contacts (tenant_id, first_name, last_name, email, company_id)
  VALUES (tests.tenant_id(p_tenant), 'Contact', p_key, p_key || '@contacts.example',
          CASE WHEN p_company IS NOT NULL THEN tests.company_id(p_company) END)
  RETURNING id INTO v;
  RETURN tests.remember('p', p_key, v);
END
$$;

-- The standard world of most files: tenants a and b, each with an owner and
-- one member per other system role (<t>_admin, <t>_member, <t>_viewer), a
-- custom role `sales` (companies:read, contacts:read) held by <t>_sales,
-- two companies and two contacts in a (a1, a2; ca1 at a1, ca2) and one of
-- each in b (b1, cb1).
CREATE FUNCTION tests.create_world() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['a', 'b'] LOOP
    PERFORM tests.create_tenant(t);
    PERFORM tests.add_member(t, t || '_admin', ARRAY['admin']);
    PERFORM tests.add_member(t, t || '_member', ARRAY['member']);
    PERFORM tests.add_member(t, t || '_viewer', ARRAY['viewer']);
    PERFORM tests.create_role(t, 'sales', ARRAY['companies:read', 'contacts:read']);
    PERFORM tests.add_member(t, t || '_sales', ARRAY['sales']);
  END LOOP;
  PERFORM tests.create_company('a', 'a1'), tests.create_company('a', 'a2'), tests.create_company('b', 'b1');
  PERFORM tests.create_contact('a', 'ca1', 'a1'), tests.create_contact('a', 'ca2'), tests.create_contact('b', 'cb1', 'b1');
END
$$;

-- ---------------------------------------------------------------------------
-- Assertion helpers.
-- ---------------------------------------------------------------------------
-- Runs a statement and answers how many rows it affected (RLS filters
-- UPDATE and DELETE silently: 0 rows, no error).
CREATE FUNCTION tests.affected(p_sql text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE p_sql;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

-- How many rows of each table the current role and context can read.
CREATE FUNCTION tests.visible_rows() RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  t text;
  n bigint;
  result jsonb := '{}';
BEGIN
  FOREACH t IN ARRAY ARRAY['tenants', 'users', 'memberships', 'roles', 'role_permissions', 'membership_roles',
                           'permissions', 'sessions', 'companies', 'contacts', 'audit_log'] LOOP
    EXECUTE format('SELECT count(*) FROM public.%I', t) INTO n;
    result := result || jsonb_build_object(t, n);
  END LOOP;
  RETURN result;
END
$$;

-- Nothing visible anywhere: what tests.visible_rows() answers without a
-- valid context.
CREATE FUNCTION tests.nothing_visible() RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_object_agg(t, 0)
    FROM unnest(ARRAY['tenants', 'users', 'memberships', 'roles', 'role_permissions', 'membership_roles',
                      'permissions', 'sessions', 'companies', 'contacts', 'audit_log']) t
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tests FROM PUBLIC;
-- The API role runs the assertions of most tests; the owner role (which
-- owns the tables) those that prove a rule binds even the owner.
GRANT USAGE ON SCHEMA tests TO tenet_api, tenet_owner;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO tenet_api, tenet_owner;
