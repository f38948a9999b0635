-- ============================================================================
-- Deals (issue 16): the default pipeline of every tenant and the record of
-- stage changes.
-- ============================================================================

-- The pipeline every tenant starts with.
CREATE OR REPLACE FUNCTION app.seed_default_pipeline(p_tenant uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_pipeline uuid;
BEGIN
  IF EXISTS (SELECT 1 FROM pipelines WHERE tenant_id = p_tenant) THEN
    RETURN;
  END IF;
  INSERT INTO pipelines (tenant_id, name, position) VALUES (p_tenant, 'Sales', 0) RETURNING id INTO v_pipeline;
  INSERT INTO stages (tenant_id, pipeline_id, name, position, kind)
  SELECT p_tenant, v_pipeline, s.name, s.position, s.kind
    FROM (VALUES ('Lead', 0, 'open'), ('Qualified', 1, 'open'), ('Proposal', 2, 'open'), ('Negotiation', 3, 'open'),
                 ('Won', 4, 'won'), ('Lost', 5, 'lost')) AS s(name, position, kind);
END
$$;
COMMENT ON FUNCTION app.seed_default_pipeline(uuid) IS
  'Creates the default pipeline (Sales: Lead, Qualified, Proposal, Negotiation, Won, Lost) of a tenant that has none.';

CREATE OR REPLACE FUNCTION app.tenant_default_pipeline() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  PERFORM app.seed_default_pipeline(NEW.id);
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.tenant_default_pipeline() IS 'Trigger: a new tenant gets the default pipeline.';

-- A deal entering a stage: stamp stage_entered_at and record the change with
-- the seconds spent in the stage it left (and the first stage on insert).
CREATE OR REPLACE FUNCTION app.record_stage_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_WHEN = 'BEFORE' THEN
    IF TG_OP = 'INSERT' OR NEW.stage_id IS DISTINCT FROM OLD.stage_id THEN
      NEW.stage_entered_at := now();
    ELSE
      NEW.stage_entered_at := OLD.stage_entered_at;
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO deal_stage_changes (tenant_id, deal_id, from_stage_id, to_stage_id, changed_by, seconds_in_stage)
    VALUES (NEW.tenant_id, NEW.id, NULL, NEW.stage_id, app.current_user_id(), NULL);
  ELSIF NEW.stage_id IS DISTINCT FROM OLD.stage_id THEN
    INSERT INTO deal_stage_changes (tenant_id, deal_id, from_stage_id, to_stage_id, changed_by, seconds_in_stage)
    VALUES (NEW.tenant_id, NEW.id, OLD.stage_id, NEW.stage_id, app.current_user_id(),
            greatest(0, floor(extract(epoch FROM now() - OLD.stage_entered_at)))::bigint);
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.record_stage_change() IS
  'Trigger on deals: stamps stage_entered_at and records every stage entered in deal_stage_changes, with the seconds '
  'spent in the stage left.';

REVOKE ALL ON FUNCTION app.seed_default_pipeline(uuid), app.tenant_default_pipeline(), app.record_stage_change() FROM PUBLIC;
