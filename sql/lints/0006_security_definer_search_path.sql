-- title: SECURITY DEFINER function without a pinned search_path
-- level: error
-- A definer function resolving names through the caller's search_path can
-- be made to call the caller's objects with the owner's rights.
-- (After supabase/splinter 0011 function_search_path_mutable.)
SELECT p.oid::regprocedure::text AS object, 'SECURITY DEFINER without SET search_path' AS detail
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname IN ('public', 'app', 'app_private') AND p.prosecdef
   AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) cfg WHERE cfg LIKE 'search_path=%')
