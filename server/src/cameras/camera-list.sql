-- The cameras in a box as one FeatureCollection (text). $1..$4 minLon, minLat, maxLon, maxLat; $5 limit + 1.
WITH f AS (
  SELECT json_build_object(
           'type', 'Feature', 'id', c.id,
           'geometry', ST_AsGeoJSON(c.geom, 15)::json,
           'properties', json_build_object(
             'id', c.id, 'code', c.code, 'name', c.name, 'system', c.system, 'type', c.type,
             'direction_deg', c.direction_deg, 'fov_deg', c.fov_deg, 'range_m', c.range_m,
             'height_m', c.height_m, 'indoor', c.indoor, 'status', c.status, 'compound_id', c.compound_id,
             'version', c.version, 'updated_by', c.updated_by, 'updated_at', c.updated_at)
         ) AS feature
  FROM cameras c
  WHERE c.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
  ORDER BY c.id
  LIMIT $5
)
SELECT count(*)::integer AS count,
       json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature), '[]'::json))::text AS json
FROM f
