-- title: Something granted to PUBLIC
-- level: error
-- Nothing of ours is granted to PUBLIC: tables, columns, sequences,
-- functions, schemas (DATABASE.md invariant 3).
SELECT c.oid::regclass::text AS object, 'PUBLIC has ' || a.privilege_type AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
 WHERE n.nspname IN ('public', 'app', 'app_private') AND a.grantee = 0
UNION ALL
SELECT p.oid::regprocedure::text, 'PUBLIC may EXECUTE'
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname IN ('public', 'app', 'app_private') AND has_function_privilege('public', p.oid, 'EXECUTE')
UNION ALL
SELECT 'schema ' || n.nspname, 'PUBLIC has ' || a.privilege_type
  FROM pg_namespace n, aclexplode(n.nspacl) a
 WHERE n.nspname IN ('public', 'app', 'app_private', 'extensions') AND a.grantee = 0
