-- The service areas whose geometry meets a box, as one FeatureCollection (text), full precision.
-- $1..$4 minLon, minLat, maxLon, maxLat; $5 the most features returned plus one (to detect "too many");
-- $6 whether the reader is signed in: who created and last edited an area is null otherwise (issue 10).
WITH f AS (
  SELECT {{feature_json}} AS feature
  FROM (SELECT id, geom, name, street_code, community_code, management_mode, provider, helper_unit,
               grid_worker, status, notes, version, created_at, updated_at,
               CASE WHEN $6::boolean THEN created_by END AS created_by,
               CASE WHEN $6::boolean THEN updated_by END AS updated_by
        FROM service_areas) s
  WHERE s.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
    AND ST_Intersects(s.geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))
  ORDER BY s.id
  LIMIT $5
)
SELECT count(*)::integer AS count,
       json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature), '[]'::json))::text AS json
FROM f
