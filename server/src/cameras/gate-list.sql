-- The gates in a box as one FeatureCollection (text). $1..$4 minLon, minLat, maxLon, maxLat; $5 limit + 1.
WITH f AS (
  SELECT json_build_object(
           'type', 'Feature', 'id', g.id,
           'geometry', ST_AsGeoJSON(g.geom, 15)::json,
           'properties', json_build_object(
             'id', g.id, 'name', g.name, 'kind', g.kind, 'access_control', g.access_control,
             'compound_id', g.compound_id, 'version', g.version, 'updated_by', g.updated_by,
             'updated_at', g.updated_at)
         ) AS feature
  FROM gates g
  WHERE g.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
  ORDER BY g.id
  LIMIT $5
)
SELECT count(*)::integer AS count,
       json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature), '[]'::json))::text AS json
FROM f
