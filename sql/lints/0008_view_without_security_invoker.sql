-- title: View without security_invoker
-- level: error
-- A view runs with its owner's rights unless `security_invoker = true`, so
-- it would read past the RLS policies of the caller.
-- The one exception is a masking view owned by tenet_field_reader (NOLOGIN,
-- no BYPASSRLS; the tables' SELECT policies name it): it reads columns the
-- API role may not, under the same row policies (policies/contacts.sql).
-- (After supabase/splinter 0010 security_definer_view.)
SELECT c.oid::regclass::text AS object, 'view without security_invoker = true' AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'app', 'app_private') AND c.relkind IN ('v', 'm')
   AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = 'tenet_field_reader')
   AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'] OR c.reloptions @> ARRAY['security_invoker=on'], false)
