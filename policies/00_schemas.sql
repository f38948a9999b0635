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
