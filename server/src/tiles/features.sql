-- Features of one registry table in a WGS84 box, as one GeoJSON array (text) for the JS encoder.
-- {{id}}, {{props}}, {{table}} come from server/src/layers.ts only. $1..$4 = west, south, east, north.
-- {{limit}} is empty, or keeps the $5 largest features when a tile must shrink.
SELECT COALESCE(json_agg(f.feature), '[]'::json)::text AS features
FROM (
  SELECT json_build_object(
           'type', 'Feature',
           'id', {{id}},
           'geometry', ST_AsGeoJSON(t.geom, 7)::json,
           'properties', json_build_object({{props}})) AS feature
  FROM {{table}} t
  WHERE t.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
  {{limit}}
) f
