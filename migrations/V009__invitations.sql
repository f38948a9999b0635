-- ============================================================================
-- V009: invitations (contract v1.1). An existing account joins a tenant only
-- by accepting a mailed invitation: no membership without consent, and no
-- answer tells whether an email has an account.
-- ============================================================================
-- Fail fast rather than queue behind a long transaction while holding locks.
SET lock_timeout = '5s';

CREATE TABLE invitations (
  tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  email        text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  token_hash   bytea       NOT NULL CHECK (length(token_hash) = 32),
  invited_by   uuid        REFERENCES users (id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz,
  revoked_at   timestamptz,
  CONSTRAINT invitations_pkey PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX invitations_token_idx ON invitations (token_hash);
CREATE INDEX invitations_page_idx ON invitations (tenant_id, created_at DESC, id DESC);
CREATE INDEX invitations_invited_by_idx ON invitations (invited_by);
COMMENT ON TABLE invitations IS
  'Pending and past invitations to join a tenant. The token is mailed and stored only as sha256; single use, '
  'valid 7 days, revocable. Created, revoked and accepted through SECURITY DEFINER functions of sql/35_invitations.sql.';

CREATE TABLE invitation_roles (
  tenant_id      uuid NOT NULL,
  invitation_id  uuid NOT NULL,
  role_id        uuid NOT NULL,
  CONSTRAINT invitation_roles_pkey PRIMARY KEY (tenant_id, invitation_id, role_id),
  CONSTRAINT invitation_roles_invitation_id_fkey FOREIGN KEY (tenant_id, invitation_id)
    REFERENCES invitations (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT invitation_roles_role_id_fkey FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX invitation_roles_role_idx ON invitation_roles (tenant_id, role_id);
COMMENT ON TABLE invitation_roles IS 'The roles an invitation grants on acceptance (checked against the inviter when invited and again when accepted).';

-- Memberships are no longer inserted by the API role (app functions do it):
-- the policy that let users:manage insert any account id goes, with its grant.
DROP POLICY IF EXISTS "user managers add members" ON memberships;
REVOKE INSERT ON memberships FROM tenet_api;
