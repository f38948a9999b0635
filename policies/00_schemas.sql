-- ============================================================================
-- Schema privileges. Nothing is granted to PUBLIC; tenet_api gets USAGE only.
-- ============================================================================
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA app FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO tenet_api;
GRANT USAGE ON SCHEMA app TO tenet_api;

-- No temporary tables for PUBLIC (and so for tenet_api): nothing can shadow a
-- table in an unqualified lookup. Needs the database owner; elsewhere a DBA
-- runs the same statement once.
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'could not revoke TEMPORARY on this database from PUBLIC: run it as the database owner';
END
$$;

COMMENT ON SCHEMA app IS 'Helper functions, triggers and SECURITY DEFINER entry points of the API (see docs/security-model.md).';
COMMENT ON SCHEMA public IS 'Tenant and account data, every table behind forced row-level security.';
DO $$
BEGIN
  COMMENT ON ROLE tenet_api IS
    'NOLOGIN, NOBYPASSRLS, owns nothing: every API request runs as this role (set_config(''role'', ...) per transaction).';
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'could not comment on role tenet_api: run as a role with CREATEROLE';
END
$$;
