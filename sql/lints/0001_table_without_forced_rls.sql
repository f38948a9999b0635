-- title: Table without row-level security enabled and forced
-- level: error
-- Every table in schema public holds tenant or account data: RLS must be
-- enabled, and forced so that it binds the owner's functions too.
-- (After supabase/splinter 0013 rls_disabled_in_public.)
SELECT c.oid::regclass::text AS object,
       CASE WHEN NOT c.relrowsecurity THEN 'row-level security is not enabled'
            ELSE 'row-level security is enabled but not forced' END AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
   AND c.relname NOT LIKE 'refinery%'
   AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
