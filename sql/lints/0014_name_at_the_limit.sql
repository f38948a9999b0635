-- title: Policy, constraint or index name at the 63-byte limit
-- level: error
-- PostgreSQL silently cuts identifiers to 63 bytes: a name that long was
-- probably cut, and the DROP POLICY IF EXISTS of its file then misses it.
SELECT format('%s on %s', p.polname, p.polrelid::regclass) AS object, 'policy name is 63 bytes: probably truncated' AS detail
  FROM pg_policy p WHERE octet_length(p.polname) >= 63
UNION ALL
SELECT format('%s on %s', con.conname, con.conrelid::regclass), 'constraint name is 63 bytes: probably truncated'
  FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
 WHERE n.nspname IN ('public', 'app', 'app_private') AND octet_length(con.conname) >= 63
UNION ALL
SELECT c.oid::regclass::text, 'index name is 63 bytes: probably truncated'
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'app', 'app_private') AND c.relkind = 'i' AND octet_length(c.relname) >= 63
