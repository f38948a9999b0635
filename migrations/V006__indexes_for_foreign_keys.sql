-- ============================================================================
-- V006: what `tenet admin lint` found on a fresh database.
--
-- * Every foreign key gets a covering index (lint 0011), so deleting a
--   tenant, a user or a permission does not scan the referencing tables.
-- * The policy on users named with 73 characters was silently cut to 63
--   bytes by PostgreSQL (lint 0014); policies/users.sql now uses a shorter
--   name, and the cut one is dropped here.
-- ============================================================================
-- Fail fast rather than queue behind a long transaction while holding locks.
SET lock_timeout = '5s';

CREATE INDEX users_last_tenant_idx ON users (last_tenant_id);
CREATE INDEX role_permissions_permission_idx ON role_permissions (permission_key);
CREATE INDEX sessions_tenant_idx ON sessions (tenant_id);
CREATE INDEX login_attempts_user_idx ON login_attempts (user_id);
CREATE INDEX login_attempts_tenant_idx ON login_attempts (tenant_id);
CREATE INDEX security_events_user_idx ON security_events (user_id);

DROP POLICY IF EXISTS "users rename themselves, managers rename accounts only their te" ON users;
