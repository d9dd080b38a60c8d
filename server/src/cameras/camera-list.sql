-- The cameras in a box as one FeatureCollection (text). $1..$4 minLon, minLat, maxLon, maxLat; $5 limit + 1.
WITH f AS (
  SELECT {{camera_json}} AS feature
  FROM cameras c
  WHERE c.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
  ORDER BY c.id
  LIMIT $5
)
SELECT count(*)::integer AS count,
       json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature), '[]'::json))::text AS json
FROM f
