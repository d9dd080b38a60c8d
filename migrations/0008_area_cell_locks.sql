-- Service-area writes lock only the places they can conflict in (issue 10 #5), instead of the one
-- city-wide lock of 0003: a save in one street no longer waits for a big save in another.
--
-- The map is cut into grid cells: fine 0.01° (about 1 km) and coarse 0.1° (about 10 km). A write
-- locks the cells its polygon's bbox touches, in one global order (the city key, then coarse cells,
-- then fine cells, each sorted), so two writers never deadlock:
--   * every writer: the city key 730103 shared;
--   * a polygon touching at most 64 fine cells: its coarse cells shared, then its fine cells
--     exclusive;
--   * a larger one: its coarse cells exclusive (it waits for, and holds off, every smaller writer
--     in them);
--   * a transaction writing many rows (the seed, an import): once it would hold more than 1000 cell
--     locks, the city key exclusive, and no cell locks after that.
-- Two polygons that overlap have overlapping bboxes, so they share a cell and the second waits for
-- the first to commit; then, as before, each statement of the trigger reads with a fresh snapshot
-- and sees the first one's row: racing overlapping saves still commit exactly one. The API takes the
-- same locks (service_area_lock) before its checks, so what it checked stays true until its commit.
CREATE FUNCTION service_area_lock(g geometry) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  fine CONSTANT float8 := 0.01;
  coarse CONSTANT float8 := 0.1;
  x0 integer; x1 integer; y0 integer; y1 integer;
  n bigint;
  used bigint;
  k integer;
BEGIN
  IF g IS NULL OR ST_IsEmpty(g) OR current_setting('wuyou.area_lock', true) = 'city' THEN
    RETURN;
  END IF;
  x0 := floor(ST_XMin(g) / fine); x1 := floor(ST_XMax(g) / fine);
  y0 := floor(ST_YMin(g) / fine); y1 := floor(ST_YMax(g) / fine);
  n := (x1 - x0 + 1)::bigint * (y1 - y0 + 1);
  used := COALESCE(NULLIF(current_setting('wuyou.area_cells', true), ''), '0')::bigint;
  IF n > 64 THEN
    -- counted as its coarse cells
    n := (floor(ST_XMax(g) / coarse) - floor(ST_XMin(g) / coarse) + 1)::bigint
       * (floor(ST_YMax(g) / coarse) - floor(ST_YMin(g) / coarse) + 1);
  END IF;
  IF used + n > 1000 THEN
    PERFORM pg_advisory_xact_lock(730103);
    PERFORM set_config('wuyou.area_lock', 'city', true);
    RETURN;
  END IF;
  PERFORM set_config('wuyou.area_cells', (used + n)::text, true);
  PERFORM pg_advisory_xact_lock_shared(730103);
  IF (x1 - x0 + 1)::bigint * (y1 - y0 + 1) <= 64 THEN
    FOR k IN
      SELECT DISTINCT (cx + 1800) * 1801 + (cy + 900)
      FROM generate_series(floor(ST_XMin(g) / coarse)::integer, floor(ST_XMax(g) / coarse)::integer) cx,
           generate_series(floor(ST_YMin(g) / coarse)::integer, floor(ST_YMax(g) / coarse)::integer) cy
      ORDER BY 1
    LOOP
      PERFORM pg_advisory_xact_lock_shared(730109, k);
    END LOOP;
    FOR k IN
      SELECT (cx + 18000) * 18001 + (cy + 9000)
      FROM generate_series(x0, x1) cx, generate_series(y0, y1) cy
      ORDER BY 1
    LOOP
      PERFORM pg_advisory_xact_lock(730108, k);
    END LOOP;
  ELSE
    FOR k IN
      SELECT (cx + 1800) * 1801 + (cy + 900)
      FROM generate_series(floor(ST_XMin(g) / coarse)::integer, floor(ST_XMax(g) / coarse)::integer) cx,
           generate_series(floor(ST_YMin(g) / coarse)::integer, floor(ST_YMax(g) / coarse)::integer) cy
      ORDER BY 1
    LOOP
      PERFORM pg_advisory_xact_lock(730109, k);
    END LOOP;
  END IF;
END $$;

-- The trigger of 0003 with the cell locks instead of the city-wide one; an attribute-only update
-- takes no lock at all.
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

-- Tile layer versions (0001) were bumped by an UPDATE of one shared row per layer in a statement
-- trigger, so every write of a layer held that row until its commit: two saves anywhere in the city
-- still ran one at a time. Now the statement triggers only note the layer in the transaction, and
-- one deferred trigger bumps every noted layer at COMMIT (sorted, so never a deadlock): the row is
-- held for the moment of the commit, and readers still see the new version with the new data.
CREATE TABLE layer_version_flush (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY
);

CREATE OR REPLACE FUNCTION bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  noted text := COALESCE(current_setting('wuyou.layers', true), '');
  l text;
BEGIN
  IF noted = '' THEN
    INSERT INTO layer_version_flush DEFAULT VALUES; -- queues flush_layer_versions() for the commit
  END IF;
  FOREACH l IN ARRAY TG_ARGV LOOP
    IF NOT l = ANY (string_to_array(noted, ',')) THEN
      noted := CASE WHEN noted = '' THEN l ELSE noted || ',' || l END;
    END IF;
  END LOOP;
  PERFORM set_config('wuyou.layers', noted, true);
  RETURN NULL;
END $$;

CREATE FUNCTION flush_layer_versions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  layers text[] := string_to_array(NULLIF(COALESCE(current_setting('wuyou.layers', true), ''), ''), ',');
BEGIN
  IF layers IS NOT NULL THEN
    PERFORM 1 FROM layer_versions WHERE layer = ANY (layers) ORDER BY layer FOR UPDATE;
    UPDATE layer_versions SET version = version + 1, changed_at = now() WHERE layer = ANY (layers);
  END IF;
  PERFORM set_config('wuyou.layers', '', true);
  DELETE FROM layer_version_flush WHERE id = NEW.id;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER layer_version_flush_at_commit AFTER INSERT ON layer_version_flush
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION flush_layer_versions();
