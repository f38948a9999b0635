-- ============================================================================
-- V013: deals in pipelines of stages (issue 16, first part).
--
-- Same foundation as companies and contacts: keys lead with tenant_id, RLS per
-- permission and scope (deals:* are scopable), audit triggers, keyset pages.
-- A deal's stage belongs to its pipeline (the foreign key says so), amounts
-- are exact decimals with an ISO 4217 currency, and every stage change is
-- recorded with the time the deal spent in the stage it left
-- (deal_stage_changes, written by a trigger). Every tenant has a default
-- pipeline (seeded by a trigger on tenants; existing tenants below).
-- ============================================================================
SET lock_timeout = '5s';

INSERT INTO permissions (key, description, scopable) VALUES
  ('deals:read', 'List and view deals', true),
  ('deals:write', 'Create and edit deals, move them between stages', true),
  ('deals:delete', 'Delete deals', true),
  ('pipelines:manage', 'Create, rename, reorder and delete pipelines and their stages', false);
-- The system roles get them as they hold companies:* (owner, admin: all;
-- member: read, write; viewer: read); new tenants from app.system_role_permissions().
INSERT INTO role_permissions (tenant_id, role_id, permission_key)
SELECT r.tenant_id, r.id, k.key
  FROM roles r
  JOIN (VALUES ('owner', 'deals:read'), ('owner', 'deals:write'), ('owner', 'deals:delete'), ('owner', 'pipelines:manage'),
               ('admin', 'deals:read'), ('admin', 'deals:write'), ('admin', 'deals:delete'), ('admin', 'pipelines:manage'),
               ('member', 'deals:read'), ('member', 'deals:write'),
               ('viewer', 'deals:read')) AS k(role, key) ON k.role = r.name
 WHERE r.system
ON CONFLICT DO NOTHING;

CREATE TABLE pipelines (
  tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  name        text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  position    integer     NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pipelines_pkey PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX pipelines_name_key ON pipelines (tenant_id, lower(name));
COMMENT ON TABLE pipelines IS 'Sales pipelines of a tenant, ordered by position. Tenant-scoped.';

CREATE TABLE stages (
  tenant_id    uuid        NOT NULL,
  id           uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  pipeline_id  uuid        NOT NULL,
  name         text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  position     integer     NOT NULL DEFAULT 0,
  kind         text        NOT NULL DEFAULT 'open' CHECK (kind IN ('open', 'won', 'lost')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT stages_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT stages_pipeline_id_id_key UNIQUE (tenant_id, pipeline_id, id),
  CONSTRAINT stages_pipeline_id_fkey FOREIGN KEY (tenant_id, pipeline_id)
    REFERENCES pipelines (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX stages_name_key ON stages (tenant_id, pipeline_id, lower(name));
COMMENT ON TABLE stages IS 'The ordered stages of a pipeline; kind open, won or lost. Tenant-scoped.';
COMMENT ON COLUMN stages.kind IS 'open (the deal is in progress), won or lost (the deal is closed).';

CREATE TABLE deals (
  tenant_id            uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id                   uuid          NOT NULL DEFAULT app.uuid_generate_v7(),
  name                 text          NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 320),
  amount               numeric(20,2) CHECK (amount >= 0),
  currency             text          CHECK (currency ~ '^[A-Z]{3}$'),
  pipeline_id          uuid          NOT NULL,
  stage_id             uuid          NOT NULL,
  company_id           uuid,
  owner_id             uuid,
  expected_close_date  date,
  stage_entered_at     timestamptz   NOT NULL DEFAULT now(),
  created_at           timestamptz   NOT NULL DEFAULT now(),
  updated_at           timestamptz   NOT NULL DEFAULT now(),
  CONSTRAINT deals_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT deals_currency_check_amount CHECK ((amount IS NULL) = (currency IS NULL)),
  -- The stage must be one of the deal's pipeline.
  CONSTRAINT deals_stage_id_fkey FOREIGN KEY (tenant_id, pipeline_id, stage_id)
    REFERENCES stages (tenant_id, pipeline_id, id) ON DELETE RESTRICT,
  CONSTRAINT deals_company_id_fkey FOREIGN KEY (tenant_id, company_id)
    REFERENCES companies (tenant_id, id) ON DELETE SET NULL (company_id),
  CONSTRAINT deals_owner_id_fkey FOREIGN KEY (tenant_id, owner_id)
    REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id)
);
CREATE INDEX deals_page_idx ON deals (tenant_id, created_at DESC, id DESC);
CREATE INDEX deals_owner_page_idx ON deals (tenant_id, owner_id, created_at DESC, id DESC);
CREATE INDEX deals_stage_idx ON deals (tenant_id, pipeline_id, stage_id);
CREATE INDEX deals_company_idx ON deals (tenant_id, company_id);
COMMENT ON TABLE deals IS 'Opportunities: an amount in a currency, in a stage of a pipeline, at a company, owned by a member. Tenant-scoped.';
COMMENT ON COLUMN deals.stage_entered_at IS 'When the deal entered its current stage (set by the stage-change trigger).';

CREATE TABLE deal_contacts (
  tenant_id   uuid NOT NULL,
  deal_id     uuid NOT NULL,
  contact_id  uuid NOT NULL,
  CONSTRAINT deal_contacts_pkey PRIMARY KEY (tenant_id, deal_id, contact_id),
  CONSTRAINT deal_contacts_deal_id_fkey FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT deal_contacts_contact_id_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX deal_contacts_contact_idx ON deal_contacts (tenant_id, contact_id);
COMMENT ON TABLE deal_contacts IS 'The contacts of a deal (many to many). Tenant-scoped.';

CREATE TABLE deal_stage_changes (
  tenant_id         uuid        NOT NULL,
  id                uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  deal_id           uuid        NOT NULL,
  from_stage_id     uuid,
  to_stage_id       uuid        NOT NULL,
  changed_at        timestamptz NOT NULL DEFAULT now(),
  changed_by        uuid,
  seconds_in_stage  bigint      CHECK (seconds_in_stage >= 0),
  CONSTRAINT deal_stage_changes_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT deal_stage_changes_deal_id_fkey FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX deal_stage_changes_deal_idx ON deal_stage_changes (tenant_id, deal_id, changed_at DESC);
COMMENT ON TABLE deal_stage_changes IS
  'Every stage a deal entered, with the seconds it spent in the stage it left. Written only by the trigger on deals. Tenant-scoped.';

-- The default pipeline of every existing tenant (new tenants get it from the
-- trigger app.tenant_default_pipeline, sql/55_deals.sql).
WITH p AS (
  INSERT INTO pipelines (tenant_id, name, position)
  SELECT t.id, 'Sales', 0 FROM tenants t
  RETURNING tenant_id, id
)
INSERT INTO stages (tenant_id, pipeline_id, name, position, kind)
SELECT p.tenant_id, p.id, s.name, s.position, s.kind
  FROM p, (VALUES ('Lead', 0, 'open'), ('Qualified', 1, 'open'), ('Proposal', 2, 'open'), ('Negotiation', 3, 'open'),
                  ('Won', 4, 'won'), ('Lost', 5, 'lost')) AS s(name, position, kind);
