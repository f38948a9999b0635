-- Tenants 2..:tenants with their owners, memberships and system roles, as the
-- owner role through the app's own entry point (the audit triggers on
-- tenants, roles, memberships... fire as in production). Tenant 1 is created
-- beforehand with `tenet admin create-tenant`, which also yields the bcrypt
-- hash (cost 10) reused here for every owner: all owners share one password.
-- psql variables: tenants, hash.
\set ON_ERROR_STOP on
SELECT count(*) AS tenants_created
  FROM generate_series(2, :tenants) AS i,
       LATERAL app.create_tenant_with_owner(
         format('Bench Tenant %s', lpad(i::text, 4, '0')),
         format('owner%s@bench.example', lpad(i::text, 4, '0')),
         format('Owner %s', lpad(i::text, 4, '0')),
         :'hash', false);
