-- The catalog facts the rest of the suite builds on: the API role is
-- unprivileged, every table of schema public is behind forced row-level
-- security, nothing is executable by PUBLIC, and the internal SECURITY
-- DEFINER functions are out of the API role's reach.
BEGIN;
SET LOCAL search_path = public, tap, tests;
SELECT plan(22);

-- ---------------------------------------------------------------------------
-- The API role.
-- ---------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'tenet_api'$$,
  $$VALUES (false, false, false, false, false)$$,
  'tenet_api cannot log in, is no superuser, does not bypass RLS, creates no roles or databases');

SELECT is_empty(
  $$SELECT c.oid::regclass::text FROM pg_class c WHERE c.relowner = 'tenet_api'::regrole
    UNION ALL SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proowner = 'tenet_api'::regrole
    UNION ALL SELECT n.nspname::text FROM pg_namespace n WHERE n.nspowner = 'tenet_api'::regrole$$,
  'tenet_api owns no relation, function or schema');

SELECT is_empty(
  $$SELECT r.rolname::text FROM pg_roles r
     WHERE pg_has_role('tenet_api', r.oid, 'MEMBER') AND r.rolname <> 'tenet_api'$$,
  'tenet_api is a member of no other role');

SELECT is(has_database_privilege('tenet_api', current_database(), 'TEMPORARY'), false,
  'tenet_api cannot create temporary tables (nothing can shadow a table)');

SELECT results_eq(
  $$SELECT s, has_schema_privilege('tenet_api', s, 'USAGE'), has_schema_privilege('tenet_api', s, 'CREATE')
      FROM unnest(ARRAY['public', 'app', 'app_private', 'extensions']) s ORDER BY s$$,
  $$VALUES ('app', true, false), ('app_private', false, false), ('extensions', false, false), ('public', true, false)$$,
  'tenet_api uses schemas public and app, creates nothing, cannot name app_private or extensions');

-- ---------------------------------------------------------------------------
-- Row-level security.
-- ---------------------------------------------------------------------------
SELECT is_empty(
  $$SELECT c.relname::text FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
       AND c.relname NOT LIKE 'refinery%' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)$$,
  'every table of schema public has row-level security enabled and forced');

SELECT isnt_empty(
  $$SELECT 1 FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname = 'companies'$$,
  'the schema under test is there (companies)');

SELECT is_empty(
  $$SELECT c.relname::text FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
       AND c.relname IN ('tenants', 'memberships', 'roles', 'role_permissions', 'membership_roles',
                         'companies', 'contacts', 'audit_log')
       AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND 'tenet_api'::regrole = ANY (p.polroles))$$,
  'every tenant table has policies for tenet_api');

-- Every permissive policy granting tenet_api something on a tenant table is
-- bound to the validated tenant (or is an explicit "no").
SELECT is_empty(
  $$SELECT format('%s: %s', c.relname, p.polname) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
     WHERE c.relnamespace = 'public'::regnamespace
       AND c.relname IN ('tenants', 'memberships', 'roles', 'role_permissions', 'membership_roles',
                         'companies', 'contacts', 'audit_log', 'invitations', 'invitation_roles',
                         'api_keys', 'api_key_roles')
       AND 'tenet_api'::regrole = ANY (p.polroles) AND p.polpermissive
       AND EXISTS (SELECT 1 FROM unnest(ARRAY[pg_get_expr(p.polqual, p.polrelid),
                                              pg_get_expr(p.polwithcheck, p.polrelid)]) e
                    WHERE e IS NOT NULL AND e <> 'false' AND e NOT LIKE '%app.current_tenant_id()%'
                      AND e NOT LIKE '%app.tenant_with_permission(%')$$,
  'every tenet_api policy of a tenant table is bound to app.current_tenant_id() or app.tenant_with_permission(key), or is false');

SELECT is_empty(
  $$SELECT format('%s %s', c.relname, x.privilege_type) FROM pg_class c,
           aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
       AND x.grantee IN (0, 'tenet_api'::regrole)
       AND x.privilege_type IN ('TRUNCATE', 'REFERENCES', 'TRIGGER')$$,
  'tenet_api (and PUBLIC) hold no TRUNCATE, REFERENCES or TRIGGER privilege on any table');

SELECT is_empty(
  $$SELECT c.relname::text FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x
     WHERE c.relnamespace IN ('public'::regnamespace, 'app'::regnamespace) AND x.grantee = 0$$,
  'PUBLIC holds no privilege on any table or view of public or app');

SELECT results_eq(
  $$SELECT has_column_privilege('tenet_api', 'sessions', 'secret_hash', 'SELECT'),
           has_column_privilege('tenet_api', 'sessions', 'refresh_token_hash', 'SELECT')$$,
  $$VALUES (false, false)$$,
  'tenet_api cannot read a session''s secret or refresh-token hash');

-- ---------------------------------------------------------------------------
-- Functions.
-- ---------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace), 0::bigint,
  'schema public holds no function (extensions, pgTAP included, live elsewhere)');

SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace IN ('public'::regnamespace, 'app'::regnamespace, 'app_private'::regnamespace)
       AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                    WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')$$,
  'no function of public, app or app_private is executable by PUBLIC');

SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.prosecdef AND p.pronamespace IN ('public'::regnamespace, 'app'::regnamespace, 'app_private'::regnamespace)
       AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')$$,
  'every SECURITY DEFINER function pins its search_path');

SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.prosecdef AND p.proowner = 'tenet_api'::regrole$$,
  'no SECURITY DEFINER function runs as tenet_api');

SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'app'::regnamespace
       AND p.proname IN ('audit_append', 'audit_row', 'audit_guard', 'audit_chain_guard', 'audit_verify',
                         'start_session', 'create_tenant_with_owner', 'seed_system_roles', 'log_security_event',
                         'password_hash_of', 'unique_slug', 'fake_bcrypt_salt', 'login_retry_after',
                         'revoke_sessions_of_membership')
       AND has_function_privilege('tenet_api', p.oid, 'EXECUTE')$$,
  'tenet_api cannot execute the internal functions (audit writer, session opener, tenant creation, hashes)');

SELECT throws_ok(
  $$SET LOCAL role tenet_api; SELECT app.audit_append(gen_random_uuid(), 'x', 'x', NULL, '{}', NULL)$$,
  '42501', NULL,
  'as tenet_api, calling app.audit_append is refused');
RESET role;

SELECT throws_ok(
  $$SET LOCAL role tenet_api; SELECT count(*) FROM app_private.user_secrets$$,
  '42501', NULL,
  'as tenet_api, app_private cannot even be named');
RESET role;

-- ---------------------------------------------------------------------------
-- SQL functions that can be inlined are. PostgreSQL inlines a LANGUAGE sql
-- function (no SECURITY DEFINER, no SET, one SELECT) into the plan of its
-- caller unless it is declared less volatile than its body; otherwise it
-- parses and plans the body again in every transaction that calls it (this
-- cost every audited write a quarter of its audit overhead while
-- app.audit_content was IMMUTABLE around a STABLE concat_ws). Each candidate
-- is explained with column arguments (a materialized CTE, so no argument is
-- a constant to fold), and its name must not survive in the plan's output.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.sql_function_inlining() RETURNS TABLE (fn text, inlined boolean)
LANGUAGE plpgsql AS $f$
DECLARE
  f record;
  line text;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure::text AS sig, p.oid::regproc::text AS name,
           (SELECT string_agg(format('NULL::%s AS a%s', format_type(t, NULL), n), ', ' ORDER BY n)
              FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, n)) AS cols,
           (SELECT string_agg(format('x.a%s', n), ', ' ORDER BY n)
              FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, n)) AS args
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.pronamespace IN ('app'::regnamespace, 'public'::regnamespace) AND l.lanname = 'sql' AND p.prokind = 'f'
       AND NOT p.prosecdef AND p.proconfig IS NULL AND NOT p.proretset AND p.prorettype <> 'record'::regtype
  LOOP
    fn := f.sig;
    inlined := true;
    FOR line IN EXECUTE format('EXPLAIN (VERBOSE, COSTS OFF) %s SELECT %s(%s)%s',
                               CASE WHEN f.cols IS NOT NULL THEN format('WITH x AS MATERIALIZED (SELECT %s)', f.cols) ELSE '' END,
                               f.name, coalesce(f.args, ''), CASE WHEN f.cols IS NOT NULL THEN ' FROM x' ELSE '' END) LOOP
      IF line LIKE '%Output:%' AND position(f.name || '(' IN line) > 0 THEN
        inlined := false;
      END IF;
    END LOOP;
    RETURN NEXT;
  END LOOP;
END
$f$;

SELECT ok((SELECT count(*) >= 5 AND bool_or(fn = 'app.audit_content(audit_log)') FROM pg_temp.sql_function_inlining()),
  'the inlining check examines the plain SQL functions, app.audit_content among them');

SELECT is_empty(
  $$SELECT fn FROM pg_temp.sql_function_inlining() WHERE NOT inlined$$,
  'every plain LANGUAGE sql function is inlined into its caller''s plan (declared no less volatile than its body)');

SELECT is(current_user::text, session_user::text, 'back to the session user');

SELECT * FROM finish();
ROLLBACK;
