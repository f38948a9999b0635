-- ============================================================================
-- V020: every key of a table whose rows belong to a tenant leads with
-- tenant_id, the authentication tables included (issue 19; docs/scaling.md
-- §4, F1-F4), so that each can be distributed by tenant_id (Citus: a primary
-- key or unique constraint must contain the distribution column; a foreign
-- key between distributed tables must include it on both sides).
--
-- The lookups that find these rows before a tenant is known (a refresh token,
-- an API key's prefix, an invitation's token) keep plain, non-unique indexes
-- on the hash or prefix: uniqueness per tenant is a constraint, across
-- tenants it comes from 128-256 random bits, and the functions that look
-- rows up compare the secret hash as well.
-- ============================================================================
SET lock_timeout = '5s';

-- F1 sessions: keyed (tenant_id, id); its current refresh token unique per tenant.
ALTER TABLE app_private.refresh_tokens DROP CONSTRAINT refresh_tokens_session_id_fkey;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_id_fkey;
ALTER TABLE sessions DROP CONSTRAINT sessions_pkey;
ALTER TABLE sessions DROP CONSTRAINT sessions_tenant_id_id_key;
ALTER TABLE sessions ADD CONSTRAINT sessions_pkey PRIMARY KEY (tenant_id, id);
CREATE INDEX sessions_id_idx ON sessions (id);
ALTER TABLE sessions DROP CONSTRAINT sessions_refresh_token_hash_key;
ALTER TABLE sessions ADD CONSTRAINT sessions_refresh_token_hash_key UNIQUE (tenant_id, refresh_token_hash);
CREATE INDEX sessions_refresh_token_hash_idx ON sessions (refresh_token_hash);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_id_fkey
  FOREIGN KEY (tenant_id, id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE;

-- F2 app_private.refresh_tokens: gains its session's tenant; keyed
-- (tenant_id, token_hash); references sessions (tenant_id, id).
ALTER TABLE app_private.refresh_tokens ADD COLUMN tenant_id uuid;
UPDATE app_private.refresh_tokens rt SET tenant_id = s.tenant_id FROM sessions s WHERE s.id = rt.session_id;
DELETE FROM app_private.refresh_tokens WHERE tenant_id IS NULL;
ALTER TABLE app_private.refresh_tokens ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE app_private.refresh_tokens DROP CONSTRAINT refresh_tokens_pkey;
ALTER TABLE app_private.refresh_tokens ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (tenant_id, token_hash);
CREATE INDEX refresh_tokens_token_hash_idx ON app_private.refresh_tokens (token_hash);
DROP INDEX app_private.refresh_tokens_session_idx;
CREATE INDEX refresh_tokens_session_idx ON app_private.refresh_tokens (tenant_id, session_id);
ALTER TABLE app_private.refresh_tokens ADD CONSTRAINT refresh_tokens_session_id_fkey
  FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE;
COMMENT ON COLUMN app_private.refresh_tokens.tenant_id IS 'The tenant of the session the token was issued to (its distribution column).';

-- F3 api_keys: the prefix unique per tenant; the primary key (tenant_id, id)
-- replaces the unique index on id.
DROP INDEX api_keys_id_idx;
CREATE INDEX api_keys_id_idx ON api_keys (id);
DROP INDEX api_keys_prefix_idx;
CREATE UNIQUE INDEX api_keys_tenant_prefix_key ON api_keys (tenant_id, prefix);
CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);

-- F4 invitations: the token unique per tenant.
DROP INDEX invitations_token_idx;
CREATE UNIQUE INDEX invitations_tenant_token_key ON invitations (tenant_id, token_hash);
CREATE INDEX invitations_token_idx ON invitations (token_hash);
