-- ============================================================================
-- V002: the audit log — append-only, per-tenant hash chain.
--
-- Written only by the SECURITY DEFINER function app.audit_append() (row
-- triggers on every audited table, and security events). Partition-ready by
-- time: the primary key leads with (tenant_id, occurred_at); see
-- docs/AUDIT.md for monthly partitions and archiving without breaking the
-- chain.
-- ============================================================================
CREATE TABLE audit_log (
  tenant_id    uuid        NOT NULL,
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  id           uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  seq          bigint      NOT NULL CHECK (seq > 0),
  actor_id     uuid,
  action       text        NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)?$'),
  entity       text        NOT NULL CHECK (entity ~ '^[a-z_]+$'),
  record_id    uuid,
  changes      jsonb       NOT NULL DEFAULT '{}',
  request_id   text        CHECK (length(request_id) <= 200),
  ip           inet,
  user_agent   text        CHECK (length(user_agent) <= 512),
  prev_hash    bytea       NOT NULL CHECK (length(prev_hash) = 32),
  hash         bytea       NOT NULL CHECK (length(hash) = 32),
  CONSTRAINT audit_log_pkey PRIMARY KEY (tenant_id, occurred_at, id),
  CONSTRAINT audit_log_seq_key UNIQUE (tenant_id, seq)
);
-- Pages (newest first) scan the primary key backwards: no separate index.
CREATE INDEX audit_log_record_idx ON audit_log (tenant_id, record_id, occurred_at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (tenant_id, actor_id, occurred_at DESC);
COMMENT ON TABLE audit_log IS
  'Append-only audit trail, one hash chain per tenant (seq 1, 2, ...; hash = sha256(prev_hash || content)). '
  'No foreign key to tenants on purpose: the trail outlives the rows it describes.';
COMMENT ON COLUMN audit_log.actor_id IS 'app.user_id of the request (never the database login role); NULL for system actions.';
COMMENT ON COLUMN audit_log.changes IS 'For data changes {column: {old, new}} of the columns that changed; for security events, details.';

-- The head of each tenant's chain. Locking this row serialises appends to
-- one tenant's chain and leaves other tenants' writes alone.
CREATE TABLE audit_chain_heads (
  tenant_id  uuid   NOT NULL,
  seq        bigint NOT NULL,
  hash       bytea  NOT NULL CHECK (length(hash) = 32),
  CONSTRAINT audit_chain_heads_pkey PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE audit_chain_heads IS 'Latest seq and hash of each tenant''s audit chain. Written only by app.audit_append().';

-- Where an archived (detached, exported) stretch of a chain ended, so the
-- remaining rows still verify.
CREATE TABLE audit_chain_anchors (
  tenant_id    uuid        NOT NULL,
  seq          bigint      NOT NULL,
  hash         bytea       NOT NULL CHECK (length(hash) = 32),
  archived_at  timestamptz NOT NULL DEFAULT now(),
  note         text,
  CONSTRAINT audit_chain_anchors_pkey PRIMARY KEY (tenant_id, seq)
);
COMMENT ON TABLE audit_chain_anchors IS 'Hash of the last archived audit row per archived stretch (see docs/AUDIT.md).';
