-- ============================================================================
-- audit_log: readable by holders of `audit:read`, for their tenant only.
-- Nobody writes it directly: app.audit_append() (SECURITY DEFINER, owned by
-- the migration owner) is the only writer, and app.audit_guard() refuses
-- UPDATE, DELETE and TRUNCATE even for the owner and superusers.
-- ============================================================================
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "the owner's security definer functions act on every row" ON audit_log;
CREATE POLICY "the owner's security definer functions act on every row" ON audit_log FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY "the owner's security definer functions act on every row" ON audit_log IS
  'Lets the migration owner, which owns the SECURITY DEFINER functions and triggers of sql/, act on every row: FORCE ROW LEVEL SECURITY binds the owner too. No other role matches it.';

DROP POLICY IF EXISTS "auditors read their tenant's audit log" ON audit_log;
CREATE POLICY "auditors read their tenant's audit log" ON audit_log FOR SELECT TO tenet_api
  USING (tenant_id = (SELECT app.tenant_with_permission('audit:read')));
COMMENT ON POLICY "auditors read their tenant's audit log" ON audit_log IS
  'SELECT by the API role: only rows of the request''s own tenant (a live session of an active member), with the permission audit:read. Read the predicate for the exact rule.';

DROP POLICY IF EXISTS "nobody inserts audit entries directly" ON audit_log;
CREATE POLICY "nobody inserts audit entries directly" ON audit_log FOR INSERT TO tenet_api WITH CHECK (false);
COMMENT ON POLICY "nobody inserts audit entries directly" ON audit_log IS
  'The API role may never insert into audit_log directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';
DROP POLICY IF EXISTS "audit entries are never updated" ON audit_log;
CREATE POLICY "audit entries are never updated" ON audit_log FOR UPDATE TO tenet_api USING (false) WITH CHECK (false);
COMMENT ON POLICY "audit entries are never updated" ON audit_log IS
  'The API role may never update audit_log directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';
DROP POLICY IF EXISTS "audit entries are never deleted" ON audit_log;
CREATE POLICY "audit entries are never deleted" ON audit_log FOR DELETE TO tenet_api USING (false);
COMMENT ON POLICY "audit entries are never deleted" ON audit_log IS
  'The API role may never delete from audit_log directly (it holds no such grant either); the contract keeps a policy for every command, so this one says no explicitly.';

-- The recorded values (changes) are read through audit_log_visible, which
-- leaves out the fields hidden from the reader (sql/32_record_access.sql):
-- an audit reader whose roles hide contacts.phone does not see phones in
-- the log either.
REVOKE ALL ON audit_log FROM PUBLIC, tenet_api, tenet_field_reader;
GRANT SELECT (tenant_id, occurred_at, id, seq, actor_id, action, entity, record_id, request_id, ip, user_agent,
              prev_hash, hash, actor_api_key_id) ON audit_log TO tenet_api;
GRANT SELECT ON audit_log TO tenet_field_reader;

-- Owned by tenet_field_reader like contacts_visible (see policies/contacts.sql):
-- every policy TO tenet_api applies to what it reads.
SELECT app.masking_view_begin();  -- (sql/32_record_access.sql)
CREATE OR REPLACE VIEW audit_log_visible AS
SELECT a.tenant_id, a.occurred_at, a.id, a.seq, a.actor_id, a.action, a.entity, a.record_id,
       CASE a.entity
         WHEN 'contact' THEN a.changes - (SELECT app.hidden_fields('contacts'))::text[]
         WHEN 'company' THEN a.changes - (SELECT app.hidden_fields('companies'))::text[]
         ELSE a.changes
       END AS changes,
       a.request_id, a.ip, a.user_agent, a.prev_hash, a.hash, a.actor_api_key_id
  FROM audit_log a;
COMMENT ON VIEW audit_log_visible IS
  'The audit entries the request context reaches (the policies of audit_log), without the values of fields hidden from it. What the API reads.';
REVOKE ALL ON audit_log_visible FROM PUBLIC;
GRANT SELECT ON audit_log_visible TO tenet_api;
SELECT app.masking_view_end('audit_log_visible');

-- The chain bookkeeping (heads and anchors) lives in schema app_private,
-- which the API role cannot even name: no policies needed there (V007).

-- Triggers of this table (the functions are in sql/).
CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION app.audit_guard();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION app.audit_guard();
