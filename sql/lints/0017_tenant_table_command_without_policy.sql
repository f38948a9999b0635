-- title: Tenant table without a policy for every command
-- level: error
-- DATABASE.md invariant 4: every tenant-scoped table has a policy for each
-- of SELECT, INSERT, UPDATE and DELETE (an explicit `false` where the API
-- role may not), so a grant added later cannot open a command by accident.
SELECT c.oid::regclass::text AS object, 'no policy for ' || k.command AS detail
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN (VALUES ('SELECT', 'r'), ('INSERT', 'a'), ('UPDATE', 'w'), ('DELETE', 'd')) AS k(command, polcmd)
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
   AND (c.relname = 'tenants'
        OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
   AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polcmd IN (k.polcmd, '*')
                     AND p.polroles <> ARRAY[c.relowner])
