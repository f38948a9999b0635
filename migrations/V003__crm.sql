-- ============================================================================
-- V003: the reference CRM resources, companies and contacts. Every later CRM
-- object (deals, notes, tasks) copies this shape: one migration like this,
-- one file in policies/, one module in src/api/.
--
-- Keys and references lead with tenant_id, so a row can never point at
-- another tenant's company or owner (owners are memberships of the tenant).
-- Lists page by (created_at DESC, id DESC); `q` searches use trigram indexes
-- that lead with tenant_id (btree_gin), so a page costs the same at ten
-- thousand rows or ten million.
-- ============================================================================
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE companies (
  tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  name        text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 320),
  domain      text        CHECK (length(domain) <= 2000),
  industry    text        CHECK (length(industry) <= 2000),
  owner_id    uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT companies_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT companies_owner_fkey FOREIGN KEY (tenant_id, owner_id)
    REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id)
);
CREATE INDEX companies_page_idx ON companies (tenant_id, created_at DESC, id DESC);
CREATE INDEX companies_name_trgm_idx ON companies USING gin (tenant_id, name gin_trgm_ops);
CREATE INDEX companies_domain_trgm_idx ON companies USING gin (tenant_id, domain gin_trgm_ops);
CREATE INDEX companies_owner_idx ON companies (tenant_id, owner_id);
COMMENT ON TABLE companies IS 'CRM companies (accounts). Tenant-scoped.';
COMMENT ON COLUMN companies.owner_id IS 'A member of the same tenant responsible for the company.';

CREATE TABLE contacts (
  tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  first_name  text        NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 320),
  last_name   text        CHECK (length(last_name) <= 320),
  email       text        CHECK (length(email) <= 320 AND email ~ '^[^@\s]+@[^@\s]+$'),
  phone       text        CHECK (length(phone) <= 2000),
  company_id  uuid,
  owner_id    uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT contacts_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT contacts_company_fkey FOREIGN KEY (tenant_id, company_id)
    REFERENCES companies (tenant_id, id) ON DELETE SET NULL (company_id),
  CONSTRAINT contacts_owner_fkey FOREIGN KEY (tenant_id, owner_id)
    REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id)
);
CREATE INDEX contacts_page_idx ON contacts (tenant_id, created_at DESC, id DESC);
CREATE INDEX contacts_company_page_idx ON contacts (tenant_id, company_id, created_at DESC, id DESC);
CREATE INDEX contacts_first_name_trgm_idx ON contacts USING gin (tenant_id, first_name gin_trgm_ops);
CREATE INDEX contacts_last_name_trgm_idx ON contacts USING gin (tenant_id, last_name gin_trgm_ops);
CREATE INDEX contacts_email_trgm_idx ON contacts USING gin (tenant_id, email gin_trgm_ops);
CREATE INDEX contacts_owner_idx ON contacts (tenant_id, owner_id);
COMMENT ON TABLE contacts IS 'CRM contacts (people), optionally at a company of the same tenant. Tenant-scoped.';
