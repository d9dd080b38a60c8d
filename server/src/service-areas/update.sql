-- New attributes and geometry for a service area as its next version, the history entry and the stored
-- Feature back, in one statement. $1..$9 as insert.sql; $10 polygon as GeoJSON text; $11 who;
-- $12 area id; $13 history operation (update / restore / split / merge).
WITH s AS (
  UPDATE service_areas
  SET name = $1, street_code = $2, community_code = $3, management_mode = $4, provider = $5,
      helper_unit = $6, grid_worker = $7, status = $8, notes = $9,
      geom = ST_SetSRID(ST_GeomFromGeoJSON($10), 4326), updated_by = $11, updated_at = now(),
      version = version + 1
  WHERE id = $12
  RETURNING *
), h AS (
  INSERT INTO service_area_history (area_id, version, operation, attributes, geom, changed_by)
  SELECT s.id, s.version, $13::text,
         {{attributes_json}},
         s.geom, $11
  FROM s
)
SELECT s.id, s.version, s.street_code,
       {{feature_json}}::text AS feature
FROM s
