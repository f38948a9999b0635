-- title: View without security_invoker
-- level: error
-- A view runs with its owner's rights unless `security_invoker = true`, so
-- it would read past the RLS policies of the caller.
-- (After supabase/splinter 0010 security_definer_view.)
SELECT c.oid::regclass::text AS object, 'view without security_invoker = true' AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'app', 'app_private') AND c.relkind IN ('v', 'm')
   AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'] OR c.reloptions @> ARRAY['security_invoker=on'], false)
