-- title: Tenant table whose keys do not lead with tenant_id
-- level: error
-- Primary keys, unique constraints and foreign keys to other tenant tables
-- lead with tenant_id, so that no row can reference another tenant's row and
-- the schema can be distributed by tenant_id (Citus-style). The
-- authentication tables found before a tenant is known are the documented
-- exception and say so in their COMMENT.
SELECT con.conrelid::regclass::text AS object,
       format('%s %s does not lead with tenant_id', CASE con.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint'
                                                                    ELSE 'foreign key' END, con.conname) AS detail
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute first ON first.attrelid = con.conrelid AND first.attnum = con.conkey[1]
 WHERE n.nspname = 'public' AND con.contype IN ('p', 'u', 'f')
   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
   AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'Authentication table%'
   AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'Security events that concern no tenant%'
   AND first.attname <> 'tenant_id'
   AND (con.contype <> 'f'
        OR EXISTS (SELECT 1 FROM pg_attribute fa WHERE fa.attrelid = con.confrelid AND fa.attname = 'tenant_id' AND NOT fa.attisdropped))
UNION ALL
SELECT c.oid::regclass::text, 'tenant table without a primary key'
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
   AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype = 'p')
