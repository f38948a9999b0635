-- title: Tenant table whose keys do not lead with tenant_id
-- level: error
-- Primary keys, unique constraints, unique indexes and foreign keys to other
-- tenant tables lead with tenant_id (schemas public and app_private), so that
-- no row can reference another tenant's row and the schema can be
-- distributed by tenant_id (Citus: every primary key and unique index must
-- contain the distribution column; docs/scaling.md). Lookups before a tenant
-- is known use plain indexes. The only exception: a table whose tenant_id may
-- be NULL (rows that can concern no tenant, kept on one node) and that says so
-- in its COMMENT ("Authentication table..." or "Security events that concern
-- no tenant...").
WITH tenant_tables AS (
  SELECT c.oid, a.attnotnull AS tenant_required
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
   WHERE n.nspname IN ('public', 'app_private') AND c.relkind IN ('r', 'p')
     AND (a.attnotnull
          OR (coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'Authentication table%'
              AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'Security events that concern no tenant%'))
)
SELECT con.conrelid::regclass::text AS object,
       format('%s %s does not lead with tenant_id', CASE con.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint'
                                                                    ELSE 'foreign key' END, con.conname) AS detail
  FROM pg_constraint con
  JOIN tenant_tables t ON t.oid = con.conrelid
  JOIN pg_attribute first ON first.attrelid = con.conrelid AND first.attnum = con.conkey[1]
 WHERE con.contype IN ('p', 'u', 'f')
   AND first.attname <> 'tenant_id'
   AND (con.contype <> 'f'
        OR EXISTS (SELECT 1 FROM pg_attribute fa WHERE fa.attrelid = con.confrelid AND fa.attname = 'tenant_id' AND NOT fa.attisdropped))
UNION ALL
SELECT x.indrelid::regclass::text, format('unique index %s does not lead with tenant_id', x.indexrelid::regclass)
  FROM pg_index x
  JOIN tenant_tables t ON t.oid = x.indrelid
 WHERE x.indisunique
   AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.contype IN ('p', 'u'))
   AND (x.indkey[0] = 0
        OR (SELECT attname FROM pg_attribute WHERE attrelid = x.indrelid AND attnum = x.indkey[0]) <> 'tenant_id')
UNION ALL
SELECT c.oid::regclass::text, 'tenant table without a primary key'
  FROM tenant_tables t JOIN pg_class c ON c.oid = t.oid
 WHERE NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype = 'p')
