-- title: SECURITY DEFINER function executable beyond its allow-list
-- level: error
-- PUBLIC may execute no definer function; tenet_api exactly the documented
-- allow-list (docs/DATABASE.md, "What tenet_api may execute"). Adding one is
-- a reviewed change to this list.
-- (After supabase/splinter 0028/0029 security_definer_function_executable.)
WITH allowed(name) AS (VALUES
  ('app.audit_head'), ('app.authorize'), ('app.begin_login'), ('app.change_password'), ('app.claim_outbox'),
  ('app.confirm_password_reset'), ('app.create_invitation'), ('app.revoke_invitation'),
  ('app.lookup_invitation'), ('app.accept_invitation'), ('app.invitation_salt'), ('app.verify_email'), ('app.outbox_failed'), ('app.outbox_sent'), ('app.request_password_reset'),
  ('app.current_permissions'), ('app.current_tenant_id'), ('app.find_or_create_user'), ('app.finish_login'),
  ('app.has_permission'), ('app.holds_all'), ('app.lock_tenant_owners'), ('app.member_permission_keys'),
  ('app.me'), ('app.password_salt'), ('app.require_context'), ('app.revoke_own_session'),
  ('app.role_is_assigned'), ('app.role_permission_keys'), ('app.rotate_refresh_token'), ('app.signup'),
  ('app.switch_tenant'), ('app.tenant_has_owner'), ('app.user_belongs_only_here'),
  ('app.require_login_session'), ('app.create_api_key'), ('app.revoke_api_key'), ('app.resolve_api_key'), ('app.tenant_with_permission'), ('app.current_session_kind'),
  ('app.search_contacts'), ('app.search_companies'),
  ('app.permission_scope'), ('app.scope_owners'), ('app.list_owners'), ('app.hidden_fields'), ('app.covers_grant'),
  ('app.fields_beyond_actor'), ('app.covers_role'),
  ('app.set_webhook_secret'), ('app.webhook_deliveries'), ('app.replay_webhook_delivery'),
  ('app.claim_webhook_deliveries'), ('app.webhook_delivered'), ('app.webhook_failed'), ('app.outbox_backlog'),
  ('app.record_import_batch'), ('app.import_rows'), ('app.import_errors'),
  ('app.tenant_export_tables'), ('app.export_my_tenant_page'), ('app.rekey_session_secret'))
SELECT p.oid::regprocedure::text AS object,
       CASE WHEN has_function_privilege('public', p.oid, 'EXECUTE') THEN 'executable by PUBLIC'
            ELSE 'executable by tenet_api but not on the allow-list' END AS detail
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prosecdef
   AND (has_function_privilege('public', p.oid, 'EXECUTE')
        OR (has_function_privilege('tenet_api', p.oid, 'EXECUTE') AND has_schema_privilege('tenet_api', n.oid, 'USAGE')
            AND n.nspname || '.' || p.proname NOT IN (SELECT name FROM allowed)))
