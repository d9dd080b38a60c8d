-- The cameras in a box as one FeatureCollection (text). $1..$4 minLon, minLat, maxLon, maxLat; $5 limit + 1;
-- $6 whether the reader is signed in: who last edited a camera is null otherwise (issue 10).
WITH f AS (
  SELECT {{camera_json}} AS feature
  FROM (SELECT id, geom, code, name, system, type, direction_deg, fov_deg, range_m, height_m, indoor,
               status, compound_id, version, updated_at,
               CASE WHEN $6::boolean THEN updated_by END AS updated_by
        FROM cameras) c
  WHERE c.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
  ORDER BY c.id
  LIMIT $5
)
SELECT count(*)::integer AS count,
       json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature), '[]'::json))::text AS json
FROM f
