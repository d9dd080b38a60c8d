-- One change feed (issue 12): every committed write of service areas, cameras, gates, compounds and
-- ledger items (and every bump of a tile layer's version, imports included) becomes one row of
-- change_events and one NOTIFY on channel 'wuyou_changes', both made by the deferred trigger that
-- already bumps layer_versions at COMMIT (0008) — so a listener hears of a change exactly when it is
-- visible, never before and never for a rolled-back one.
--
-- Row triggers note "layer op id" in a transaction-local setting (wuyou.changes) and widen a box
-- (wuyou.bbox) around the old and new geometry; the flush turns them into the event. Bulk loads
-- (wuyou.bulk_load, the importer) note nothing per row: their event has kind 'import' and no ids.

CREATE TABLE change_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  kind         text NOT NULL,
  -- {"service-areas": [version, changed_at µs], …}: every tile layer this commit bumped
  layers       jsonb NOT NULL DEFAULT '{}',
  -- {"service-areas": {"insert": [ids], "update": [ids], "delete": [ids]}, "ledger": {…compound ids}}
  changes      jsonb NOT NULL DEFAULT '{}',
  -- more rows changed than the event lists: readers refresh the layers wholesale
  truncated    boolean NOT NULL DEFAULT false,
  -- [west, south, east, north] around every changed geometry; NULL: unknown (anywhere)
  bbox         double precision[],
  username     text,
  user_id      bigint,
  street_code  text,
  street_name  text
);

-- The ids up to which rows were pruned: a reader resuming from an older id missed events (→ reset).
CREATE TABLE change_events_pruned (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  through  bigint NOT NULL DEFAULT 0
);
INSERT INTO change_events_pruned DEFAULT VALUES;
REVOKE INSERT, UPDATE, DELETE ON change_events, change_events_pruned FROM wuyou_app;

-- Queues the commit-time flush once per transaction, whichever trigger notices a change first.
CREATE FUNCTION queue_change_flush() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF COALESCE(current_setting('wuyou.flush_queued', true), '') <> 'on' THEN
    INSERT INTO layer_version_flush DEFAULT VALUES;
    PERFORM set_config('wuyou.flush_queued', 'on', true);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  noted text := COALESCE(current_setting('wuyou.layers', true), '');
  l text;
BEGIN
  PERFORM queue_change_flush();
  FOREACH l IN ARRAY TG_ARGV LOOP
    IF NOT l = ANY (string_to_array(noted, ',')) THEN
      noted := CASE WHEN noted = '' THEN l ELSE noted || ',' || l END;
    END IF;
  END LOOP;
  PERFORM set_config('wuyou.layers', noted, true);
  RETURN NULL;
END $$;

-- TG_ARGV[0]: the layer the change is reported under.
-- Ledger items are reported under 'ledger' by their compound's id (what the map redraws).
CREATE FUNCTION note_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer := COALESCE(NULLIF(current_setting('wuyou.change_count', true), ''), '0')::integer;
  rid bigint;
  rstreet text;
  g geometry;
  box text;
  b double precision[];
BEGIN
  PERFORM queue_change_flush();
  IF current_setting('wuyou.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_ARGV[0] = 'ledger' THEN
    rid := CASE WHEN TG_OP = 'DELETE' THEN OLD.compound_id ELSE NEW.compound_id END;
    SELECT c.geom, c.street_code INTO g, rstreet FROM compounds c WHERE c.id = rid;
  ELSE
    rid := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
    IF TG_OP <> 'INSERT' THEN g := OLD.geom; END IF;
    IF TG_OP <> 'DELETE' THEN g := ST_Collect(g, NEW.geom); END IF;
    IF TG_TABLE_NAME IN ('service_areas', 'compounds') THEN
      rstreet := CASE WHEN TG_OP = 'DELETE' THEN OLD.street_code ELSE NEW.street_code END;
    END IF;
  END IF;
  IF n < 500 THEN
    PERFORM set_config('wuyou.changes',
      COALESCE(current_setting('wuyou.changes', true), '') || TG_ARGV[0] || ' ' || lower(TG_OP) || ' ' || rid || ';',
      true);
  ELSE
    PERFORM set_config('wuyou.changes_truncated', 'on', true);
  END IF;
  PERFORM set_config('wuyou.change_count', (n + 1)::text, true);
  IF rstreet IS NOT NULL AND COALESCE(current_setting('wuyou.change_street', true), '') = '' THEN
    PERFORM set_config('wuyou.change_street', rstreet, true);
  END IF;
  IF g IS NULL OR ST_IsEmpty(g) THEN
    PERFORM set_config('wuyou.bbox_unknown', 'on', true);
  ELSE
    box := NULLIF(COALESCE(current_setting('wuyou.bbox', true), ''), '');
    IF box IS NULL THEN
      b := ARRAY[ST_XMin(g), ST_YMin(g), ST_XMax(g), ST_YMax(g)];
    ELSE
      b := string_to_array(box, ',')::double precision[];
      b := ARRAY[least(b[1], ST_XMin(g)), least(b[2], ST_YMin(g)), greatest(b[3], ST_XMax(g)), greatest(b[4], ST_YMax(g))];
    END IF;
    PERFORM set_config('wuyou.bbox', array_to_string(b, ','), true);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER service_areas_change_feed AFTER INSERT OR UPDATE OR DELETE ON service_areas
  FOR EACH ROW EXECUTE FUNCTION note_row_change('service-areas');
CREATE TRIGGER cameras_change_feed AFTER INSERT OR UPDATE OR DELETE ON cameras
  FOR EACH ROW EXECUTE FUNCTION note_row_change('cameras');
CREATE TRIGGER gates_change_feed AFTER INSERT OR UPDATE OR DELETE ON gates
  FOR EACH ROW EXECUTE FUNCTION note_row_change('gates');
CREATE TRIGGER compounds_change_feed AFTER INSERT OR UPDATE OR DELETE ON compounds
  FOR EACH ROW EXECUTE FUNCTION note_row_change('compounds');
CREATE TRIGGER ledger_items_change_feed AFTER INSERT OR UPDATE OR DELETE ON ledger_items
  FOR EACH ROW EXECUTE FUNCTION note_row_change('ledger');

-- At COMMIT: bump the noted layers, write the event, NOTIFY. SECURITY DEFINER: the app role may read
-- change_events but not write it. The advisory lock makes event ids follow commit order, so a reader
-- resuming "after id N" never skips a smaller id committed later; it is held from here to the end of
-- the commit, like the layer_versions rows.
CREATE OR REPLACE FUNCTION flush_layer_versions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  layers text[] := string_to_array(NULLIF(COALESCE(current_setting('wuyou.layers', true), ''), ''), ',');
  noted text := COALESCE(current_setting('wuyou.changes', true), '');
  versions jsonb := '{}';
  changed jsonb := '{}';
  bulk boolean := COALESCE(current_setting('wuyou.bulk_load', true), '') = 'on';
  truncated boolean := COALESCE(current_setting('wuyou.changes_truncated', true), '') = 'on' OR bulk;
  box double precision[];
  who text := NULLIF(current_setting('app.user', true), '');
  who_id bigint;
  street text := COALESCE(NULLIF(current_setting('app.street_code', true), ''),
                          NULLIF(current_setting('wuyou.change_street', true), ''));
  kind text;
  ops text[];
  eid bigint;
  at_ timestamptz;
  payload text;
  street_label text;
BEGIN
  DELETE FROM layer_version_flush WHERE id = NEW.id;
  IF layers IS NULL AND noted = '' AND NOT truncated THEN
    PERFORM set_config('wuyou.flush_queued', '', true);
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(730116);
  IF layers IS NOT NULL THEN
    PERFORM 1 FROM layer_versions WHERE layer = ANY (layers) ORDER BY layer FOR UPDATE;
    WITH u AS (
      UPDATE layer_versions SET version = version + 1, changed_at = now() WHERE layer = ANY (layers)
      RETURNING layer, version, changed_at
    )
    SELECT jsonb_object_agg(layer, jsonb_build_array(version, (extract(epoch FROM changed_at) * 1000000)::bigint))
      INTO versions FROM u;
  END IF;
  IF noted <> '' THEN
    SELECT jsonb_object_agg(layer, ops_of), array_agg(DISTINCT o)
      INTO changed, ops
      FROM (SELECT layer, jsonb_object_agg(op, ids) AS ops_of, array_agg(op) AS op_list
              FROM (SELECT split_part(e, ' ', 1) AS layer, split_part(e, ' ', 2) AS op,
                           jsonb_agg(DISTINCT split_part(e, ' ', 3)::bigint) AS ids
                      FROM unnest(string_to_array(noted, ';')) AS e
                     WHERE e <> '' AND split_part(e, ' ', 3) <> ''
                     GROUP BY 1, 2) per_op
             GROUP BY layer) per_layer,
           unnest(op_list) AS o;
  END IF;
  kind := CASE
    WHEN bulk THEN 'import'
    WHEN ops IS NULL THEN 'update'
    WHEN changed ? 'service-areas' AND (changed -> 'service-areas') ? 'insert'
         AND (changed -> 'service-areas') ? 'update' THEN 'split'
    WHEN changed ? 'service-areas' AND (changed -> 'service-areas') ? 'delete'
         AND (changed -> 'service-areas') ? 'update' THEN 'merge'
    WHEN ops = ARRAY['insert'] THEN 'create'
    WHEN ops = ARRAY['delete'] THEN 'delete'
    ELSE 'update'
  END;
  IF COALESCE(current_setting('wuyou.bbox_unknown', true), '') <> 'on' AND NOT truncated THEN
    box := string_to_array(NULLIF(COALESCE(current_setting('wuyou.bbox', true), ''), ''), ',')::double precision[];
  END IF;
  IF who IS NOT NULL THEN
    SELECT u.id INTO who_id FROM users u WHERE u.username = who;
  END IF;
  IF street IS NOT NULL THEN
    SELECT j.name INTO street_label FROM jurisdictions j WHERE j.code = street;
  END IF;
  INSERT INTO change_events (kind, layers, changes, truncated, bbox, username, user_id, street_code, street_name)
  VALUES (kind, versions, COALESCE(changed, '{}'), truncated, box, who, who_id, street, street_label)
  RETURNING id, at INTO eid, at_;
  payload := jsonb_build_object(
    'id', eid, 'at', at_, 'kind', kind, 'layers', versions, 'changes', COALESCE(changed, '{}'),
    'truncated', truncated, 'bbox', box,
    'actor', jsonb_build_object('username', who, 'userId', who_id, 'streetCode', street, 'streetName', street_label)
  )::text;
  -- NOTIFY payloads end at 8000 bytes: a long event goes as its id and versions; listeners read the rest.
  IF octet_length(payload) > 7800 THEN
    payload := jsonb_build_object('id', eid, 'layers', versions, 'more', true)::text;
  END IF;
  PERFORM pg_notify('wuyou_changes', payload);
  -- A bounded log: a reconnect within minutes resumes from it; older readers are told to reset.
  IF eid % 100 = 0 THEN
    WITH gone AS (
      DELETE FROM change_events WHERE at < now() - interval '15 minutes' OR id <= eid - 20000 RETURNING id
    )
    UPDATE change_events_pruned SET through = greatest(through, (SELECT max(id) FROM gone))
     WHERE EXISTS (SELECT 1 FROM gone);
  END IF;
  PERFORM set_config('wuyou.layers', '', true);
  PERFORM set_config('wuyou.changes', '', true);
  PERFORM set_config('wuyou.change_count', '', true);
  PERFORM set_config('wuyou.changes_truncated', '', true);
  PERFORM set_config('wuyou.change_street', '', true);
  PERFORM set_config('wuyou.bbox', '', true);
  PERFORM set_config('wuyou.bbox_unknown', '', true);
  PERFORM set_config('wuyou.flush_queued', '', true);
  RETURN NULL;
END $$;
