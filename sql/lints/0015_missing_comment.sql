-- title: Table, view, function or schema without a comment
-- level: error
-- A DBA reads the catalog, not the Rust: every object of ours says what it
-- is for (`COMMENT ON`), and `\d+` / `\df+` show it.
SELECT c.oid::regclass::text AS object, 'no COMMENT on this ' || CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'app', 'app_private') AND c.relkind IN ('r', 'p', 'v', 'm')
   AND c.relname NOT LIKE 'refinery%' AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT p.oid::regprocedure::text, 'no COMMENT on this function'
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname IN ('public', 'app', 'app_private') AND obj_description(p.oid, 'pg_proc') IS NULL
UNION ALL
SELECT 'schema ' || n.nspname, 'no COMMENT on this schema'
  FROM pg_namespace n
 WHERE n.nspname IN ('public', 'app', 'app_private', 'extensions') AND obj_description(n.oid, 'pg_namespace') IS NULL
