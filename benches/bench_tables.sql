-- The tables of the pgbench baselines (schema bench), copied from the seeded
-- contacts. Runs as the superuser tenet_admin, before the server starts; the
-- tables then belong to the owner role tenet_owner and are read or written by
-- tenet_api (through tenet_web), which is neither their owner nor a superuser,
-- so row level security applies to it.
--
-- bench.contacts_minimal: the data of contacts, its primary key and page
--   index, and only a minimal RLS policy (ENABLE + FORCE):
--     tenant_id = current_setting('app.tenant_id')::uuid
--   "The list request with the cheapest possible tenant policy": what the
--   API's list is compared with.
-- bench.contacts_notrigger: contacts as it is (data, defaults, checks,
--   indexes, foreign keys, the very same RLS policies and grants, its other
--   triggers: updated_at, webhook events) without its audit trigger (the
--   hash chain). Inserting into it against inserting into contacts is the
--   cost of the audit trigger.
-- Also: pgcrypto in schema bench, to time bcrypt when python3 has no bcrypt
-- module (see run.sh).
\set ON_ERROR_STOP on
SET maintenance_work_mem = '512MB';
SET synchronous_commit = off;

DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench AUTHORIZATION tenet_owner;
GRANT USAGE ON SCHEMA bench TO tenet_api;
CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA bench;

-- Minimal policy copy -------------------------------------------------------
CREATE TABLE bench.contacts_minimal (LIKE public.contacts INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
INSERT INTO bench.contacts_minimal SELECT * FROM public.contacts;
ALTER TABLE bench.contacts_minimal ADD CONSTRAINT contacts_minimal_pkey PRIMARY KEY (tenant_id, id);
-- The index of the list query, exactly as contacts_page_idx.
SELECT regexp_replace(pg_get_indexdef('public.contacts_page_idx'::regclass),
                      '^CREATE INDEX \S+ ON \S+ ', 'CREATE INDEX contacts_minimal_page_idx ON bench.contacts_minimal ') \gexec
ALTER TABLE bench.contacts_minimal OWNER TO tenet_owner;
ALTER TABLE bench.contacts_minimal ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench.contacts_minimal FORCE ROW LEVEL SECURITY;
CREATE POLICY minimal ON bench.contacts_minimal FOR SELECT TO tenet_api
  USING (tenant_id = current_setting('app.tenant_id')::uuid);
GRANT SELECT ON bench.contacts_minimal TO tenet_api;

-- Copy without triggers ----------------------------------------------------------
-- LIKE ... INCLUDING ALL: defaults, checks, indexes (with the primary key),
-- storage, statistics; not the foreign keys, triggers or policies.
CREATE TABLE bench.contacts_notrigger (LIKE public.contacts INCLUDING ALL);
-- Load without the secondary indexes, then re-create them (as seed_data.sql).
CREATE TEMP TABLE notrigger_indexes AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
  FROM pg_index i
 WHERE i.indrelid = 'bench.contacts_notrigger'::regclass
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);
SELECT format('DROP INDEX %s', name) FROM notrigger_indexes \gexec
INSERT INTO bench.contacts_notrigger SELECT * FROM public.contacts;
SELECT def FROM notrigger_indexes \gexec
-- The foreign keys (checked for new rows; the copied rows are the checked
-- data of contacts, hence NOT VALID).
SELECT format('ALTER TABLE bench.contacts_notrigger ADD CONSTRAINT %I %s NOT VALID', conname, pg_get_constraintdef(oid))
  FROM pg_constraint WHERE conrelid = 'public.contacts'::regclass AND contype = 'f' \gexec
ALTER TABLE bench.contacts_notrigger OWNER TO tenet_owner;
ALTER TABLE bench.contacts_notrigger ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench.contacts_notrigger FORCE ROW LEVEL SECURITY;
-- The policies of contacts, verbatim.
SELECT format('CREATE POLICY %I ON bench.contacts_notrigger AS %s FOR %s TO %s %s %s', p.polname,
              CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
              CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
              (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ')
                 FROM unnest(p.polroles) r),
              'USING (' || pg_get_expr(p.polqual, p.polrelid) || ')',
              'WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')')
  FROM pg_policy p WHERE p.polrelid = 'public.contacts'::regclass \gexec
-- Every trigger of contacts but the audit trigger (until the sixth
-- session this copy had none, so the webhook trigger added later was
-- counted as the audit trigger's cost).
SELECT regexp_replace(pg_get_triggerdef(t.oid), ' ON (public\.)?contacts ', ' ON bench.contacts_notrigger ')
  FROM pg_trigger t
 WHERE t.tgrelid = 'public.contacts'::regclass AND NOT t.tgisinternal AND t.tgfoid <> 'app.audit_row()'::regprocedure \gexec
-- The grants of contacts (policies/contacts.sql).
GRANT SELECT, DELETE ON bench.contacts_notrigger TO tenet_api;
GRANT INSERT (tenant_id, first_name, last_name, email, phone, company_id, owner_id) ON bench.contacts_notrigger TO tenet_api;
GRANT UPDATE (first_name, last_name, email, phone, company_id, owner_id) ON bench.contacts_notrigger TO tenet_api;

ANALYZE bench.contacts_minimal;
ANALYZE bench.contacts_notrigger;

-- What was made (for bench_tables.log).
SELECT c.relname, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced, pg_get_userbyid(c.relowner) AS owner,
       (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) AS indexes,
       (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS user_triggers,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
  FROM pg_class c WHERE c.oid IN ('public.contacts'::regclass, 'bench.contacts_minimal'::regclass, 'bench.contacts_notrigger'::regclass);
