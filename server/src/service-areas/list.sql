-- The service areas whose geometry meets a box, as one FeatureCollection (text), full precision.
-- $1..$4 minLon, minLat, maxLon, maxLat; $5 the most features returned plus one (to detect "too many").
WITH f AS (
  SELECT {{feature_json}} AS feature
  FROM service_areas s
  WHERE s.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
    AND ST_Intersects(s.geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))
  ORDER BY s.id
  LIMIT $5
)
SELECT count(*)::integer AS count,
       json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature), '[]'::json))::text AS json
FROM f
