-- ============================================================================
-- Webhooks (migrations/V018): events written in the transaction of the
-- change, delivered by the worker of `tenet serve`.
--
-- app.webhook_event() is the row trigger of companies, contacts and deals. It
-- costs one indexed probe per written row when the tenant has no endpoint
-- subscribed to the event; otherwise it writes the event (the body the
-- worker posts, built from the row as the writer's transaction sees it) and
-- one pending delivery per subscribed, enabled endpoint. Rolled back with the
-- change, committed with it: no lost and no phantom events.
-- ============================================================================

CREATE OR REPLACE FUNCTION app.webhook_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_resource text := TG_ARGV[0];
  v_tenant uuid;
  v_record uuid;
  v_object jsonb;
  v_previous jsonb;
  v_types text[];
  v_type text;
  v_event uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN
    v_tenant := OLD.tenant_id; v_record := OLD.id; v_object := to_jsonb(OLD);
    v_types := ARRAY[v_resource || '.deleted'];
  ELSIF TG_OP = 'INSERT' THEN
    v_tenant := NEW.tenant_id; v_record := NEW.id; v_object := to_jsonb(NEW);
    v_types := ARRAY[v_resource || '.created'];
  ELSE
    v_tenant := NEW.tenant_id; v_record := NEW.id; v_object := to_jsonb(NEW);
    v_types := ARRAY[v_resource || '.updated'];
    IF v_resource = 'deal' AND (v_object ->> 'stage_id') IS DISTINCT FROM (to_jsonb(OLD) ->> 'stage_id') THEN
      v_types := v_types || 'deal.stage_changed'::text;
    END IF;
  END IF;
  -- The one probe every write pays: is anyone listening?
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints e
                  WHERE e.tenant_id = v_tenant AND e.enabled AND e.events && v_types) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    -- The old values of the fields that changed; no event for a write that changed nothing.
    SELECT jsonb_object_agg(o.key, o.value) INTO v_previous
      FROM jsonb_each(to_jsonb(OLD)) o
     WHERE o.value IS DISTINCT FROM v_object -> o.key AND o.key NOT IN ('updated_at', 'stage_entered_at');
    IF v_previous IS NULL THEN
      RETURN NULL;
    END IF;
  END IF;
  FOREACH v_type IN ARRAY v_types LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM webhook_endpoints e
                               WHERE e.tenant_id = v_tenant AND e.enabled AND v_type = ANY (e.events));
    v_event := app.uuid_generate_v7();
    INSERT INTO app_private.webhook_events (tenant_id, id, type, record_id, payload)
    VALUES (v_tenant, v_event, v_type, v_record,
            jsonb_build_object('id', v_event, 'type', v_type, 'created_at', now(), 'tenant_id', v_tenant,
                               'data', jsonb_build_object('object', v_object)
                                       || CASE WHEN v_previous IS NULL THEN '{}'::jsonb
                                               ELSE jsonb_build_object('previous', v_previous) END));
    INSERT INTO app_private.webhook_deliveries (tenant_id, endpoint_id, event_id)
    SELECT v_tenant, e.id, v_event FROM webhook_endpoints e
     WHERE e.tenant_id = v_tenant AND e.enabled AND v_type = ANY (e.events);
  END LOOP;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.webhook_event() IS
  'Row trigger (AFTER, argument: the resource name): writes the webhook event of the change and a delivery per subscribed '
  'enabled endpoint, in the transaction of the change. One indexed probe when nobody listens.';

CREATE OR REPLACE TRIGGER companies_webhook AFTER INSERT OR UPDATE OR DELETE ON companies
  FOR EACH ROW EXECUTE FUNCTION app.webhook_event('company');
CREATE OR REPLACE TRIGGER contacts_webhook AFTER INSERT OR UPDATE OR DELETE ON contacts
  FOR EACH ROW EXECUTE FUNCTION app.webhook_event('contact');
CREATE OR REPLACE TRIGGER deals_webhook AFTER INSERT OR UPDATE OR DELETE ON deals
  FOR EACH ROW EXECUTE FUNCTION app.webhook_event('deal');

-- Enabling an endpoint again starts its failure count afresh.
CREATE OR REPLACE FUNCTION app.webhook_endpoint_reenabled() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.enabled AND NOT OLD.enabled THEN
    NEW.consecutive_failures := 0;
    NEW.disabled_reason := NULL;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.webhook_endpoint_reenabled() IS
  'BEFORE UPDATE trigger of webhook_endpoints: an endpoint enabled again starts with no failures and no disabled_reason.';

-- Sets (or replaces) an endpoint's signing secret; false unless the caller
-- holds webhooks:manage in the endpoint's tenant.
CREATE OR REPLACE FUNCTION app.set_webhook_secret(p_endpoint uuid, p_secret text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.tenant_with_permission('webhooks:manage');
BEGIN
  IF v_tenant IS NULL OR p_secret IS NULL OR length(p_secret) < 32
     OR NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.tenant_id = v_tenant AND e.id = p_endpoint) THEN
    RETURN false;
  END IF;
  INSERT INTO app_private.webhook_secrets (tenant_id, endpoint_id, secret) VALUES (v_tenant, p_endpoint, p_secret)
  ON CONFLICT (tenant_id, endpoint_id) DO UPDATE SET secret = EXCLUDED.secret;
  RETURN true;
END
$$;
COMMENT ON FUNCTION app.set_webhook_secret(uuid, text) IS
  'Stores the signing secret of an endpoint of the caller''s tenant (webhooks:manage); false otherwise.';

-- An endpoint's delivery log, newest first, in keyset pages.
CREATE OR REPLACE FUNCTION app.webhook_deliveries(p_endpoint uuid, p_after_created timestamptz, p_after_id uuid, p_limit integer)
RETURNS TABLE (id uuid, event_id uuid, event_type text, status text, attempts integer, last_status_code integer,
               last_error text, last_attempt_at timestamptz, next_attempt_at timestamptz, delivered_at timestamptz,
               replay_of uuid, created_at timestamptz, payload jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT d.id, d.event_id, ev.type, d.status, d.attempts, d.last_status_code, d.last_error, d.last_attempt_at,
         CASE WHEN d.status = 'pending' THEN d.next_attempt_at END, d.delivered_at, d.replay_of, d.created_at, ev.payload
    FROM app_private.webhook_deliveries d
    JOIN app_private.webhook_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id
   WHERE d.tenant_id = (SELECT app.tenant_with_permission('webhooks:manage'))
     AND d.endpoint_id = p_endpoint
     AND (p_after_created IS NULL OR (d.created_at, d.id) < (p_after_created, p_after_id))
   ORDER BY d.created_at DESC, d.id DESC
   LIMIT least(greatest(p_limit, 1), 201)
$$;
COMMENT ON FUNCTION app.webhook_deliveries(uuid, timestamptz, uuid, integer) IS
  'The delivery log of an endpoint of the caller''s tenant (webhooks:manage; no rows otherwise), newest first.';

-- Queues the event of a delivery again, to the same endpoint, as a new
-- delivery (the log keeps both). No row unless the caller holds
-- webhooks:manage in the delivery's tenant.
CREATE OR REPLACE FUNCTION app.replay_webhook_delivery(p_endpoint uuid, p_delivery uuid) RETURNS uuid
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  INSERT INTO app_private.webhook_deliveries (tenant_id, endpoint_id, event_id, replay_of)
  SELECT d.tenant_id, d.endpoint_id, d.event_id, d.id
    FROM app_private.webhook_deliveries d
   WHERE d.tenant_id = (SELECT app.tenant_with_permission('webhooks:manage'))
     AND d.endpoint_id = p_endpoint AND d.id = p_delivery
  RETURNING id
$$;
COMMENT ON FUNCTION app.replay_webhook_delivery(uuid, uuid) IS
  'Replays a delivery of an endpoint of the caller''s tenant (webhooks:manage): a new pending delivery of the same event.';

-- The worker's claim: due deliveries of enabled endpoints, locked for a
-- minute (SKIP LOCKED: several processes share the work, and a delivery in
-- flight is never claimed twice; the worker's HTTP timeout is far shorter).
CREATE OR REPLACE FUNCTION app.claim_webhook_deliveries(p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid, url text, secret text, event_type text, payload jsonb, attempts integer)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  UPDATE app_private.webhook_deliveries d
     SET locked_until = now() + interval '1 minute', attempts = d.attempts + 1, last_attempt_at = now()
    FROM (SELECT due.tenant_id, due.id, e.url, s.secret, ev.type, ev.payload
            FROM app_private.webhook_deliveries due
            JOIN webhook_endpoints e ON e.tenant_id = due.tenant_id AND e.id = due.endpoint_id AND e.enabled
            JOIN app_private.webhook_secrets s ON s.tenant_id = e.tenant_id AND s.endpoint_id = e.id
            JOIN app_private.webhook_events ev ON ev.tenant_id = due.tenant_id AND ev.id = due.event_id
           WHERE due.status = 'pending' AND due.next_attempt_at <= now()
             AND (due.locked_until IS NULL OR due.locked_until < now())
           ORDER BY due.next_attempt_at
           LIMIT least(greatest(p_limit, 1), 100)
           FOR UPDATE OF due SKIP LOCKED) c
   WHERE d.tenant_id = c.tenant_id AND d.id = c.id
  RETURNING d.tenant_id, d.id, c.url, c.secret, c.type, c.payload, d.attempts
$$;
COMMENT ON FUNCTION app.claim_webhook_deliveries(integer) IS
  'The webhook worker''s claim: up to p_limit due deliveries of enabled endpoints, with URL, secret and body, locked for a minute.';

CREATE OR REPLACE FUNCTION app.webhook_delivered(p_tenant uuid, p_id uuid, p_status integer) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  WITH d AS (
    UPDATE app_private.webhook_deliveries
       SET status = 'delivered', delivered_at = now(), locked_until = NULL, last_status_code = p_status, last_error = NULL
     WHERE tenant_id = p_tenant AND id = p_id
    RETURNING tenant_id, endpoint_id
  )
  UPDATE webhook_endpoints e SET consecutive_failures = 0
    FROM d WHERE e.tenant_id = d.tenant_id AND e.id = d.endpoint_id AND e.consecutive_failures <> 0
$$;
COMMENT ON FUNCTION app.webhook_delivered(uuid, uuid, integer) IS 'A claimed delivery was answered 2xx: delivered; its endpoint''s failure count restarts.';

-- A failed attempt: retried after p_retry_base_ms * 2^(attempts - 1) (at
-- most six hours) until p_max_attempts, then failed; the endpoint is
-- disabled once p_disable_after attempts in a row have failed.
CREATE OR REPLACE FUNCTION app.webhook_failed(p_tenant uuid, p_id uuid, p_status integer, p_error text,
                                              p_retry_base_ms integer, p_max_attempts integer, p_disable_after integer)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  WITH d AS (
    UPDATE app_private.webhook_deliveries
       SET locked_until = NULL, last_status_code = p_status, last_error = left(p_error, 500),
           status = CASE WHEN attempts >= p_max_attempts THEN 'failed' ELSE 'pending' END,
           next_attempt_at = now() + make_interval(secs => least(greatest(p_retry_base_ms, 1) / 1000.0
                                                                   * power(2, least(greatest(attempts - 1, 0), 20)), 21600))
     WHERE tenant_id = p_tenant AND id = p_id AND status = 'pending'
    RETURNING tenant_id, endpoint_id
  )
  UPDATE webhook_endpoints e
     SET consecutive_failures = e.consecutive_failures + 1,
         enabled = e.enabled AND e.consecutive_failures + 1 < p_disable_after,
         disabled_reason = CASE WHEN e.consecutive_failures + 1 >= p_disable_after
                                THEN format('disabled after %s failed delivery attempts in a row', e.consecutive_failures + 1)
                                ELSE e.disabled_reason END
    FROM d WHERE e.tenant_id = d.tenant_id AND e.id = d.endpoint_id
$$;
COMMENT ON FUNCTION app.webhook_failed(uuid, uuid, integer, text, integer, integer, integer) IS
  'A claimed delivery failed: retried with exponential backoff until the last attempt; repeated failures disable the endpoint.';

-- Work waiting in the outboxes, for /api/metrics.
CREATE OR REPLACE FUNCTION app.outbox_backlog()
RETURNS TABLE (outbox text, due bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT 'webhooks', count(*) FROM app_private.webhook_deliveries d
   WHERE d.status = 'pending' AND d.next_attempt_at <= now()
  UNION ALL
  SELECT 'emails', count(*) FROM app_private.outbox_emails o WHERE o.sent_at IS NULL AND o.next_attempt_at <= now()
$$;
COMMENT ON FUNCTION app.outbox_backlog() IS 'How many webhook deliveries and mails are due and not yet sent (the metrics'' outbox backlog).';

REVOKE ALL ON FUNCTION app.webhook_event(), app.webhook_endpoint_reenabled(), app.set_webhook_secret(uuid, text),
  app.webhook_deliveries(uuid, timestamptz, uuid, integer), app.replay_webhook_delivery(uuid, uuid),
  app.claim_webhook_deliveries(integer), app.webhook_delivered(uuid, uuid, integer),
  app.webhook_failed(uuid, uuid, integer, text, integer, integer, integer), app.outbox_backlog() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.set_webhook_secret(uuid, text), app.webhook_deliveries(uuid, timestamptz, uuid, integer),
  app.replay_webhook_delivery(uuid, uuid), app.claim_webhook_deliveries(integer), app.webhook_delivered(uuid, uuid, integer),
  app.webhook_failed(uuid, uuid, integer, text, integer, integer, integer), app.outbox_backlog() TO tenet_api;
