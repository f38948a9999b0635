-- ============================================================================
-- Imports (migrations/V019): the bookkeeping revert needs, kept where the
-- API role cannot reach it except through these functions, each of which
-- acts only on an import of the caller (its creator, in the request's
-- tenant, while the context is valid). The records themselves are written
-- by the API as the importer, through RLS.
-- ============================================================================

-- The import, if it is the caller's.
CREATE OR REPLACE FUNCTION app.own_import(p_import uuid) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT i.id FROM imports i
   WHERE i.tenant_id = app.current_tenant_id() AND i.id = p_import AND i.created_by = app.current_user_id()
$$;
COMMENT ON FUNCTION app.own_import(uuid) IS 'p_import when it is an import of the caller in the request''s tenant, else NULL.';

-- One batch of a run, in one call: the records written ([{row, record_id,
-- action, previous, updated_at}]), the problems ([{row, field, message}];
-- kept up to 1,000 per import), and the import's counters, which move only
-- here, derived from what is recorded (p_total rows read; created and
-- updated counted from p_rows; the rest failed). false unless the import is
-- the caller's.
DROP FUNCTION IF EXISTS app.record_import_batch(uuid, jsonb, jsonb);
CREATE OR REPLACE FUNCTION app.record_import_batch(p_import uuid, p_total integer, p_rows jsonb, p_errors jsonb) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_tenant uuid := app.current_tenant_id();
  v_kept integer;
  v_created integer;
  v_updated integer;
BEGIN
  IF app.own_import(p_import) IS NULL OR p_total IS NULL OR p_total < 0 THEN
    RETURN false;
  END IF;
  WITH written AS (
    INSERT INTO app_private.import_rows (tenant_id, import_id, row_number, record_id, action, previous, record_updated_at)
    SELECT v_tenant, p_import, r."row", r.record_id, r.action, r.previous, r.updated_at
      FROM jsonb_to_recordset(coalesce(p_rows, '[]')) AS r("row" integer, record_id uuid, action text, previous jsonb, updated_at timestamptz)
    RETURNING action)
  SELECT count(*) FILTER (WHERE action = 'created'), count(*) FILTER (WHERE action = 'updated')
    INTO v_created, v_updated FROM written;
  IF v_created + v_updated > p_total THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'a batch records more rows than it read';
  END IF;
  UPDATE imports SET rows_total = rows_total + p_total, rows_created = rows_created + v_created,
                     rows_updated = rows_updated + v_updated, rows_failed = rows_failed + (p_total - v_created - v_updated)
   WHERE tenant_id = v_tenant AND id = p_import;
  SELECT count(*) INTO v_kept FROM app_private.import_errors e WHERE e.tenant_id = v_tenant AND e.import_id = p_import;
  INSERT INTO app_private.import_errors (tenant_id, import_id, row_number, position, field, message)
  SELECT v_tenant, p_import, (x.e ->> 'row')::integer, x.ord::integer, x.e ->> 'field', left(x.e ->> 'message', 500)
    FROM jsonb_array_elements(coalesce(p_errors, '[]')) WITH ORDINALITY AS x(e, ord)
   ORDER BY x.ord
   LIMIT greatest(1000 - v_kept, 0);
  RETURN true;
END
$$;
COMMENT ON FUNCTION app.record_import_batch(uuid, integer, jsonb, jsonb) IS
  'Records what one batch of the caller''s import wrote and refused (errors: the first 1,000 per import) and advances its counters, derived from the rows recorded.';

CREATE OR REPLACE FUNCTION app.import_rows(p_import uuid, p_after integer, p_limit integer)
RETURNS TABLE (row_number integer, record_id uuid, action text, previous jsonb, record_updated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT r.row_number, r.record_id, r.action, r.previous, r.record_updated_at
    FROM app_private.import_rows r
   WHERE r.tenant_id = app.current_tenant_id() AND r.import_id = app.own_import(p_import)
     AND r.row_number > coalesce(p_after, -1)
   ORDER BY r.row_number
   LIMIT least(greatest(p_limit, 1), 1000)
$$;
COMMENT ON FUNCTION app.import_rows(uuid, integer, integer) IS 'What the caller''s import wrote, in row order, in pages (for revert).';

CREATE OR REPLACE FUNCTION app.import_errors(p_import uuid, p_limit integer)
RETURNS TABLE (row_number integer, field text, message text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT e.row_number, e.field, e.message
    FROM app_private.import_errors e
   WHERE e.tenant_id = app.current_tenant_id() AND e.import_id = app.own_import(p_import)
   ORDER BY e.row_number, e.position
   LIMIT least(greatest(p_limit, 1), 1000)
$$;
COMMENT ON FUNCTION app.import_errors(uuid, integer) IS 'The problems of the rows the caller''s import refused (the first 1,000).';

REVOKE ALL ON FUNCTION app.own_import(uuid), app.record_import_batch(uuid, integer, jsonb, jsonb),
  app.import_rows(uuid, integer, integer), app.import_errors(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.record_import_batch(uuid, integer, jsonb, jsonb), app.import_rows(uuid, integer, integer),
  app.import_errors(uuid, integer) TO tenet_api;
