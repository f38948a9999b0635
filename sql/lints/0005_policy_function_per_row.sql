-- title: Policy calls a context function per row
-- level: error
-- `app.<fn>()` and `current_setting()` in a policy must be wrapped as
-- `(SELECT app.fn())`, which PostgreSQL evaluates once per statement (an
-- InitPlan) instead of once per row. Calls that take a column of the row
-- (app.user_belongs_only_here(id)) are row-dependent by design and not
-- flagged; calls with no argument or only constants read the context.
-- (After supabase/splinter 0003 auth_rls_initplan.)
WITH exprs AS (
  SELECT p.polname, p.polrelid, e.expr
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   CROSS JOIN LATERAL (VALUES (pg_get_expr(p.polqual, p.polrelid)), (pg_get_expr(p.polwithcheck, p.polrelid))) AS e(expr)
   WHERE n.nspname IN ('public', 'app_private') AND e.expr IS NOT NULL
)
SELECT format('%s on %s', polname, polrelid::regclass) AS object,
       format('reads the request context per row; wrap it as (SELECT ...): %s', left(expr, 200)) AS detail
  FROM exprs
 WHERE regexp_count(expr, '(app\.\w+|current_setting)\((\s*''[^'']*''(::\w+)?\s*(,\s*\w+\s*)?)?\)')
       > regexp_count(expr, 'SELECT\s+(app\.\w+|current_setting)\((\s*''[^'']*''(::\w+)?\s*(,\s*\w+\s*)?)?\)')
