-- A new service area (version 1), its history entry and the stored Feature back, in one statement.
-- $1..$9 name, street_code, community_code, management_mode, provider, helper_unit, grid_worker,
-- status, notes; $10 polygon as GeoJSON text; $11 who; $12 history operation (create / split). The trigger of migrations/0003 re-checks overlap.
WITH s AS (
  INSERT INTO service_areas (name, street_code, community_code, management_mode, provider, helper_unit,
                             grid_worker, status, notes, geom, created_by, updated_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ST_SetSRID(ST_GeomFromGeoJSON($10), 4326), $11, $11)
  RETURNING *
), h AS (
  INSERT INTO service_area_history (area_id, version, operation, attributes, geom, changed_by)
  SELECT s.id, s.version, $12::text,
         {{attributes_json}},
         s.geom, $11
  FROM s
)
SELECT s.id, s.version, s.street_code,
       {{feature_json}}::text AS feature
FROM s
