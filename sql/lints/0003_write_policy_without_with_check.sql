-- title: INSERT or UPDATE policy without WITH CHECK
-- level: error
-- Without WITH CHECK an UPDATE policy checks new rows with its USING clause
-- only implicitly; the house rule is to say what a written row must satisfy.
SELECT format('%s on %s', p.polname, p.polrelid::regclass) AS object,
       format('%s policy for %s has no WITH CHECK',
              CASE p.polcmd WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' ELSE 'ALL' END,
              (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE r::regrole::text END, ', ') FROM unnest(p.polroles) r)) AS detail
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'app_private') AND p.polcmd IN ('a', 'w', '*') AND p.polwithcheck IS NULL
