-- The service areas whose geometry meets a box, as one FeatureCollection (text), full precision.
-- $1..$4 minLon, minLat, maxLon, maxLat; $5 the most features returned plus one (to detect "too many").
WITH f AS (
  SELECT json_build_object(
           'type', 'Feature',
           'id', s.id,
           'geometry', ST_AsGeoJSON(s.geom, 15)::json,
           'properties', json_build_object(
             'id', s.id, 'name', s.name, 'street_code', s.street_code, 'community_code', s.community_code,
             'management_mode', s.management_mode, 'provider', s.provider, 'helper_unit', s.helper_unit,
             'grid_worker', s.grid_worker, 'status', s.status, 'notes', s.notes, 'version', s.version,
             'created_by', s.created_by, 'created_at', s.created_at,
             'updated_by', s.updated_by, 'updated_at', s.updated_at)
         ) AS feature
  FROM service_areas s
  WHERE s.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
    AND ST_Intersects(s.geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))
  ORDER BY s.id
  LIMIT $5
)
SELECT count(*)::integer AS count,
       json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature), '[]'::json))::text AS json
FROM f
