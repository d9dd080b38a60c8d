-- Issue 12 (dashboard speed): a street's gaps, proposals and scorecards take seconds to compute
-- (overlays, buffers, viewsheds), so the dashboard keeps each answer, per street and options, and
-- reuses it until something it was computed from changes.
--
-- Staleness is counted, not timed: every statement that changes an input appends one row per street
-- it may touch (at most one per street and transaction) to coverage_street_changes; a street's version
-- is the number of its rows plus those of the global keys ('*' for everything, '*cam' for what only
-- the scorecards read: cameras, gates, assessments). Rows are never deleted, so the count only grows as
-- commits become visible, whatever order their ids were taken in. A reader counts first and computes
-- after (READ COMMITTED: the computation's snapshot is at least as new), so a stored answer is never
-- newer than its version says, and a change committed after the count makes it stale.
--
-- A geometry change marks the streets whose outline lies within 0.005° (about 500 m) of the changed
-- rows' extent: a proposal's cluster may reach into the neighbouring street's block (issue 9 #4).

CREATE TABLE coverage_street_changes (
  id          bigserial PRIMARY KEY,
  street_code text NOT NULL,
  txid        bigint NOT NULL DEFAULT txid_current(),
  changed_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (street_code, txid)
);

CREATE TABLE coverage_street_results (
  street_code text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('gaps', 'proposals', 'scorecards')),
  options     text NOT NULL,
  version     bigint NOT NULL,
  result      text NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (street_code, kind, options)
);

CREATE FUNCTION coverage_streets_changed(codes text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO coverage_street_changes (street_code)
  SELECT DISTINCT c FROM unnest(codes) c WHERE c IS NOT NULL ORDER BY 1
  ON CONFLICT (street_code, txid) DO NOTHING
$$;

CREATE FUNCTION coverage_streets_changed_near(box geometry) RETURNS void LANGUAGE sql AS $$
  SELECT coverage_streets_changed(ARRAY(
    SELECT j.code FROM jurisdictions j
    WHERE box IS NOT NULL AND j.level = 'street' AND j.geom && ST_Expand(box, 0.005)))
$$;

-- Tables with a geometry: the streets near the changed rows (old and new).
CREATE FUNCTION coverage_results_stale_by_geom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM coverage_streets_changed_near((SELECT ST_SetSRID(ST_Extent(geom)::geometry, 4326) FROM new_rows));
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM coverage_streets_changed_near((SELECT ST_SetSRID(ST_Extent(geom)::geometry, 4326) FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

-- Tables that name their street (compounds, building_places).
CREATE FUNCTION coverage_results_stale_by_street() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM coverage_streets_changed(ARRAY(SELECT street_code FROM new_rows));
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM coverage_streets_changed(ARRAY(SELECT street_code FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

-- Everything else: one global key (TG_ARGV[0]).
CREATE FUNCTION coverage_results_stale_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM coverage_streets_changed(ARRAY[TG_ARGV[0]]);
  RETURN NULL;
END $$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['buildings', 'service_areas', 'compounds', 'building_places'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_results_stale_ins AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION %2$I()', t,
                   CASE WHEN t IN ('compounds', 'building_places') THEN 'coverage_results_stale_by_street'
                        ELSE 'coverage_results_stale_by_geom' END);
    EXECUTE format('CREATE TRIGGER %1$s_results_stale_upd AFTER UPDATE ON %1$I
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION %2$I()', t,
                   CASE WHEN t IN ('compounds', 'building_places') THEN 'coverage_results_stale_by_street'
                        ELSE 'coverage_results_stale_by_geom' END);
    EXECUTE format('CREATE TRIGGER %1$s_results_stale_del AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION %2$I()', t,
                   CASE WHEN t IN ('compounds', 'building_places') THEN 'coverage_results_stale_by_street'
                        ELSE 'coverage_results_stale_by_geom' END);
    EXECUTE format('CREATE TRIGGER %1$s_results_stale_trunc AFTER TRUNCATE ON %1$I
                    FOR EACH STATEMENT EXECUTE FUNCTION coverage_results_stale_all(''*'')', t);
  END LOOP;
  -- A compound's category decides its buildings' category, its outline the scorecard: by street above;
  -- moving a compound to another street is both its old and its new street.
  FOREACH t IN ARRAY ARRAY['jurisdictions', 'basemap_roads', 'basemap_water', 'basemap_blocks'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_results_stale AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %1$I
                    FOR EACH STATEMENT EXECUTE FUNCTION coverage_results_stale_all(''*'')', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['cameras', 'gates', 'five_target_assessments'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_results_stale AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %1$I
                    FOR EACH STATEMENT EXECUTE FUNCTION coverage_results_stale_all(''*cam'')', t);
  END LOOP;
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wuyou_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON coverage_street_changes, coverage_street_results TO wuyou_app;
    GRANT USAGE, SELECT ON SEQUENCE coverage_street_changes_id_seq TO wuyou_app;
  END IF;
END $$;
