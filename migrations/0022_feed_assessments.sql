-- 五有 assessments in the change feed (issue 12): one user's assessment reaches the compound cards
-- other users have open, live. five_target_assessments rows are reported like ledger items (0016):
-- under 'assessments' by their compound's id, with the compound's street and a box around its
-- outline, in the same event and NOTIFY the commit-time flush makes. An assessment bumps no tile
-- layer (no tile draws 五有 states), so its event's "layers" is empty.
--
-- note_row_change is 0016's, with one change: 'assessments' takes the compound-keyed branch of
-- 'ledger' (rid, geometry and street from the compound).

CREATE OR REPLACE FUNCTION note_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
  IF TG_ARGV[0] IN ('ledger', 'assessments') THEN
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

CREATE TRIGGER five_target_assessments_change_feed AFTER INSERT OR UPDATE OR DELETE ON five_target_assessments
  FOR EACH ROW EXECUTE FUNCTION note_row_change('assessments');
