-- The gates in a box as one FeatureCollection (text). $1..$4 minLon, minLat, maxLon, maxLat; $5 limit + 1.
WITH f AS (
  SELECT {{gate_json}} AS feature
  FROM gates g
  WHERE g.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
  ORDER BY g.id
  LIMIT $5
)
SELECT count(*)::integer AS count,
       json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature), '[]'::json))::text AS json
FROM f
