-- ============================================================================
-- V018: webhooks (issue 17).
--
-- * webhook_endpoints (public, RLS, audited): a tenant's subscriptions, each
--   a URL and the event types it wants; managed with `webhooks:manage`.
-- * app_private.webhook_secrets: each endpoint's signing secret. The API
--   role cannot read it; the worker gets it with its claim.
-- * app_private.webhook_events / app_private.webhook_deliveries: the outbox.
--   A change to a company, contact or deal writes its event and one delivery
--   per subscribed endpoint in the transaction of the change (triggers of
--   sql/60_webhooks.sql), so an event exists exactly when its change
--   committed. The worker of `tenet serve` claims due deliveries (SKIP
--   LOCKED), signs and posts them, and reports each attempt back.
-- ============================================================================
SET lock_timeout = '5s';

INSERT INTO permissions (key, description, scopable) VALUES
  ('webhooks:manage', 'Manage webhook endpoints, read their delivery log and replay deliveries', false);
INSERT INTO role_permissions (tenant_id, role_id, permission_key)
SELECT r.tenant_id, r.id, 'webhooks:manage'
  FROM roles r
 WHERE r.system AND r.name IN ('owner', 'admin')
ON CONFLICT DO NOTHING;

CREATE TABLE webhook_endpoints (
  tenant_id             uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id                    uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  url                   text        NOT NULL CHECK (length(url) BETWEEN 10 AND 2000 AND url ~ '^https?://[^/?#@\s]+'),
  description           text        CHECK (length(description) <= 2000),
  events                text[]      NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 20
                                      AND events <@ ARRAY['company.created', 'company.updated', 'company.deleted',
                                                          'contact.created', 'contact.updated', 'contact.deleted',
                                                          'deal.created', 'deal.updated', 'deal.deleted',
                                                          'deal.stage_changed']::text[]),
  enabled               boolean     NOT NULL DEFAULT true,
  consecutive_failures  integer     NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  disabled_reason       text        CHECK (length(disabled_reason) <= 500),
  created_by            uuid,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT webhook_endpoints_created_by_fkey FOREIGN KEY (tenant_id, created_by)
    REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (created_by)
);
CREATE INDEX webhook_endpoints_page_idx ON webhook_endpoints (tenant_id, created_at DESC, id DESC);
CREATE INDEX webhook_endpoints_created_by_idx ON webhook_endpoints (tenant_id, created_by);
COMMENT ON TABLE webhook_endpoints IS
  'A tenant''s webhook subscriptions: the URL posted to and the event types it receives. Disabled by the worker after '
  'repeated failed deliveries (disabled_reason); enabling it again resets the count. Its secret is in app_private.webhook_secrets.';
COMMENT ON COLUMN webhook_endpoints.tenant_id IS 'The tenant whose events the endpoint receives.';
COMMENT ON COLUMN webhook_endpoints.id IS 'The endpoint (UUIDv7).';
COMMENT ON COLUMN webhook_endpoints.url IS 'http(s) URL the events are posted to; private and loopback addresses are refused by the server unless WEBHOOK_ALLOW_PRIVATE.';
COMMENT ON COLUMN webhook_endpoints.description IS 'What the endpoint is for, free text.';
COMMENT ON COLUMN webhook_endpoints.events IS 'The event types it receives (company|contact|deal . created|updated|deleted, deal.stage_changed).';
COMMENT ON COLUMN webhook_endpoints.enabled IS 'Whether events are queued for it and its deliveries attempted.';
COMMENT ON COLUMN webhook_endpoints.consecutive_failures IS 'Failed delivery attempts since the last success; reaching the server''s limit disables the endpoint.';
COMMENT ON COLUMN webhook_endpoints.disabled_reason IS 'Why the worker disabled it; NULL when enabled or disabled by a person.';
COMMENT ON COLUMN webhook_endpoints.created_by IS 'The member who created it.';
COMMENT ON COLUMN webhook_endpoints.created_at IS 'When it was created.';
COMMENT ON COLUMN webhook_endpoints.updated_at IS 'When it last changed.';

CREATE TABLE app_private.webhook_secrets (
  tenant_id    uuid NOT NULL,
  endpoint_id  uuid NOT NULL,
  secret       text NOT NULL CHECK (length(secret) BETWEEN 32 AND 200),
  CONSTRAINT webhook_secrets_pkey PRIMARY KEY (tenant_id, endpoint_id),
  CONSTRAINT webhook_secrets_endpoint_fkey FOREIGN KEY (tenant_id, endpoint_id)
    REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app_private.webhook_secrets IS
  'The HMAC-SHA256 signing secret of each webhook endpoint. Written by app.set_webhook_secret, read only by the worker''s claim.';

CREATE TABLE app_private.webhook_events (
  tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid        NOT NULL,
  type        text        NOT NULL,
  record_id   uuid,
  payload     jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_events_pkey PRIMARY KEY (tenant_id, id)
);
COMMENT ON TABLE app_private.webhook_events IS
  'Events of changes some endpoint subscribed to, written in the transaction of the change; payload is the body posted.';

CREATE TABLE app_private.webhook_deliveries (
  tenant_id         uuid        NOT NULL,
  id                uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  endpoint_id       uuid        NOT NULL,
  event_id          uuid        NOT NULL,
  status            text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts          integer     NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  locked_until      timestamptz,
  last_status_code  integer,
  last_error        text        CHECK (length(last_error) <= 500),
  last_attempt_at   timestamptz,
  delivered_at      timestamptz,
  replay_of         uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT webhook_deliveries_endpoint_fkey FOREIGN KEY (tenant_id, endpoint_id)
    REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT webhook_deliveries_event_fkey FOREIGN KEY (tenant_id, event_id)
    REFERENCES app_private.webhook_events (tenant_id, id) ON DELETE CASCADE
);
-- The worker's claim: due pending deliveries.
CREATE INDEX webhook_deliveries_due_idx ON app_private.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- An endpoint's delivery log, newest first.
CREATE INDEX webhook_deliveries_endpoint_idx ON app_private.webhook_deliveries (tenant_id, endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_event_idx ON app_private.webhook_deliveries (tenant_id, event_id);
COMMENT ON TABLE app_private.webhook_deliveries IS
  'One event to one endpoint: the delivery log. pending until a 2xx answer (delivered) or the last attempt (failed); '
  'the worker retries with exponential backoff. A replay is a new delivery of the same event (replay_of).';
