-- title: The API role holds more than requests need
-- level: error
-- tenet_api must own nothing, never bypass RLS, log in, TRUNCATE, REFERENCES
-- or CREATE in a schema.
SELECT 'role tenet_api' AS object, 'has ' || attr AS detail
  FROM pg_roles r,
       LATERAL (VALUES ('SUPERUSER', r.rolsuper), ('BYPASSRLS', r.rolbypassrls), ('LOGIN', r.rolcanlogin),
                       ('CREATEROLE', r.rolcreaterole), ('CREATEDB', r.rolcreatedb)) AS a(attr, has)
 WHERE r.rolname = 'tenet_api' AND a.has
UNION ALL
SELECT c.oid::regclass::text, 'is owned by tenet_api'
  FROM pg_class c WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = 'tenet_api')
UNION ALL
SELECT p.oid::regprocedure::text, 'is owned by tenet_api'
  FROM pg_proc p WHERE p.proowner = (SELECT oid FROM pg_roles WHERE rolname = 'tenet_api')
UNION ALL
SELECT c.oid::regclass::text, 'tenet_api may ' || priv
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, (VALUES ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) AS v(priv)
 WHERE n.nspname IN ('public', 'app', 'app_private') AND c.relkind IN ('r', 'p')
   AND has_table_privilege('tenet_api', c.oid, priv)
UNION ALL
SELECT 'schema ' || n.nspname, 'tenet_api may CREATE in it'
  FROM pg_namespace n
 WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema' AND has_schema_privilege('tenet_api', n.oid, 'CREATE')
