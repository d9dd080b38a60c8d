-- Issue 12 (dashboard at province scale): the worst compounds (most uncovered buildings first) were a
-- GROUP BY of every compound's buildings: 0.34-0.87 s at 2,000,000 buildings. A third tally, per
-- compound over all its buildings wherever they lie, is folded from the same differences as the two
-- of 0024, with an index in the dashboard's order, so the worst ten are the first rows of an index.

CREATE TABLE coverage_tally_by_compound (
  compound_id bigint PRIMARY KEY,
  buildings   integer NOT NULL,
  households  bigint NOT NULL,
  covered     integer NOT NULL,
  straddling  integer NOT NULL
);
CREATE INDEX coverage_tally_by_compound_worst
  ON coverage_tally_by_compound ((buildings - covered) DESC, compound_id);
-- The worst ten are a few index rows: starting parallel workers for them cost 45 ms (2M buildings).
ALTER TABLE coverage_tally_by_compound SET (parallel_workers = 0);

CREATE OR REPLACE FUNCTION coverage_tally_compact() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(730124) THEN
    RETURN;
  END IF;
  WITH gone AS (
    DELETE FROM coverage_tally_deltas RETURNING *
  ), g AS (
    SELECT district_code, street_code, community_code, compound_id, category,
           sum(buildings) AS buildings, sum(households) AS households,
           sum(covered) AS covered, sum(straddling) AS straddling
    FROM gone GROUP BY 1, 2, 3, 4, 5
  ), places AS (
    INSERT INTO coverage_tally_places AS t
    SELECT district_code, street_code, community_code, category,
           sum(buildings), sum(households), sum(covered), sum(straddling)
    FROM g GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (district_code, street_code, community_code, category) DO UPDATE
      SET buildings = t.buildings + EXCLUDED.buildings, households = t.households + EXCLUDED.households,
          covered = t.covered + EXCLUDED.covered, straddling = t.straddling + EXCLUDED.straddling
  ), by_compound AS (
    INSERT INTO coverage_tally_by_compound AS t
    SELECT compound_id, sum(buildings), sum(households), sum(covered), sum(straddling)
    FROM g WHERE compound_id <> 0 GROUP BY 1 ORDER BY 1
    ON CONFLICT (compound_id) DO UPDATE
      SET buildings = t.buildings + EXCLUDED.buildings, households = t.households + EXCLUDED.households,
          covered = t.covered + EXCLUDED.covered, straddling = t.straddling + EXCLUDED.straddling
  )
  INSERT INTO coverage_tally_compounds AS t
  SELECT community_code, compound_id, category,
         sum(buildings), sum(households), sum(covered), sum(straddling)
  FROM g GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (community_code, compound_id, category) DO UPDATE
    SET buildings = t.buildings + EXCLUDED.buildings, households = t.households + EXCLUDED.households,
        covered = t.covered + EXCLUDED.covered, straddling = t.straddling + EXCLUDED.straddling;
END $$;

CREATE OR REPLACE FUNCTION coverage_tally_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  TRUNCATE coverage_tally_marks, coverage_tally_deltas, coverage_tally_places, coverage_tally_compounds,
    coverage_tally_by_compound;
  INSERT INTO coverage_tally_marks
  SELECT b.id, COALESCE(p.district_code, ''), COALESCE(p.street_code, ''), COALESCE(p.community_code, ''),
         COALESCE(b.compound_id, 0), COALESCE(b.category, c.category, ''), COALESCE(b.households, 0),
         b.covered, b.straddling
  FROM buildings b
  LEFT JOIN building_places p ON p.building_id = b.id
  LEFT JOIN compounds c ON c.id = b.compound_id;
  INSERT INTO coverage_tally_places
  SELECT district_code, street_code, community_code, category, count(*), sum(households),
         count(*) FILTER (WHERE covered), count(*) FILTER (WHERE straddling)
  FROM coverage_tally_marks GROUP BY 1, 2, 3, 4;
  INSERT INTO coverage_tally_compounds
  SELECT community_code, compound_id, category, count(*), sum(households),
         count(*) FILTER (WHERE covered), count(*) FILTER (WHERE straddling)
  FROM coverage_tally_marks GROUP BY 1, 2, 3;
  INSERT INTO coverage_tally_by_compound
  SELECT compound_id, sum(buildings), sum(households), sum(covered), sum(straddling)
  FROM coverage_tally_compounds WHERE compound_id <> 0 GROUP BY 1;
END $$;

-- Filled from the per-社区 tally (deltas pending since stay pending: they are folded into all three).
INSERT INTO coverage_tally_by_compound
SELECT compound_id, sum(buildings), sum(households), sum(covered), sum(straddling)
FROM coverage_tally_compounds WHERE compound_id <> 0 GROUP BY 1;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wuyou_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON coverage_tally_by_compound TO wuyou_app;
  END IF;
END $$;
