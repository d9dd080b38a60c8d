-- Buildings' covered / straddling flags, kept true by the database itself.
-- covered: the union of the service areas that touch the building covers it (ST_Covers);
-- straddling: covered, but by no single area (it lies across the line of two adjacent areas).

-- Recompute the flags of the buildings whose box meets `region`; only rows whose flags change are written.
CREATE FUNCTION refresh_building_coverage(region geometry) RETURNS integer LANGUAGE sql AS $$
  WITH calc AS (
    SELECT b.id,
           COALESCE(u.covers, false) AS covered,
           COALESCE(u.covers, false) AND NOT COALESCE(u.single, false) AS straddling
    FROM buildings b
    LEFT JOIN LATERAL (
      SELECT ST_Covers(ST_Union(s.geom), b.geom) AS covers,
             bool_or(ST_Covers(s.geom, b.geom)) AS single
      FROM service_areas s
      WHERE s.geom && b.geom AND ST_Intersects(s.geom, b.geom)
    ) u ON true
    WHERE b.geom && region
  ), changed AS (
    UPDATE buildings b SET covered = calc.covered, straddling = calc.straddling
    FROM calc
    WHERE b.id = calc.id AND (b.covered IS DISTINCT FROM calc.covered OR b.straddling IS DISTINCT FROM calc.straddling)
    RETURNING 1
  )
  SELECT count(*)::integer FROM changed
$$;

-- Whole-table recompute (after a bulk load).
CREATE FUNCTION refresh_all_building_coverage() RETURNS integer LANGUAGE sql AS $$
  SELECT refresh_building_coverage(ST_MakeEnvelope(-180, -90, 180, 90, 4326))
$$;

CREATE FUNCTION service_areas_refresh_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('wuyou.bulk_load', true) = 'on' THEN
    RETURN NULL; -- the loader recomputes everything once at the end
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM refresh_building_coverage(OLD.geom);
  ELSIF TG_OP = 'INSERT' THEN
    PERFORM refresh_building_coverage(NEW.geom);
  ELSIF NOT ST_Equals(OLD.geom, NEW.geom) THEN
    PERFORM refresh_building_coverage(ST_Collect(OLD.geom, NEW.geom));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER service_areas_coverage AFTER INSERT OR UPDATE OR DELETE ON service_areas
  FOR EACH ROW EXECUTE FUNCTION service_areas_refresh_coverage();

-- A new or moved building gets its flags at once too.
CREATE FUNCTION buildings_refresh_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('wuyou.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM refresh_building_coverage(ST_Collect(n.geom)) FROM new_rows n;
  RETURN NULL;
END $$;

CREATE TRIGGER buildings_coverage_insert AFTER INSERT ON buildings
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION buildings_refresh_coverage();

CREATE FUNCTION buildings_refresh_coverage_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('wuyou.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM refresh_building_coverage(ST_Collect(OLD.geom, NEW.geom));
  RETURN NULL;
END $$;

CREATE TRIGGER buildings_coverage_moved AFTER UPDATE OF geom ON buildings
  FOR EACH ROW EXECUTE FUNCTION buildings_refresh_coverage_moved();
