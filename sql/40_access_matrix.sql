-- ============================================================================
-- The access matrix: for every table of schema public and every command,
-- whether the API role may run it at all (grant + a policy that is not
-- `false`), the predicate its policies apply, the permission keys the
-- predicate requires, and which system roles hold them. A DBA queries it:
--
--   SELECT * FROM app.access_matrix WHERE table_name = 'contacts';
--   SELECT table_name, command FROM app.access_matrix WHERE 'viewer' = ANY (system_roles);
--
-- `tenet admin policy-report --json` prints the same rows.
-- ============================================================================
CREATE OR REPLACE VIEW app.access_matrix WITH (security_invoker = true) AS
WITH commands(command, privilege, polcmd) AS (
  VALUES ('SELECT', 'SELECT', 'r'), ('INSERT', 'INSERT', 'a'), ('UPDATE', 'UPDATE', 'w'), ('DELETE', 'DELETE', 'd')
), api AS (
  SELECT oid FROM pg_roles WHERE rolname = 'tenet_api'
), tables AS (
  SELECT c.oid, c.relname::text AS table_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE 'refinery%'
), cells AS (
  SELECT t.table_name, k.command,
         CASE WHEN k.privilege = 'DELETE' THEN has_table_privilege('tenet_api', t.oid, 'DELETE')
              ELSE has_any_column_privilege('tenet_api', t.oid, k.privilege) END AS granted,
         (SELECT string_agg(format('(%s)', coalesce(pg_get_expr(CASE WHEN k.polcmd = 'a' THEN p.polwithcheck ELSE p.polqual END,
                                                                p.polrelid), 'true')), ' OR ' ORDER BY p.polname)
            FROM pg_policy p
           WHERE p.polrelid = t.oid AND p.polcmd IN (k.polcmd, '*') AND p.polpermissive
             AND ((SELECT oid FROM api) = ANY (p.polroles) OR 0 = ANY (p.polroles))) AS predicate
    FROM tables t CROSS JOIN commands k
), keyed AS (
  SELECT c.*,
         coalesce((SELECT array_agg(DISTINCT m[1] ORDER BY m[1])
                     FROM regexp_matches(coalesce(c.predicate, ''), '(?:has_permission|tenant_with_permission)\(''([a-z_]+:[a-z_]+)''', 'g') AS m), '{}')
           AS permissions
    FROM cells c
)
SELECT k.table_name, k.command,
       k.granted AND k.predicate IS NOT NULL AND k.predicate <> '(false)' AS allowed,
       k.granted AS granted_to_api,
       k.predicate,
       k.permissions,
       CASE WHEN k.granted AND k.predicate IS NOT NULL AND k.predicate <> '(false)' THEN
         (SELECT coalesce(array_agg(s.name ORDER BY s.name), '{}') FROM app.system_role_permissions() s
           WHERE s.permissions @> k.permissions)
       ELSE '{}' END AS system_roles
  FROM keyed k;
COMMENT ON VIEW app.access_matrix IS
  'Table x command: whether tenet_api may run it (grant and a non-false policy), the policy predicate, the permission '
  'keys it requires and the system roles holding them (where a predicate ORs alternatives, e.g. users renaming '
  'themselves, the roles shown are those of the permission branch: read the predicate). Custom roles: join '
  'role_permissions on those keys.';
REVOKE ALL ON app.access_matrix FROM PUBLIC;
