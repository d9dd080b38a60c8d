-- Issue 12 (dashboard at province scale): the coverage counts of a node (city, 区县, 街道, 社区) were a
-- GROUP BY over its buildings — 1.4–3.1 s at 2,000,000 buildings. They are now kept as tallies per
-- place and category (and per compound, for the worst compounds), maintained by the same statements
-- that change what they count.
--
-- What counts: a building's place (building_places), its category (its own, else its compound's), its
-- households and its covered / straddling flags (kept by the coverage triggers of 0002/0004). Every
-- statement that can change one of these re-tallies the buildings it touched: what each building is
-- counted as now is recorded in coverage_tally_marks, so a re-tally compares the building's current
-- state with its mark and writes the difference. That makes a re-tally idempotent and independent of
-- the order in which nested triggers fire (a building insert places the building in a nested
-- statement; a compound's category reaches its buildings without touching them).
--
-- Differences are appended to coverage_tally_deltas (insert only: concurrent saves never wait on one
-- another's counters, and cannot deadlock on them) and folded into the three tally tables when more than
-- a thousand pile up, by one transaction at a time. A read sums tallies and pending deltas in one
-- snapshot, so it is exact at every moment, on the primary and on a replica alike.
--
-- Sentinels instead of NULLs in the keys ('' for a code or category, 0 for no compound) keep the keys
-- usable in primary keys on both PostgreSQL 15 and PGlite; reads turn them back into NULLs.

CREATE TABLE coverage_tally_marks (
  building_id    bigint PRIMARY KEY,
  district_code  text NOT NULL,
  street_code    text NOT NULL,
  community_code text NOT NULL,
  compound_id    bigint NOT NULL,
  category       text NOT NULL,
  households     integer NOT NULL,
  covered        boolean NOT NULL,
  straddling     boolean NOT NULL
);

CREATE TABLE coverage_tally_deltas (
  id             bigserial PRIMARY KEY,
  district_code  text NOT NULL,
  street_code    text NOT NULL,
  community_code text NOT NULL,
  compound_id    bigint NOT NULL,
  category       text NOT NULL,
  buildings      integer NOT NULL,
  households     bigint NOT NULL,
  covered        integer NOT NULL,
  straddling     integer NOT NULL
);

-- City, 区县 and 街道 figures: a few rows per 社区.
CREATE TABLE coverage_tally_places (
  district_code  text NOT NULL,
  street_code    text NOT NULL,
  community_code text NOT NULL,
  category       text NOT NULL,
  buildings      integer NOT NULL,
  households     bigint NOT NULL,
  covered        integer NOT NULL,
  straddling     integer NOT NULL,
  PRIMARY KEY (district_code, street_code, community_code, category)
);

-- A 社区's figures per compound.
CREATE TABLE coverage_tally_compounds (
  community_code text NOT NULL,
  compound_id    bigint NOT NULL,
  category       text NOT NULL,
  buildings      integer NOT NULL,
  households     bigint NOT NULL,
  covered        integer NOT NULL,
  straddling     integer NOT NULL,
  PRIMARY KEY (community_code, compound_id, category)
);

-- Each compound's figures over all its buildings, wherever they lie: the worst compounds (most
-- uncovered first) are the first rows of its index.
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

-- Folds the pending deltas into the tallies: one transaction at a time (the others go on appending).
CREATE FUNCTION coverage_tally_compact() RETURNS void LANGUAGE plpgsql AS $$
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

-- Re-tallies the given buildings (ids that no longer exist drop out of the tallies). A bulk load
-- (wuyou.bulk_load = on: the importer, the demo-city loader, placing after one) only marks the tallies
-- stale: re-tallying row by row cost the 2,000,000-building seed 140 s more, rebuilding once 30 s.
CREATE FUNCTION coverage_retally(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  IF current_setting('wuyou.bulk_load', true) = 'on' THEN
    INSERT INTO settings (key, value) VALUES ('coverage_tallies_stale', 'true')
    ON CONFLICT (key) DO UPDATE SET value = 'true';
    RETURN;
  END IF;
  -- Another transaction re-tallying one of these buildings commits first, then this one compares
  -- against its mark (the statement below reads a newer snapshot under READ COMMITTED). A bulk
  -- statement takes the whole table instead of a lock per row.
  IF cardinality(ids) > 10000 THEN
    LOCK TABLE coverage_tally_marks IN SHARE ROW EXCLUSIVE MODE;
  ELSE
    PERFORM 1 FROM coverage_tally_marks m
    WHERE m.building_id IN (SELECT unnest(ids)) ORDER BY m.building_id FOR UPDATE;
  END IF;

  WITH ids AS (
    SELECT DISTINCT id FROM unnest(ids) u(id)
  ), now_rows AS (
    SELECT b.id AS building_id,
           COALESCE(p.district_code, '') AS district_code, COALESCE(p.street_code, '') AS street_code,
           COALESCE(p.community_code, '') AS community_code, COALESCE(b.compound_id, 0) AS compound_id,
           COALESCE(b.category, c.category, '') AS category, COALESCE(b.households, 0) AS households,
           b.covered, b.straddling
    FROM ids JOIN buildings b ON b.id = ids.id
    LEFT JOIN building_places p ON p.building_id = b.id
    LEFT JOIN compounds c ON c.id = b.compound_id
  ), was AS (
    SELECT m.* FROM ids JOIN coverage_tally_marks m ON m.building_id = ids.id
  ), diff AS (
    SELECT COALESCE(n.building_id, w.building_id) AS building_id,
           n.building_id IS NOT NULL AS present,
           n.district_code AS n_district, n.street_code AS n_street, n.community_code AS n_community,
           n.compound_id AS n_compound, n.category AS n_category, n.households AS n_households,
           n.covered AS n_covered, n.straddling AS n_straddling,
           w.building_id IS NOT NULL AS marked,
           w.district_code AS w_district, w.street_code AS w_street, w.community_code AS w_community,
           w.compound_id AS w_compound, w.category AS w_category, w.households AS w_households,
           w.covered AS w_covered, w.straddling AS w_straddling
    FROM now_rows n FULL JOIN was w ON w.building_id = n.building_id
    WHERE (n.district_code, n.street_code, n.community_code, n.compound_id, n.category, n.households,
           n.covered, n.straddling)
          IS DISTINCT FROM
          (w.district_code, w.street_code, w.community_code, w.compound_id, w.category, w.households,
           w.covered, w.straddling)
  ), dropped AS (
    DELETE FROM coverage_tally_marks m USING diff
    WHERE m.building_id = diff.building_id AND NOT diff.present
  ), marked AS (
    INSERT INTO coverage_tally_marks AS m
    SELECT building_id, n_district, n_street, n_community, n_compound, n_category, n_households,
           n_covered, n_straddling
    FROM diff WHERE present
    ON CONFLICT (building_id) DO UPDATE
      SET district_code = EXCLUDED.district_code, street_code = EXCLUDED.street_code,
          community_code = EXCLUDED.community_code, compound_id = EXCLUDED.compound_id,
          category = EXCLUDED.category, households = EXCLUDED.households,
          covered = EXCLUDED.covered, straddling = EXCLUDED.straddling
  ), signed AS (
    SELECT n_district AS d, n_street AS s, n_community AS c, n_compound AS k, n_category AS cat,
           1 AS buildings, n_households::bigint AS households, n_covered::integer AS covered,
           n_straddling::integer AS straddling
    FROM diff WHERE present
    UNION ALL
    SELECT w_district, w_street, w_community, w_compound, w_category,
           -1, -w_households::bigint, -(w_covered::integer), -(w_straddling::integer)
    FROM diff WHERE marked
  )
  INSERT INTO coverage_tally_deltas
    (district_code, street_code, community_code, compound_id, category, buildings, households, covered, straddling)
  SELECT d, s, c, k, cat, sum(buildings), sum(households), sum(covered), sum(straddling)
  FROM signed
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(buildings) <> 0 OR sum(households) <> 0 OR sum(covered) <> 0 OR sum(straddling) <> 0;

  IF (SELECT count(*) FROM coverage_tally_deltas) > 1000 THEN
    PERFORM coverage_tally_compact();
  END IF;
END $$;

-- Everything from scratch: the migration, and after a TRUNCATE of what the tallies read (by whoever
-- may truncate those; the app role may not truncate the tallies themselves).
CREATE FUNCTION coverage_tally_rebuild() RETURNS void
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

-- Rebuilds the tallies a bulk load left stale, once (other callers wait on the lock, then find them
-- fresh). A write meanwhile waits for the rebuild's table locks and then compares with its marks.
CREATE FUNCTION ensure_coverage_tallies() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM settings WHERE key = 'coverage_tallies_stale' AND value = 'true') THEN
    RETURN false;
  END IF;
  PERFORM pg_advisory_xact_lock(730125);
  IF NOT EXISTS (SELECT 1 FROM settings WHERE key = 'coverage_tallies_stale' AND value = 'true') THEN
    RETURN false;
  END IF;
  PERFORM coverage_tally_rebuild();
  UPDATE settings SET value = 'false' WHERE key = 'coverage_tallies_stale';
  RETURN true;
END $$;

-- Placing after a bulk load is itself one: its places are tallied by one rebuild at its end.
CREATE OR REPLACE FUNCTION ensure_building_places() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  n integer := 0;
  bulk text := current_setting('wuyou.bulk_load', true);
BEGIN
  IF EXISTS (SELECT 1 FROM settings WHERE key = 'building_places_stale' AND value = 'true') THEN
    PERFORM pg_advisory_xact_lock(730104);
    IF EXISTS (SELECT 1 FROM settings WHERE key = 'building_places_stale' AND value = 'true') THEN
      PERFORM set_config('wuyou.bulk_load', 'on', true);
      n := assign_building_places(ST_MakeEnvelope(-180, -90, 180, 90, 4326));
      DELETE FROM building_places bp WHERE NOT EXISTS (SELECT 1 FROM buildings b WHERE b.id = bp.building_id);
      UPDATE settings SET value = 'false' WHERE key = 'building_places_stale';
      PERFORM set_config('wuyou.bulk_load', COALESCE(bulk, ''), true);
    END IF;
  END IF;
  PERFORM ensure_coverage_tallies();
  RETURN n;
END $$;

-- Triggers. Buildings: the ids whose counted columns changed (or that came or went).
CREATE FUNCTION buildings_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM coverage_retally(ARRAY(SELECT id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM coverage_retally(ARRAY(SELECT id FROM old_rows));
  ELSE
    PERFORM coverage_retally(ARRAY(
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n.compound_id, n.category, n.households, n.covered, n.straddling)
            IS DISTINCT FROM (o.compound_id, o.category, o.households, o.covered, o.straddling)));
  END IF;
  RETURN NULL;
END $$;

-- Places: the buildings placed, moved or unplaced.
CREATE FUNCTION building_places_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM coverage_retally(ARRAY(SELECT building_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM coverage_retally(ARRAY(SELECT building_id FROM old_rows));
  ELSE
    PERFORM coverage_retally(ARRAY(
      SELECT n.building_id FROM new_rows n JOIN old_rows o ON o.building_id = n.building_id
      WHERE (n.district_code, n.street_code, n.community_code)
            IS DISTINCT FROM (o.district_code, o.street_code, o.community_code)
      UNION SELECT o.building_id FROM old_rows o
      WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.building_id = o.building_id)));
  END IF;
  RETURN NULL;
END $$;

-- Compounds: a changed category reaches the buildings that have none of their own.
CREATE FUNCTION compounds_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM coverage_retally(ARRAY(
    SELECT b.id FROM buildings b
    WHERE b.category IS NULL AND b.compound_id IN (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.category IS DISTINCT FROM o.category)));
  RETURN NULL;
END $$;

CREATE FUNCTION coverage_tally_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM coverage_tally_rebuild();
  RETURN NULL;
END $$;

CREATE TRIGGER buildings_tally_ins AFTER INSERT ON buildings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION buildings_tally();
CREATE TRIGGER buildings_tally_upd AFTER UPDATE ON buildings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION buildings_tally();
CREATE TRIGGER buildings_tally_del AFTER DELETE ON buildings
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION buildings_tally();
CREATE TRIGGER buildings_tally_trunc AFTER TRUNCATE ON buildings
  FOR EACH STATEMENT EXECUTE FUNCTION coverage_tally_truncated();

CREATE TRIGGER building_places_tally_ins AFTER INSERT ON building_places
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION building_places_tally();
CREATE TRIGGER building_places_tally_upd AFTER UPDATE ON building_places
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION building_places_tally();
CREATE TRIGGER building_places_tally_del AFTER DELETE ON building_places
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION building_places_tally();
CREATE TRIGGER building_places_tally_trunc AFTER TRUNCATE ON building_places
  FOR EACH STATEMENT EXECUTE FUNCTION coverage_tally_truncated();

CREATE TRIGGER compounds_tally_upd AFTER UPDATE ON compounds
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION compounds_tally();
CREATE TRIGGER compounds_tally_trunc AFTER TRUNCATE ON compounds
  FOR EACH STATEMENT EXECUTE FUNCTION coverage_tally_truncated();

SELECT coverage_tally_rebuild();

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wuyou_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON coverage_tally_marks, coverage_tally_deltas,
      coverage_tally_places, coverage_tally_compounds, coverage_tally_by_compound TO wuyou_app;
    GRANT USAGE, SELECT ON SEQUENCE coverage_tally_deltas_id_seq TO wuyou_app;
  END IF;
END $$;
