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
         jsonb_build_object(
           'name', s.name, 'street_code', s.street_code, 'community_code', s.community_code,
           'management_mode', s.management_mode, 'provider', s.provider, 'helper_unit', s.helper_unit,
           'grid_worker', s.grid_worker, 'status', s.status, 'notes', s.notes),
         s.geom, $11
  FROM s
)
SELECT s.id, s.version, s.street_code,
       json_build_object(
         'type', 'Feature',
         'id', s.id,
         'geometry', ST_AsGeoJSON(s.geom, 15)::json,
         'properties', json_build_object(
           'id', s.id, 'name', s.name, 'street_code', s.street_code, 'community_code', s.community_code,
           'management_mode', s.management_mode, 'provider', s.provider, 'helper_unit', s.helper_unit,
           'grid_worker', s.grid_worker, 'status', s.status, 'notes', s.notes, 'version', s.version,
           'created_by', s.created_by, 'created_at', s.created_at,
           'updated_by', s.updated_by, 'updated_at', s.updated_at)
       )::text AS feature
FROM s
