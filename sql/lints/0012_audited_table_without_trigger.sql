-- title: Tenant table without its audit trigger
-- level: error
-- Every change to tenant data is recorded by the database in the same
-- transaction (DATABASE.md invariant 6): each tenant table carries a row
-- trigger calling app.audit_row(). The audit tables themselves and the
-- authentication tables (which log through app.log_security_event) are not.
SELECT c.oid::regclass::text AS object, 'no row trigger calling app.audit_row()' AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
   AND (c.relname = 'tenants'
        OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
   AND c.relname NOT IN ('audit_log', 'audit_chain_heads', 'audit_chain_anchors')
   AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'Authentication table%'
   AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'Security events that concern no tenant%'
   AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
                     AND t.tgfoid = 'app.audit_row()'::regprocedure)
