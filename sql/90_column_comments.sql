-- ============================================================================
-- Column comments: what a column means where its name does not say it all
-- (ids, names and timestamps speak for themselves). Re-applied with the
-- rest of sql/; `\d+ <table>` shows them.
-- ============================================================================
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['memberships', 'roles', 'role_permissions', 'membership_roles', 'companies', 'contacts',
                           'audit_log', 'sessions', 'invitations', 'invitation_roles', 'api_keys', 'api_key_roles'] LOOP
    EXECUTE format('COMMENT ON COLUMN public.%I.tenant_id IS %L', t,
      'The tenant the row belongs to: the row-level security key, and the leading column of every key of the table.');
  END LOOP;
END
$$;

COMMENT ON COLUMN tenants.slug IS 'Unique, URL-safe name of the tenant; the tenant a login names (POST /api/auth/login {tenant}).';
COMMENT ON COLUMN memberships.active IS 'false: the member cannot sign in to this tenant; deactivating revokes their sessions here.';
COMMENT ON COLUMN roles.system IS 'One of the four roles every tenant gets (owner, admin, member, viewer): read-only.';
COMMENT ON COLUMN role_permissions.permission_key IS 'A key of the permissions catalog, e.g. companies:read.';
COMMENT ON COLUMN membership_roles.role_id IS 'A role of the same tenant (the foreign key leads with tenant_id).';
COMMENT ON COLUMN permissions.key IS 'The permission key, <resource>:<action>; the API''s Permission type lists the same keys.';
COMMENT ON COLUMN companies.owner_id IS 'The member responsible for the company (a membership of the same tenant), or NULL.';
COMMENT ON COLUMN contacts.owner_id IS 'The member responsible for the contact (a membership of the same tenant), or NULL.';
COMMENT ON COLUMN contacts.company_id IS 'The contact''s company, of the same tenant, or NULL; deleting the company clears it.';
COMMENT ON COLUMN audit_log.seq IS 'Position in the tenant''s hash chain: 1, 2, ... without gaps.';
COMMENT ON COLUMN audit_log.prev_hash IS 'hash of entry seq - 1 (32 zero bytes for the first entry).';
COMMENT ON COLUMN audit_log.hash IS 'sha256(prev_hash || app.audit_content(entry)): editing or removing an entry breaks the chain.';
COMMENT ON COLUMN audit_log.action IS 'insert, update, delete for data changes; auth.* and audit.* for security events.';
COMMENT ON COLUMN audit_log.entity IS 'What changed: tenant, membership, role, company, contact, session, user, ...';
COMMENT ON COLUMN audit_log.record_id IS 'The id of the changed row (for memberships and their roles: the user id).';
COMMENT ON COLUMN audit_log.request_id IS 'The HTTP request''s x-request-id: joins the entry to the server''s log lines.';
COMMENT ON COLUMN sessions.refresh_token_hash IS 'sha256 of the current refresh token; rotated on every refresh.';
COMMENT ON COLUMN sessions.expires_at IS 'Absolute end of the session (SESSION_TTL_DAYS after sign-in); refreshes do not extend it.';
COMMENT ON COLUMN sessions.revoked_at IS 'Set by logout, revocation, a password change, removal from the tenant or refresh-token reuse.';
COMMENT ON COLUMN sessions.revoked_reason IS 'Why the session ended: logout, revoked, password_changed, refresh_token_reuse, membership_removed, membership_deactivated, upgrade.';
COMMENT ON COLUMN app_private.refresh_tokens.token_hash IS 'sha256 of a refresh token ever issued: a rotated-out one presented again revokes its session.';
COMMENT ON COLUMN app_private.login_attempts.succeeded IS 'NULL while the password is being checked: a pending attempt counts as a failure.';
COMMENT ON COLUMN app_private.login_attempts.email IS 'lower(email) as typed: the key of the per-email throttle, known account or not.';
COMMENT ON COLUMN app_private.security_events.details IS 'Event details, e.g. {"reason": "unknown_email"}; never a password or token.';
COMMENT ON COLUMN app_private.audit_chain_heads.seq IS 'The newest entry of the tenant''s chain; only moves forward, one entry at a time.';
COMMENT ON COLUMN app_private.audit_chain_heads.hash IS 'hash of that newest entry (what tenet admin audit-checkpoint signs).';
COMMENT ON COLUMN app_private.audit_chain_anchors.hash IS 'hash of the last entry of an archived stretch, so the remaining chain still verifies.';
COMMENT ON COLUMN app_private.user_secrets.password_hash IS 'bcrypt of base64(sha256(password)); the API role only ever gets its salt.';
COMMENT ON COLUMN app_private.login_pepper.pepper IS 'Random per installation: derives the stable fake salt of unknown emails.';

COMMENT ON COLUMN sessions.kind IS 'login: a person signed in (has a refresh token); api_key: an API key (api_keys row of the same id).';
COMMENT ON COLUMN api_keys.prefix IS 'The public part of the key tnt_<prefix>_<secret>: names it in listings; the secret is stored only as sessions.secret_hash.';
COMMENT ON COLUMN api_keys.last_used_at IS 'When the key was last resolved by a server (at most once a minute per server process).';
COMMENT ON COLUMN audit_log.actor_api_key_id IS 'The API key the actor acted through (NULL for a signed-in person or the system); hashed only when set.';
