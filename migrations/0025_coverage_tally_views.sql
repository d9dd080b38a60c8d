-- A node's coverage figures are its tallies plus the differences not folded in yet (migration 0024).
-- Two reads added them up each in its own words (a node's counts, the daily snapshot); one view per
-- tally says it once. The filters of a read reach both branches of the UNION ALL, so a street's counts
-- still read the tally's primary key and the deltas.
CREATE VIEW coverage_place_figures AS
  SELECT district_code, street_code, community_code, category, buildings, households, covered, straddling
  FROM coverage_tally_places
  UNION ALL
  SELECT district_code, street_code, community_code, category, buildings, households, covered, straddling
  FROM coverage_tally_deltas;

CREATE VIEW coverage_compound_figures AS
  SELECT community_code, compound_id, category, buildings, households, covered, straddling
  FROM coverage_tally_compounds
  UNION ALL
  SELECT community_code, compound_id, category, buildings, households, covered, straddling
  FROM coverage_tally_deltas;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wuyou_app') THEN
    GRANT SELECT ON coverage_place_figures, coverage_compound_figures TO wuyou_app;
  END IF;
END $$;
