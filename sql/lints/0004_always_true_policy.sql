-- title: Policy that lets the API role (or PUBLIC) through unconditionally
-- level: error
-- A USING or WITH CHECK of `true` for tenet_api or PUBLIC disables the
-- tenant wall for that command.
-- (After supabase/splinter 0024 rls_policy_always_true.)
SELECT format('%s on %s', p.polname, p.polrelid::regclass) AS object,
       'USING or WITH CHECK is always true for tenet_api or PUBLIC' AS detail
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'app_private')
   AND (0 = ANY (p.polroles) OR (SELECT oid FROM pg_roles WHERE rolname = 'tenet_api') = ANY (p.polroles))
   AND (lower(btrim(coalesce(pg_get_expr(p.polqual, p.polrelid), ''))) IN ('true', '(true)')
        OR lower(btrim(coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''))) IN ('true', '(true)'))
