-- ============================================================================
-- V001: core schema — tenants, global users, memberships, the permission
-- catalog, per-tenant roles, sessions and the pre-tenant security tables.
--
-- Conventions (see docs/DATABASE.md):
--   * tables live in `public`; helper functions, triggers and SECURITY
--     DEFINER entry points live in schema `app` (files under sql/);
--   * RLS policies and grants live in policies/<table>.sql, re-applied after
--     every migration, so what a DBA reads there is what is installed;
--   * every tenant-scoped table leads its primary key, unique constraints and
--     foreign keys with tenant_id (DATABASE.md invariant 4).
-- Migrations are immutable once landed: change shape by expand/contract.
-- ============================================================================

-- The role every request runs as. NOLOGIN, owns nothing, no BYPASSRLS.
-- Created idempotently and safely when several databases of one cluster
-- migrate at the same time (roles are cluster-wide).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenet_api') THEN
    BEGIN
      CREATE ROLE tenet_api NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another migration created it concurrently
    END;
  END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS app;
COMMENT ON SCHEMA app IS 'Tenet helper functions, triggers and SECURITY DEFINER entry points.';
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA app FROM PUBLIC;

-- Time-ordered UUIDs (RFC 9562 version 7): index-friendly primary keys.
CREATE FUNCTION app.uuid_generate_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;
COMMENT ON FUNCTION app.uuid_generate_v7() IS 'UUID version 7: 48-bit millisecond timestamp, then random bits.';
REVOKE ALL ON FUNCTION app.uuid_generate_v7() FROM PUBLIC;
-- Functions created later in schema app are not executable by PUBLIC either.
ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Tenants: the root of tenancy. A tenant row's own id is its tenant_id.
-- ---------------------------------------------------------------------------
CREATE TABLE tenants (
  id          uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  name        text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 320),
  slug        text        NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenants_pkey PRIMARY KEY (id),
  CONSTRAINT tenants_slug_key UNIQUE (slug)
);
COMMENT ON TABLE tenants IS 'A workspace. Tenant-scoped by its own id (the tenant_id of every other row).';

-- ---------------------------------------------------------------------------
-- Users: global identities (one account may belong to several tenants).
-- ---------------------------------------------------------------------------
CREATE TABLE users (
  id              uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  email           text        NOT NULL CHECK (length(email) <= 320 AND email ~ '^[^@\s]+@[^@\s]+$'),
  name            text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 320),
  password_hash   text        NOT NULL,
  last_tenant_id  uuid        REFERENCES tenants (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
COMMENT ON TABLE users IS 'Global identities. Global table: reached by tenants only through memberships.';
COMMENT ON COLUMN users.password_hash IS 'bcrypt of base64(sha256(password)); never leaves the database through the API role.';
COMMENT ON COLUMN users.last_tenant_id IS 'Tenant of the most recent sign-in; the default for a login without a tenant slug.';

-- ---------------------------------------------------------------------------
-- Memberships: user <-> tenant, with an active flag.
-- ---------------------------------------------------------------------------
CREATE TABLE memberships (
  tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  active      boolean     NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT memberships_pkey PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
COMMENT ON TABLE memberships IS 'Who belongs to which tenant. Deactivating a membership revokes its sessions.';

-- ---------------------------------------------------------------------------
-- RBAC: a global permission catalog, per-tenant roles.
-- ---------------------------------------------------------------------------
CREATE TABLE permissions (
  key          text NOT NULL CHECK (key ~ '^[a-z_]+:[a-z_]+$'),
  description  text NOT NULL,
  CONSTRAINT permissions_pkey PRIMARY KEY (key)
);
COMMENT ON TABLE permissions IS 'Global, fixed catalog of permission keys (seeded by migrations).';

INSERT INTO permissions (key, description) VALUES
  ('tenant:manage',    'Rename the tenant and manage its settings'),
  ('users:read',       'List and view the members of the tenant'),
  ('users:manage',     'Add, update, deactivate and remove members'),
  ('roles:manage',     'Create, edit and delete custom roles'),
  ('audit:read',       'Read the audit log'),
  ('companies:read',   'List and view companies'),
  ('companies:write',  'Create and edit companies'),
  ('companies:delete', 'Delete companies'),
  ('contacts:read',    'List and view contacts'),
  ('contacts:write',   'Create and edit contacts'),
  ('contacts:delete',  'Delete contacts');

CREATE TABLE roles (
  tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  name         text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 320),
  description  text        CHECK (length(description) <= 2000),
  system       boolean     NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT roles_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT roles_name_key UNIQUE (tenant_id, name)
);
COMMENT ON TABLE roles IS 'Per-tenant roles. The four system roles (owner, admin, member, viewer) are read-only.';

CREATE TABLE role_permissions (
  tenant_id       uuid NOT NULL,
  role_id         uuid NOT NULL,
  permission_key  text NOT NULL REFERENCES permissions (key) ON DELETE RESTRICT,
  CONSTRAINT role_permissions_pkey PRIMARY KEY (tenant_id, role_id, permission_key),
  CONSTRAINT role_permissions_role_fkey FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE role_permissions IS 'Which permissions a role grants.';

CREATE TABLE membership_roles (
  tenant_id  uuid NOT NULL,
  user_id    uuid NOT NULL,
  role_id    uuid NOT NULL,
  CONSTRAINT membership_roles_pkey PRIMARY KEY (tenant_id, user_id, role_id),
  CONSTRAINT membership_roles_membership_fkey FOREIGN KEY (tenant_id, user_id)
    REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE,
  CONSTRAINT membership_roles_role_fkey FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON DELETE RESTRICT
);
CREATE INDEX membership_roles_role_idx ON membership_roles (tenant_id, role_id);
COMMENT ON TABLE membership_roles IS 'Which roles a member holds in a tenant.';

-- ---------------------------------------------------------------------------
-- Sessions: one per sign-in; refresh tokens stored only as SHA-256 hashes.
-- ---------------------------------------------------------------------------
CREATE TABLE sessions (
  id                  uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  user_id             uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id           uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  refresh_token_hash  bytea       NOT NULL CHECK (length(refresh_token_hash) = 32),
  created_at          timestamptz NOT NULL DEFAULT now(),
  last_used_at        timestamptz NOT NULL DEFAULT now(),
  expires_at          timestamptz NOT NULL,
  revoked_at          timestamptz,
  revoked_reason      text,
  ip                  inet,
  user_agent          text        CHECK (length(user_agent) <= 512),
  CONSTRAINT sessions_pkey PRIMARY KEY (id),
  CONSTRAINT sessions_refresh_token_hash_key UNIQUE (refresh_token_hash)
);
CREATE INDEX sessions_user_idx ON sessions (user_id, tenant_id) WHERE revoked_at IS NULL;
COMMENT ON TABLE sessions IS
  'Authentication table found before a tenant is known (by refresh-token hash): keyed by its own id, '
  'written only through SECURITY DEFINER functions in schema app, read through session-keyed policies. '
  'tenant_id is the tenant the session currently acts in (switch-tenant moves it).';

CREATE TABLE refresh_tokens (
  token_hash  bytea       NOT NULL CHECK (length(token_hash) = 32),
  session_id  uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  issued_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT refresh_tokens_pkey PRIMARY KEY (token_hash)
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
COMMENT ON TABLE refresh_tokens IS
  'Every refresh token ever issued (hash only), so that a rotated-out token presented again is recognised '
  'as reuse and revokes its session. Authentication table: reached only through SECURITY DEFINER functions.';

-- ---------------------------------------------------------------------------
-- Login attempts (per-email throttle) and security events.
-- ---------------------------------------------------------------------------
CREATE TABLE login_attempts (
  id            bigint      GENERATED ALWAYS AS IDENTITY,
  email         text        NOT NULL,
  user_id       uuid        REFERENCES users (id) ON DELETE CASCADE,
  tenant_id     uuid        REFERENCES tenants (id) ON DELETE CASCADE,
  attempted_at  timestamptz NOT NULL DEFAULT now(),
  succeeded     boolean,
  CONSTRAINT login_attempts_pkey PRIMARY KEY (id)
);
COMMENT ON COLUMN login_attempts.succeeded IS 'NULL while the password is being checked: a pending attempt counts as a failure.';
CREATE INDEX login_attempts_email_idx ON login_attempts (email, attempted_at DESC);
COMMENT ON TABLE login_attempts IS
  'Authentication table found before a tenant is known (by lower(email)): keyed by its own id, reached only '
  'through SECURITY DEFINER functions. Holds the per-email login throttle across restarts and processes.';

CREATE TABLE security_events (
  id           uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  tenant_id    uuid        REFERENCES tenants (id) ON DELETE CASCADE,
  user_id      uuid        REFERENCES users (id) ON DELETE SET NULL,
  session_id   uuid,
  action       text        NOT NULL CHECK (action ~ '^(auth|audit)\.[a-z_]+$'),
  email        text,
  details      jsonb       NOT NULL DEFAULT '{}',
  request_id   text,
  ip           inet,
  user_agent   text,
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT security_events_pkey PRIMARY KEY (id)
);
CREATE INDEX security_events_tenant_idx ON security_events (tenant_id, occurred_at DESC);
COMMENT ON TABLE security_events IS
  'Security events that concern no tenant (failed logins of unknown emails, audit maintenance): visible to '
  'operators only. Events about a known tenant go to its audit_log. Written only by SECURITY DEFINER functions.';
