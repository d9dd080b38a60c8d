-- The database's own guarantee that no two 物业服务区域 overlap, whatever code path writes them.
--
-- Every INSERT or UPDATE of a service area first takes one transaction-level advisory lock (key
-- 730103, also taken by the API before it validates), so area writes run one at a time: of several
-- concurrent saves that would overlap each other, the first to commit wins and the others see it.
-- Trigger functions are volatile, so each statement in it reads with a fresh snapshot taken after the
-- lock was granted, and sees every area committed before.
--
-- Rejected with SQLSTATE WY001 (overlap; DETAIL is JSON {"with":[ids],"area_m2":…}) when the
-- interiors share more than 0.01 m² with any other area (touching and shared edges are fine; the
-- tolerance absorbs floating-point noise along a shared edge), and WY002 (self_intersection; DETAIL
-- {"reason":…}) when the polygon is not valid.
CREATE FUNCTION service_areas_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  hits bigint[];
  total double precision;
  reason text;
BEGIN
  PERFORM pg_advisory_xact_lock(730103);
  IF TG_OP = 'UPDATE' AND ST_AsBinary(OLD.geom) = ST_AsBinary(NEW.geom) THEN
    RETURN NEW; -- attributes only
  END IF;
  IF NOT ST_IsValid(NEW.geom) THEN
    reason := ST_IsValidReason(NEW.geom);
    RAISE EXCEPTION 'self_intersection: service area % is not a valid polygon (%)', NEW.id, reason
      USING ERRCODE = 'WY002', DETAIL = json_build_object('reason', reason)::text;
  END IF;
  SELECT array_agg(o.id ORDER BY o.id), sum(o.area_m2)
    INTO hits, total
  FROM (
    SELECT s.id, ST_Area(ST_CollectionExtract(ST_Intersection(s.geom, NEW.geom), 3)::geography) AS area_m2
    FROM service_areas s
    WHERE s.geom && NEW.geom
      AND s.id <> NEW.id
      AND ST_Intersects(s.geom, NEW.geom)
      AND ST_Relate(s.geom, NEW.geom, 'T********')
  ) o
  WHERE o.area_m2 > 0.01;
  IF hits IS NOT NULL THEN
    RAISE EXCEPTION 'overlap: service area % overlaps %', NEW.id, hits
      USING ERRCODE = 'WY001', DETAIL = json_build_object('with', hits, 'area_m2', total)::text;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER service_areas_no_overlap BEFORE INSERT OR UPDATE ON service_areas
  FOR EACH ROW EXECUTE FUNCTION service_areas_no_overlap();
