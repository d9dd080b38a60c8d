-- Coverage by place, the 五有 assessments, the 台账 ledger, coverage snapshots and survey imports.

-- 1. A cheaper refresh_building_coverage (same answers as 0002): most buildings lie inside one area,
-- so the union of the areas around a building is built only for those no single area covers and that
-- meet two or more areas' boxes.
CREATE OR REPLACE FUNCTION refresh_building_coverage(region geometry) RETURNS integer LANGUAGE sql AS $$
  WITH calc AS (
    SELECT b.id, c.covered, c.covered AND NOT c.single AS straddling
    FROM buildings b
    CROSS JOIN LATERAL (
      SELECT COALESCE(bool_or(ST_Covers(s.geom, b.geom)), false) AS single, count(*) AS n
      FROM service_areas s
      WHERE s.geom && b.geom
    ) h
    CROSS JOIN LATERAL (
      SELECT h.single AS single,
             CASE WHEN h.single THEN true
                  WHEN h.n >= 2 THEN (SELECT ST_Covers(ST_Union(s.geom), b.geom)
                                      FROM service_areas s WHERE s.geom && b.geom)
                  ELSE false END AS covered
    ) c
    WHERE b.geom && region
  ), changed AS (
    UPDATE buildings b SET covered = calc.covered, straddling = calc.straddling
    FROM calc
    WHERE b.id = calc.id AND (b.covered IS DISTINCT FROM calc.covered OR b.straddling IS DISTINCT FROM calc.straddling)
    RETURNING 1
  )
  SELECT count(*)::integer FROM changed
$$;

-- Room on each page so that rewriting a building's covered / straddling flags is a HOT update (no
-- index entry written, the GiST index untouched): a full recompute writes every covered building.
ALTER TABLE buildings SET (fillfactor = 85);

-- 2. Which 区县 / 街道 / 社区 each building lies in (by a point on its surface), kept by triggers so
-- the coverage counts are a plain GROUP BY. A side table rather than columns on buildings: loaders
-- and tiles keep their shape, and the rows are written set-wise once per statement.
CREATE TABLE building_places (
  building_id    bigint PRIMARY KEY,
  district_code  text,
  street_code    text,
  community_code text
);
CREATE INDEX building_places_district_idx ON building_places (district_code);
CREATE INDEX building_places_street_idx ON building_places (street_code);
CREATE INDEX building_places_community_idx ON building_places (community_code);

-- (Re)assigns the buildings whose box meets `region`; writes only rows that change.
CREATE FUNCTION assign_building_places(region geometry) RETURNS integer LANGUAGE sql AS $$
  WITH placed AS (
    SELECT b.id,
           COALESCE(j.district, j.street_parent,
                    (SELECT s.parent_code FROM jurisdictions s WHERE s.code = j.community_parent)) AS district_code,
           COALESCE(j.street, j.community_parent) AS street_code,
           j.community AS community_code
    FROM buildings b
    CROSS JOIN LATERAL (SELECT ST_PointOnSurface(b.geom) AS pt) p
    -- one index probe finds the 社区, 街道 and 区县 holding the point
    CROSS JOIN LATERAL (
      SELECT max(j.code) FILTER (WHERE j.level = 'community') AS community,
             max(j.parent_code) FILTER (WHERE j.level = 'community') AS community_parent,
             max(j.code) FILTER (WHERE j.level = 'street') AS street,
             max(j.parent_code) FILTER (WHERE j.level = 'street') AS street_parent,
             max(j.code) FILTER (WHERE j.level = 'district') AS district
      FROM jurisdictions j
      WHERE j.geom && p.pt AND ST_Intersects(j.geom, p.pt)
    ) j
    WHERE b.geom && region
  ), written AS (
    INSERT INTO building_places AS bp (building_id, district_code, street_code, community_code)
    SELECT id, district_code, street_code, community_code FROM placed
    ON CONFLICT (building_id) DO UPDATE
      SET district_code = EXCLUDED.district_code, street_code = EXCLUDED.street_code,
          community_code = EXCLUDED.community_code
      WHERE (bp.district_code, bp.street_code, bp.community_code)
            IS DISTINCT FROM (EXCLUDED.district_code, EXCLUDED.street_code, EXCLUDED.community_code)
    RETURNING 1
  )
  SELECT count(*)::integer FROM written
$$;

-- A bulk load (wuyou.bulk_load = on: the importer, the demo-city loader) only marks the places stale,
-- so loading stays as fast as before; ensure_building_places() (called by every coverage read) then
-- places everything once.
CREATE FUNCTION mark_building_places_stale() RETURNS void LANGUAGE sql AS $$
  INSERT INTO settings (key, value) VALUES ('building_places_stale', 'true')
  ON CONFLICT (key) DO UPDATE SET value = 'true'
$$;

CREATE FUNCTION ensure_building_places() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  n integer := 0;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM settings WHERE key = 'building_places_stale' AND value = 'true') THEN
    RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock(730104);
  IF EXISTS (SELECT 1 FROM settings WHERE key = 'building_places_stale' AND value = 'true') THEN
    n := assign_building_places(ST_MakeEnvelope(-180, -90, 180, 90, 4326));
    DELETE FROM building_places bp WHERE NOT EXISTS (SELECT 1 FROM buildings b WHERE b.id = bp.building_id);
    UPDATE settings SET value = 'false' WHERE key = 'building_places_stale';
  END IF;
  RETURN n;
END $$;

CREATE FUNCTION buildings_places_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('wuyou.bulk_load', true) = 'on' THEN
    PERFORM mark_building_places_stale();
    RETURN NULL;
  END IF;
  PERFORM assign_building_places(ST_SetSRID(ST_Extent(n.geom)::geometry, 4326)) FROM new_rows n HAVING count(*) > 0;
  RETURN NULL;
END $$;
CREATE TRIGGER buildings_places_insert AFTER INSERT ON buildings
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION buildings_places_inserted();

CREATE FUNCTION buildings_places_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('wuyou.bulk_load', true) = 'on' THEN
    PERFORM mark_building_places_stale();
    RETURN NULL;
  END IF;
  PERFORM assign_building_places(NEW.geom);
  RETURN NULL;
END $$;
CREATE TRIGGER buildings_places_move AFTER UPDATE OF geom ON buildings
  FOR EACH ROW EXECUTE FUNCTION buildings_places_moved();

CREATE FUNCTION buildings_places_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM building_places bp USING old_rows o WHERE bp.building_id = o.id;
  RETURN NULL;
END $$;
CREATE TRIGGER buildings_places_delete AFTER DELETE ON buildings
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION buildings_places_deleted();

CREATE FUNCTION buildings_places_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE building_places;
  RETURN NULL;
END $$;
CREATE TRIGGER buildings_places_truncate AFTER TRUNCATE ON buildings
  FOR EACH STATEMENT EXECUTE FUNCTION buildings_places_truncated();

-- Jurisdictions change rarely (an import): every building is placed again.
CREATE FUNCTION jurisdictions_places_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('wuyou.bulk_load', true) = 'on' THEN
    PERFORM mark_building_places_stale();
    RETURN NULL;
  END IF;
  PERFORM assign_building_places(ST_MakeEnvelope(-180, -90, 180, 90, 4326));
  RETURN NULL;
END $$;
CREATE TRIGGER jurisdictions_places AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jurisdictions
  FOR EACH STATEMENT EXECUTE FUNCTION jurisdictions_places_changed();

-- 3. 五有 assessments entered by staff (history; the latest per target is the one on record).
CREATE TABLE five_target_assessments (
  id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  compound_id bigint NOT NULL REFERENCES compounds (id) ON DELETE CASCADE,
  target      text NOT NULL CHECK (target IN ('wy_self_governance', 'wy_security', 'wy_basic_service',
                                               'wy_clean_environment', 'wy_long_term_mechanism')),
  state       text NOT NULL CHECK (state IN ('met', 'partly', 'not_met')),
  assessed_on date NOT NULL DEFAULT current_date,
  note        text,
  assessed_by text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX five_target_assessments_compound_idx ON five_target_assessments (compound_id, target, assessed_on DESC, id DESC);

-- 4. 台账: the problem list per compound, closed (销号) and reopened with who, when and a note.
CREATE TABLE ledger_items (
  id               bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  compound_id      bigint NOT NULL REFERENCES compounds (id) ON DELETE CASCADE,
  description      text NOT NULL CHECK (length(btrim(description)) > 0),
  category         text NOT NULL CHECK (category IN ('wy_self_governance', 'wy_security', 'wy_basic_service',
                                                     'wy_clean_environment', 'wy_long_term_mechanism', 'other')),
  responsible_unit text,
  deadline         date,
  phase            text NOT NULL DEFAULT 'survey' CHECK (phase IN ('survey', 'pilot', 'rollout', 'consolidate')),
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  version          integer NOT NULL DEFAULT 1,
  created_by       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  closed_by        text,
  closed_at        timestamptz,
  close_note       text,
  reopened_by      text,
  reopened_at      timestamptz,
  reopen_note      text,
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX ledger_items_compound_idx ON ledger_items (compound_id);
CREATE INDEX ledger_items_status_idx ON ledger_items (status, deadline);

-- Every version of every ledger item, written in the same transaction as the change.
CREATE TABLE ledger_history (
  id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  item_id    bigint NOT NULL,
  version    integer NOT NULL,
  operation  text NOT NULL CHECK (operation IN ('create', 'update', 'close', 'reopen')),
  attributes jsonb NOT NULL,
  note       text,
  changed_by text,
  changed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (item_id, version)
);

-- 5. Coverage snapshots: the trend over time. `code` is '' for the city.
CREATE TABLE coverage_snapshots (
  taken_at   timestamptz NOT NULL,
  level      text NOT NULL CHECK (level IN ('city', 'district', 'street', 'community')),
  code       text NOT NULL,
  category   text NOT NULL CHECK (category IN ('all', 'professional', 'self_managed', 'three_no')),
  buildings  integer NOT NULL,
  households integer NOT NULL,
  covered    integer NOT NULL,
  straddling integer NOT NULL,
  PRIMARY KEY (level, code, category, taken_at)
);

-- 6. Survey spreadsheets waiting for confirmation: parsed rows and proposed matches; nothing touches
-- compounds until confirmed.
CREATE TABLE survey_imports (
  id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  file_name   text,
  rows        jsonb NOT NULL,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied')),
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  applied_by  text,
  applied_at  timestamptz
);
