-- ============================================================================
-- Schema privileges. Nothing is granted to PUBLIC; tenet_api gets USAGE only.
-- ============================================================================
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA app FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO tenet_api;
GRANT USAGE ON SCHEMA app TO tenet_api;
