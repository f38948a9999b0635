-- ============================================================================
-- Audit logging inside the database (DATABASE.md invariant 6).
--
--   app.audit_append()  the only writer of audit_log: appends one entry to a
--                       tenant's hash chain, in the caller's transaction.
--   app.audit_row()     generic AFTER row trigger on every audited table.
--   app.audit_guard()   refuses UPDATE, DELETE and TRUNCATE of audit_log, for
--                       everyone including the owner and superusers, unless
--                       the maintenance switch is set; every change made
--                       under the switch is itself appended to the chain.
--   app.audit_verify()  recomputes a tenant's chain and names the first
--                       broken entry.
--
-- Maintenance switch (documented in docs/AUDIT.md):
--   SET LOCAL tenet.audit_maintenance = '<reason>';
-- ============================================================================

-- The bytes an entry's hash covers, in a fixed order and format (timestamps
-- as epoch microseconds, so the session's TimeZone does not matter).
-- STABLE, as what it calls (concat_ws, extract) is: PostgreSQL inlines a SQL
-- function into its caller's plan only when the function is declared no less
-- volatile than its body; declared IMMUTABLE (until 2026-11-29) it was
-- parsed and planned again in every transaction that appended, a quarter of
-- what the audit trigger cost an insert (docs/performance.md).
CREATE OR REPLACE FUNCTION app.audit_content(r audit_log) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT convert_to(concat_ws(E'\x1f',
    r.tenant_id::text, r.seq::text, (extract(epoch FROM r.occurred_at) * 1000000)::bigint::text, r.id::text,
    coalesce(r.actor_id::text, ''), r.action, r.entity, coalesce(r.record_id::text, ''), r.changes::text,
    coalesce(r.request_id, ''), coalesce(r.ip::text, ''), coalesce(r.user_agent, ''),
    -- Added in V011: concat_ws skips a NULL, so entries made without an API
    -- key (all older ones) hash exactly as before.
    r.actor_api_key_id::text), 'UTF8')
$$;
COMMENT ON FUNCTION app.audit_content(audit_log) IS
  'The hashed content of an audit entry: every column in a fixed format (see docs/AUDIT.md).';

CREATE OR REPLACE FUNCTION app.audit_zero_hash() RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT decode(repeat('00', 32), 'hex') $$;
COMMENT ON FUNCTION app.audit_zero_hash() IS
  '32 zero bytes: the prev_hash of a tenant''s first audit entry.';

CREATE OR REPLACE FUNCTION app.audit_append(
  p_tenant uuid, p_action text, p_entity text, p_record uuid, p_changes jsonb, p_actor uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_head app_private.audit_chain_heads;
  r audit_log;
BEGIN
  IF p_tenant IS NULL THEN
    RAISE EXCEPTION 'audit entries need a tenant';
  END IF;
  -- Lock this tenant's chain head until commit: appends to one tenant are
  -- serialised, other tenants are not affected.
  SELECT * INTO v_head FROM app_private.audit_chain_heads WHERE tenant_id = p_tenant FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO app_private.audit_chain_heads (tenant_id, seq, hash) VALUES (p_tenant, 0, app.audit_zero_hash())
    ON CONFLICT (tenant_id) DO NOTHING;
    SELECT * INTO v_head FROM app_private.audit_chain_heads WHERE tenant_id = p_tenant FOR UPDATE;
  END IF;

  r.tenant_id   := p_tenant;
  r.occurred_at := now();
  r.id          := app.uuid_generate_v7();
  r.seq         := v_head.seq + 1;
  r.actor_id    := p_actor;
  -- A request made with an API key names the key too (its session id).
  r.actor_api_key_id := (SELECT s.id FROM sessions s
                          WHERE s.id = app.current_session_id() AND s.kind = 'api_key' AND s.user_id = p_actor);
  r.action      := p_action;
  r.entity      := p_entity;
  r.record_id   := p_record;
  r.changes     := coalesce(p_changes, '{}');
  r.request_id  := app.request_id();
  r.ip          := app.client_ip();
  r.user_agent  := app.user_agent();
  r.prev_hash   := v_head.hash;
  r.hash        := sha256(r.prev_hash || app.audit_content(r));

  INSERT INTO audit_log SELECT r.*;
  UPDATE app_private.audit_chain_heads SET seq = r.seq, hash = r.hash WHERE tenant_id = p_tenant;
END
$$;
COMMENT ON FUNCTION app.audit_append(uuid, text, text, uuid, jsonb, uuid) IS
  'Appends one entry to a tenant''s audit chain. The only writer of audit_log.';

-- Generic row trigger: AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW
-- EXECUTE FUNCTION app.audit_row('<entity>', '<record id column>').
-- Records the old and new values of the columns that changed; secrets and
-- bookkeeping columns are never copied.
CREATE OR REPLACE FUNCTION app.audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_old jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  v_new jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  v_row jsonb := coalesce(v_new, v_old);
  v_changes jsonb;
  v_tenant uuid;
BEGIN
  -- One query rather than a loop of assignments (each a jsonb copy).
  SELECT coalesce(jsonb_object_agg(k, jsonb_build_object('old', v_old -> k, 'new', v_new -> k)), '{}') INTO v_changes
    FROM jsonb_object_keys(v_row) k
   WHERE k NOT IN ('id', 'tenant_id', 'created_at', 'updated_at', 'password_hash', 'refresh_token_hash', 'token_hash',
                   'last_used_at', 'consecutive_failures',
                   'rows_total', 'rows_created', 'rows_updated', 'rows_failed', 'rows_reverted', 'rows_not_reverted')
     AND (v_old -> k) IS DISTINCT FROM (v_new -> k);
  IF TG_OP = 'UPDATE' AND v_changes = '{}' THEN
    RETURN NULL; -- nothing that matters changed
  END IF;
  -- The tenant: the row's own (tenants: its id); for global rows (users),
  -- the tenant of the request that changed it.
  v_tenant := CASE WHEN TG_TABLE_NAME = 'tenants' THEN (v_row ->> 'id')::uuid
                   WHEN v_row ? 'tenant_id' THEN (v_row ->> 'tenant_id')::uuid
                   ELSE app.current_tenant_id() END;
  IF v_tenant IS NULL THEN
    RETURN NULL; -- a global row changed outside any tenant (migrations, operators)
  END IF;
  PERFORM app.audit_append(v_tenant, lower(TG_OP), TG_ARGV[0], (v_row ->> TG_ARGV[1])::uuid, v_changes,
                           app.current_user_id());
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.audit_row() IS
  'Row trigger of every audited table: appends the change (actor, action, record, changed values) to the tenant''s audit chain.';

-- ---------------------------------------------------------------------------
-- Append-only.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.audit_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_reason text := nullif(current_setting('tenet.audit_maintenance', true), '');
BEGIN
  IF v_reason IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = format('audit_log is append-only: %s refused', TG_OP),
      HINT = 'Maintenance needs SET LOCAL tenet.audit_maintenance = ''<reason>'' and is itself recorded (docs/AUDIT.md).';
  END IF;
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO app_private.security_events (action, details)
    VALUES ('audit.maintenance', jsonb_build_object('operation', 'truncate', 'reason', v_reason, 'db_user', session_user::text));
    RETURN NULL;
  END IF;
  PERFORM app.audit_append(OLD.tenant_id, 'audit.maintenance', 'audit_log', OLD.id,
    jsonb_build_object('operation', lower(TG_OP), 'reason', v_reason, 'db_user', session_user::text, 'seq', OLD.seq),
    NULL);
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION app.audit_guard() IS
  'Trigger: refuses UPDATE, DELETE and TRUNCATE of audit_log for everyone, unless the logged maintenance switch is on.';


-- ---------------------------------------------------------------------------
-- Verification.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.audit_verify(p_tenant uuid)
RETURNS TABLE (ok boolean, checked bigint, broken_seq bigint, broken_id uuid, problem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  r audit_log;
  v_head app_private.audit_chain_heads;
  v_prev bytea;
  v_next bigint;
  v_count bigint := 0;
BEGIN
  SELECT * INTO v_head FROM app_private.audit_chain_heads h WHERE h.tenant_id = p_tenant;
  FOR r IN SELECT * FROM audit_log a WHERE a.tenant_id = p_tenant ORDER BY a.seq LOOP
    IF v_prev IS NULL THEN
      IF r.seq = 1 THEN
        v_prev := app.audit_zero_hash();
      ELSE
        SELECT an.hash INTO v_prev FROM app_private.audit_chain_anchors an WHERE an.tenant_id = p_tenant AND an.seq = r.seq - 1;
        IF v_prev IS NULL THEN
          RETURN QUERY SELECT false, v_count, r.seq, r.id, 'entries before this one are missing and no archive anchor covers them';
          RETURN;
        END IF;
      END IF;
      v_next := r.seq;
    END IF;
    IF r.seq <> v_next THEN
      RETURN QUERY SELECT false, v_count, r.seq, r.id, format('entries %s to %s are missing', v_next, r.seq - 1);
      RETURN;
    END IF;
    IF r.prev_hash <> v_prev THEN
      RETURN QUERY SELECT false, v_count, r.seq, r.id, 'prev_hash does not match the previous entry';
      RETURN;
    END IF;
    IF r.hash <> sha256(r.prev_hash || app.audit_content(r)) THEN
      RETURN QUERY SELECT false, v_count, r.seq, r.id, 'the entry does not match its hash: it was edited';
      RETURN;
    END IF;
    v_prev := r.hash;
    v_next := r.seq + 1;
    v_count := v_count + 1;
  END LOOP;
  IF v_head.seq IS NULL AND v_count > 0 THEN
    RETURN QUERY SELECT false, v_count, NULL::bigint, NULL::uuid, 'the chain head is missing';
    RETURN;
  END IF;
  IF v_head.seq IS NOT NULL AND v_head.seq > 0 AND (v_next IS NULL OR v_head.seq <> v_next - 1 OR v_head.hash <> v_prev) THEN
    RETURN QUERY SELECT false, v_count, coalesce(v_next, 1), NULL::uuid,
      format('the chain head is at entry %s: later entries are missing', v_head.seq);
    RETURN;
  END IF;
  RETURN QUERY SELECT true, v_count, NULL::bigint, NULL::uuid, NULL::text;
END
$$;
COMMENT ON FUNCTION app.audit_verify(uuid) IS 'Recomputes a tenant''s audit hash chain; names the first broken entry.';

-- ---------------------------------------------------------------------------
-- Audited tables.
-- ---------------------------------------------------------------------------
-- Accounts are global; a rename is recorded in the tenant whose request made it.

-- ---------------------------------------------------------------------------
-- The chain bookkeeping cannot be rewound: a head only advances to the entry
-- just appended; heads and anchors are never deleted without the switch.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.audit_chain_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_reason text := nullif(current_setting('tenet.audit_maintenance', true), '');
BEGIN
  IF TG_TABLE_NAME = 'audit_chain_heads' AND TG_OP = 'UPDATE' AND NEW.tenant_id = OLD.tenant_id
     AND NEW.seq = OLD.seq + 1
     AND EXISTS (SELECT 1 FROM audit_log a WHERE a.tenant_id = NEW.tenant_id AND a.seq = NEW.seq
                                             AND a.hash = NEW.hash AND a.prev_hash = OLD.hash) THEN
    RETURN NEW; -- an append
  END IF;
  IF v_reason IS NOT NULL THEN
    INSERT INTO app_private.security_events (action, details)
    VALUES ('audit.maintenance', jsonb_build_object('operation', lower(TG_OP), 'table', TG_TABLE_NAME,
                                                    'reason', v_reason, 'db_user', session_user::text));
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD WHEN 'TRUNCATE' THEN NULL ELSE NEW END;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
    MESSAGE = format('%s of %s refused: the audit chain only moves forward', TG_OP, TG_TABLE_NAME);
END
$$;
COMMENT ON FUNCTION app.audit_chain_guard() IS
  'Trigger: the chain heads only move forward and anchors are append-only; any other change is refused and logged.';


REVOKE ALL ON FUNCTION app.audit_content(audit_log), app.audit_zero_hash(),
  app.audit_append(uuid, text, text, uuid, jsonb, uuid), app.audit_row(), app.audit_guard(),
  app.audit_verify(uuid), app.audit_chain_guard() FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The chain head, for a tenant to keep its own copy (GET /api/audit-logs/head)
-- and notice a rewind the database itself cannot stop (a superuser can).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.audit_head()
RETURNS TABLE (tenant_id uuid, seq bigint, hash text, occurred_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.current_tenant_id();
BEGIN
  IF v_tenant IS NULL OR NOT app.has_permission('audit:read') THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT v_tenant, coalesce(h.seq, 0), encode(coalesce(h.hash, app.audit_zero_hash()), 'hex'),
         (SELECT a.occurred_at FROM audit_log a WHERE a.tenant_id = v_tenant AND a.seq = h.seq)
    FROM (SELECT 1) one LEFT JOIN app_private.audit_chain_heads h ON h.tenant_id = v_tenant;
END
$$;
COMMENT ON FUNCTION app.audit_head() IS
  'The caller''s tenant''s audit chain head (seq, hex hash, time of that entry); empty without audit:read.';
REVOKE ALL ON FUNCTION app.audit_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.audit_head() TO tenet_api;
