-- title: Row-level security enabled but no policy
-- level: error
-- Such a table reads as empty and refuses every write, for everyone but a
-- superuser: almost always a policy file that was forgotten.
-- (After supabase/splinter 0008 rls_enabled_no_policy.)
SELECT c.oid::regclass::text AS object, 'row-level security is enabled, but no policy exists' AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relrowsecurity
   AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
