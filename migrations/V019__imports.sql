-- ============================================================================
-- V019: CSV imports (issue 17).
--
-- * imports (public, RLS: each member sees the imports they made, in the
--   tenant of the request; audited): what was imported into which resource,
--   how, and how far it got.
-- * app_private.import_rows: every record an import created or updated, with
--   the previous values of what it overwrote and the record's updated_at as
--   the import left it: what revert needs. Written and read only through the
--   functions of sql/65_imports.sql, which check that the import is the
--   caller's.
-- * app_private.import_errors: the rows an import refused (the first 1,000).
-- The records themselves are written by the API under the importer's
-- request context: RLS, scopes and the audit triggers apply as to any write.
-- ============================================================================
SET lock_timeout = '5s';

CREATE TABLE imports (
  tenant_id          uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id                 uuid        NOT NULL DEFAULT app.uuid_generate_v7(),
  resource           text        NOT NULL CHECK (resource IN ('companies', 'contacts', 'deals')),
  mode               text        NOT NULL CHECK (mode IN ('create', 'update', 'upsert')),
  file_name          text        CHECK (length(file_name) <= 500),
  mapping            jsonb       NOT NULL CHECK (jsonb_typeof(mapping) = 'object'),
  status             text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'running', 'completed', 'reverted')),
  rows_total         integer     NOT NULL DEFAULT 0,
  rows_created       integer     NOT NULL DEFAULT 0,
  rows_updated       integer     NOT NULL DEFAULT 0,
  rows_failed        integer     NOT NULL DEFAULT 0,
  rows_reverted      integer     NOT NULL DEFAULT 0,
  rows_not_reverted  integer     NOT NULL DEFAULT 0,
  failure            text        CHECK (length(failure) <= 500),
  created_by         uuid        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  finished_at        timestamptz,
  reverted_at        timestamptz,
  CONSTRAINT imports_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT imports_created_by_fkey FOREIGN KEY (tenant_id, created_by)
    REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX imports_created_by_idx ON imports (tenant_id, created_by, created_at DESC, id DESC);
COMMENT ON TABLE imports IS
  'CSV imports: resource, mode, column mapping, progress and outcome. Each member sees their own. The file is never stored.';
COMMENT ON COLUMN imports.tenant_id IS 'The tenant imported into.';
COMMENT ON COLUMN imports.id IS 'The import (UUIDv7).';
COMMENT ON COLUMN imports.resource IS 'companies, contacts or deals.';
COMMENT ON COLUMN imports.mode IS 'create (every row new), update (rows name a record by id) or upsert (update when the id exists, else create).';
COMMENT ON COLUMN imports.file_name IS 'The uploaded file''s name, as the client gave it.';
COMMENT ON COLUMN imports.mapping IS 'CSV header to field name; unmapped columns are ignored.';
COMMENT ON COLUMN imports.status IS 'draft (mapped, maybe dry-run), running, completed, reverted.';
COMMENT ON COLUMN imports.rows_total IS 'Data rows read by the run.';
COMMENT ON COLUMN imports.rows_created IS 'Records the run created.';
COMMENT ON COLUMN imports.rows_updated IS 'Records the run updated.';
COMMENT ON COLUMN imports.rows_failed IS 'Rows the run refused (app_private.import_errors lists the first 1,000).';
COMMENT ON COLUMN imports.rows_reverted IS 'Records revert deleted or restored.';
COMMENT ON COLUMN imports.rows_not_reverted IS 'Records revert left alone: changed since the import, or out of the reverter''s reach.';
COMMENT ON COLUMN imports.failure IS 'Why a run stopped before the end of the file (an unreadable file, an interrupted upload).';
COMMENT ON COLUMN imports.created_by IS 'The importer: the only member who sees, runs and reverts it.';
COMMENT ON COLUMN imports.created_at IS 'When it was created.';
COMMENT ON COLUMN imports.updated_at IS 'When it last changed.';
COMMENT ON COLUMN imports.finished_at IS 'When the run ended.';
COMMENT ON COLUMN imports.reverted_at IS 'When it was reverted.';

CREATE TABLE app_private.import_rows (
  tenant_id          uuid        NOT NULL,
  import_id          uuid        NOT NULL,
  row_number         integer     NOT NULL,
  record_id          uuid        NOT NULL,
  action             text        NOT NULL CHECK (action IN ('created', 'updated')),
  previous           jsonb,
  record_updated_at  timestamptz NOT NULL,
  CONSTRAINT import_rows_pkey PRIMARY KEY (tenant_id, import_id, row_number),
  CONSTRAINT import_rows_import_fkey FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app_private.import_rows IS
  'What each import wrote: the record, created or updated, the previous values of the mapped fields, and the record''s updated_at after the import (revert restores only records unchanged since).';

CREATE TABLE app_private.import_errors (
  tenant_id   uuid    NOT NULL,
  import_id   uuid    NOT NULL,
  row_number  integer NOT NULL,
  position    integer NOT NULL,
  field       text,
  message     text    NOT NULL CHECK (length(message) <= 500),
  CONSTRAINT import_errors_pkey PRIMARY KEY (tenant_id, import_id, row_number, position),
  CONSTRAINT import_errors_import_fkey FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE app_private.import_errors IS 'The first 1,000 problems of the rows an import run refused.';
