-- ============================================================================
-- V012: record-level access (issue 15).
--
-- * A grant of a CRM permission carries a scope: 'all' (every record of the
--   tenant, today's behaviour and the default), 'team' (records owned by the
--   caller or by a member of one of the caller's teams) or 'own' (records
--   the caller owns). Only permissions marked `scopable` take a narrower
--   scope than 'all'.
-- * Teams: a member may be in several.
-- * Field-level visibility: a role may hide named fields (the catalogue
--   hideable_fields) of a resource from its members. The API role cannot
--   read those columns of the base tables at all; it reads them through the
--   masking views of policies/ (contacts_visible, companies_visible).
-- * Lists filtered to owners use a page index that leads with the owner.
-- The rules themselves live in sql/32_record_access.sql and policies/.
-- ============================================================================
SET lock_timeout = '5s';

-- The role that owns the masking views: it logs in nowhere and nobody holds
-- it; the views read the base tables with its privileges. It is a member of
-- tenet_api (and inherits), so every policy written TO tenet_api binds what
-- the views read exactly as it binds the API's own queries.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenet_field_reader') THEN
    CREATE ROLE tenet_field_reader NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT;
  END IF;
END
$$;
ALTER ROLE tenet_field_reader NOLOGIN INHERIT;
GRANT tenet_api TO tenet_field_reader;

ALTER TABLE permissions ADD COLUMN scopable boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN permissions.scopable IS
  'Whether a role may grant this permission with a narrower scope than all (own, team): the CRM record permissions.';
UPDATE permissions SET scopable = true WHERE key ~ '^(companies|contacts):(read|write|delete)$';

ALTER TABLE role_permissions ADD COLUMN scope text NOT NULL DEFAULT 'all';
ALTER TABLE role_permissions ADD CONSTRAINT role_permissions_scope_check CHECK (scope IN ('all', 'team', 'own'));
-- app.scope_owners answers "every record" at once for a tenant that grants a
-- permission only with scope all (the common case): one probe of this index.
CREATE INDEX role_permissions_scoped_idx ON role_permissions (tenant_id, permission_key) WHERE scope <> 'all';
COMMENT ON COLUMN role_permissions.scope IS
  'Which records the grant reaches: all (the tenant''s), team (owned by the holder or a member of one of the '
  'holder''s teams) or own (owned by the holder). Only scopable permissions take team or own.';

CREATE TABLE hideable_fields (
  key          text NOT NULL CHECK (key ~ '^[a-z_]+\.[a-z_]+$'),
  resource     text NOT NULL,
  field        text NOT NULL,
  description  text NOT NULL,
  CONSTRAINT hideable_fields_pkey PRIMARY KEY (key),
  CONSTRAINT hideable_fields_key_parts_check CHECK (key = resource || '.' || field)
);
COMMENT ON TABLE hideable_fields IS
  'Global, fixed catalogue of the fields a role may hide from its members (seeded by migrations).';
INSERT INTO hideable_fields (key, resource, field, description) VALUES
  ('contacts.email',     'contacts',  'email',    'A contact''s email address'),
  ('contacts.phone',     'contacts',  'phone',    'A contact''s phone number'),
  ('companies.domain',   'companies', 'domain',   'A company''s web domain'),
  ('companies.industry', 'companies', 'industry', 'A company''s industry');

CREATE TABLE role_hidden_fields (
  tenant_id  uuid NOT NULL,
  role_id    uuid NOT NULL,
  field_key  text NOT NULL REFERENCES hideable_fields (key) ON DELETE CASCADE,
  CONSTRAINT role_hidden_fields_pkey PRIMARY KEY (tenant_id, role_id, field_key),
  CONSTRAINT role_hidden_fields_role_fkey FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX role_hidden_fields_field_idx ON role_hidden_fields (field_key);
COMMENT ON TABLE role_hidden_fields IS
  'Fields a role hides from its members: a member sees a field while at least one of their roles granting the '
  'resource''s read permission does not hide it.';

CREATE TABLE teams (
  tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  name         text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  description  text        CHECK (length(description) <= 2000),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT teams_pkey PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX teams_name_key ON teams (tenant_id, lower(name));
CREATE INDEX teams_page_idx ON teams (tenant_id, created_at DESC, id DESC);
COMMENT ON TABLE teams IS 'Teams of a tenant: the unit of the team scope. Tenant-scoped.';

CREATE TABLE team_members (
  tenant_id   uuid        NOT NULL,
  team_id     uuid        NOT NULL,
  user_id     uuid        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT team_members_pkey PRIMARY KEY (tenant_id, team_id, user_id),
  CONSTRAINT team_members_team_id_fkey FOREIGN KEY (tenant_id, team_id)
    REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT team_members_user_id_fkey FOREIGN KEY (tenant_id, user_id)
    REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX team_members_user_idx ON team_members (tenant_id, user_id);
COMMENT ON TABLE team_members IS 'Who is in which team (a member may be in several). Tenant-scoped.';

INSERT INTO permissions (key, description) VALUES
  ('teams:manage', 'Create, rename and delete teams and choose their members');
INSERT INTO role_permissions (tenant_id, role_id, permission_key)
SELECT r.tenant_id, r.id, 'teams:manage' FROM roles r WHERE r.system AND r.name IN ('owner', 'admin')
ON CONFLICT DO NOTHING;

-- Lists restricted to owners (scope own/team, the "mine / my team" filter)
-- walk one owner's records newest first; this index also covers the owner
-- foreign key, so the old one goes.
CREATE INDEX contacts_owner_page_idx ON contacts (tenant_id, owner_id, created_at DESC, id DESC);
CREATE INDEX companies_owner_page_idx ON companies (tenant_id, owner_id, created_at DESC, id DESC);
DROP INDEX contacts_owner_idx;
DROP INDEX companies_owner_idx;
