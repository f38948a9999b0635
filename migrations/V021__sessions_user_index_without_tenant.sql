-- ============================================================================
-- V021: sessions_user_idx holds user_id alone.
--
-- Every statement of a request finds its session by the primary key
-- (tenant_id, id) (sql/00_context.sql, "Finding the session"). The partial
-- index sessions_user_idx (user_id, tenant_id) WHERE revoked_at IS NULL let
-- the planner answer `tenant_id = $1` from its second column too, by walking
-- the whole index; on the statistics of a table analyzed while small (a new
-- deployment, the benchmark's quick mode) that walk cost it within 1 % of the
-- primary key's probe, and the generic plan cached per connection took it:
-- every check of every statement read the tenant's live sessions
-- (tests/sql/10_forged_context.sql: 59 buffers for three checks on a tenant
-- of 2,400 sessions, about 10 by the key).
--
-- What the index is for, revoking a user's live sessions (a password change
-- or reset, an accepted invitation, a membership deactivated), starts from
-- the user; a user holds few sessions, so the tenant is a filter on them.
-- ============================================================================
SET lock_timeout = '5s';

DROP INDEX sessions_user_idx;
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;
