-- Uncovered buildings as one FeatureCollection. $1 category or NULL, $2..$5 bbox or NULLs,
-- $6 street code, $8 社区 code, $9 district code (each NULL for any), $7 limit + 1.
WITH f AS (
  SELECT b.id, json_build_object(
           'type', 'Feature', 'id', b.id,
           'geometry', ST_AsGeoJSON(b.geom, 7)::json,
           'properties', json_build_object(
             'id', b.id, 'category', COALESCE(b.category, c.category), 'compound_id', b.compound_id,
             'compound_name', c.name, 'households', b.households, 'floors', b.floors,
             'street_code', p.street_code, 'community_code', p.community_code)) AS feature
  FROM buildings b
  LEFT JOIN compounds c ON c.id = b.compound_id
  LEFT JOIN building_places p ON p.building_id = b.id
  WHERE NOT b.covered
    AND ($1::text IS NULL OR COALESCE(b.category, c.category) = $1)
    AND ($2::float8 IS NULL OR (b.geom && ST_MakeEnvelope($2, $3, $4, $5, 4326)
                                AND ST_Intersects(b.geom, ST_MakeEnvelope($2, $3, $4, $5, 4326))))
    AND ($6::text IS NULL OR p.street_code = $6)
    AND ($8::text IS NULL OR p.community_code = $8)
    AND ($9::text IS NULL OR p.street_code IN (
           SELECT code FROM jurisdictions WHERE level = 'street' AND parent_code = $9))
  ORDER BY b.id
  LIMIT $7
)
SELECT count(*)::integer AS count,
       json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature ORDER BY id), '[]'::json))::text AS json
FROM f
