-- The overlap trigger of 0003 measures the shared area on a 1e-9° grid (about 0.1 mm; the tolerance
-- stays 0.01 m²). Without a grid, GEOS first tries floating-point noding and retries on a topology
-- error; inside PGlite (PostGIS 3.6, GEOS 3.14 in WebAssembly) that first error ends the statement
-- with no row and no error, which in a PL/pgSQL trigger surfaces as "control reached end of trigger
-- procedure without RETURN" and the save failed 500. Same function as 0008 otherwise (the cell locks
-- of service_area_lock, never the city-wide exclusive lock of 0003: after the API's shared city key
-- that upgrade deadlocked every racing save), redefined here because earlier migrations are never edited.
--
-- Left exact on purpose: refresh_building_coverage (0004) and refresh_all_building_coverage (0006)
-- test ST_Covers(ST_Union(areas), building); snapping that union to a grid could move a shared edge
-- by 0.5e-9° and flip a building drawn on it from covered to not.
CREATE OR REPLACE FUNCTION service_areas_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  hits bigint[];
  total double precision;
  reason text;
BEGIN
  IF TG_OP = 'UPDATE' AND ST_AsBinary(OLD.geom) = ST_AsBinary(NEW.geom) THEN
    RETURN NEW; -- attributes only
  END IF;
  PERFORM service_area_lock(NEW.geom);
  IF NOT ST_IsValid(NEW.geom) THEN
    reason := ST_IsValidReason(NEW.geom);
    RAISE EXCEPTION 'self_intersection: service area % is not a valid polygon (%)', NEW.id, reason
      USING ERRCODE = 'WY002', DETAIL = json_build_object('reason', reason)::text;
  END IF;
  SELECT array_agg(o.id ORDER BY o.id), sum(o.area_m2)
    INTO hits, total
  FROM (
    SELECT s.id, ST_Area(ST_CollectionExtract(ST_Intersection(s.geom, NEW.geom, 1e-9), 3)::geography) AS area_m2
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
