-- ============================================================================
-- V011: API keys bound to roles (contract v1.1).
--
-- A key is a session of kind 'api_key' (no refresh token, its own secret),
-- so app.current_tenant_id() validates a key's requests exactly like a
-- login's: a live, unrevoked session of an active member, with its secret.
-- Revoking the key revokes that session; removing or deactivating its
-- creator revokes it with their other sessions. What a key may do is the
-- intersection of its roles' permissions with its creator's current ones
-- (app.has_permission, app.current_permissions), so a demoted creator's keys
-- lose what the creator lost on the next request.
-- ============================================================================
-- Fail fast rather than queue behind a long transaction while holding locks.
SET lock_timeout = '5s';

ALTER TABLE sessions ADD COLUMN kind text NOT NULL DEFAULT 'login';
ALTER TABLE sessions ADD CONSTRAINT sessions_kind_check CHECK (kind IN ('login', 'api_key'));
ALTER TABLE sessions ALTER COLUMN refresh_token_hash DROP NOT NULL;
ALTER TABLE sessions ADD CONSTRAINT sessions_refresh_token_hash_check_kind
  CHECK ((kind = 'login') = (refresh_token_hash IS NOT NULL));
-- An API key's row references its session with a tenant-leading key.
ALTER TABLE sessions ADD CONSTRAINT sessions_tenant_id_id_key UNIQUE (tenant_id, id);

CREATE TABLE api_keys (
  tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id            uuid        NOT NULL,
  name          text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  prefix        text        NOT NULL CHECK (prefix ~ '^[0-9a-f]{12}$'),
  created_by    uuid        REFERENCES users (id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  CONSTRAINT api_keys_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT api_keys_id_fkey FOREIGN KEY (tenant_id, id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX api_keys_prefix_idx ON api_keys (prefix);
CREATE UNIQUE INDEX api_keys_id_idx ON api_keys (id);
CREATE INDEX api_keys_page_idx ON api_keys (tenant_id, created_at DESC, id DESC);
CREATE INDEX api_keys_created_by_idx ON api_keys (created_by);
COMMENT ON TABLE api_keys IS
  'API keys of a tenant: the name, the public prefix and the bookkeeping of a session of kind api_key (whose '
  'secret_hash is the key''s). Created and revoked only through the SECURITY DEFINER functions of sql/45_api_keys.sql.';

CREATE TABLE api_key_roles (
  tenant_id   uuid NOT NULL,
  api_key_id  uuid NOT NULL,
  role_id     uuid NOT NULL,
  CONSTRAINT api_key_roles_pkey PRIMARY KEY (tenant_id, api_key_id, role_id),
  CONSTRAINT api_key_roles_api_key_id_fkey FOREIGN KEY (tenant_id, api_key_id)
    REFERENCES api_keys (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT api_key_roles_role_id_fkey FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX api_key_roles_role_idx ON api_key_roles (tenant_id, role_id);
COMMENT ON TABLE api_key_roles IS
  'The roles of an API key. The key holds their permissions only as far as its creator currently holds them too.';

-- The actor of an audit entry made through a key. NULL (every older entry)
-- is left out of the hashed content, so existing chains verify unchanged.
ALTER TABLE audit_log ADD COLUMN actor_api_key_id uuid;

INSERT INTO permissions (key, description) VALUES
  ('api_keys:manage', 'Create, list and revoke the tenant''s API keys');
-- Owner and admin of every existing tenant get it (new tenants get it from
-- app.system_role_permissions()).
INSERT INTO role_permissions (tenant_id, role_id, permission_key)
SELECT r.tenant_id, r.id, 'api_keys:manage' FROM roles r WHERE r.system AND r.name IN ('owner', 'admin')
ON CONFLICT DO NOTHING;
