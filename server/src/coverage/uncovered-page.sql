-- A page of one street's uncovered 三无 buildings with their compound (issue 9: which 三无 buildings no
-- area covers yet, per street). $1 street code, $2 search text or NULL — matched case-blind anywhere in
-- the building's name and address and its compound's name, code and address — $3 limit, $4 offset.
-- Ordered by compound id (buildings of no compound last), then building id: a compound's buildings
-- stand together, and the order needs no collation, so both databases page alike.
WITH m AS (
  SELECT b.id, b.name, b.address, b.households, b.floors, b.compound_id,
         c.name AS compound_name, c.code AS compound_code, p.community_code, b.geom
  FROM buildings b
  JOIN building_places p ON p.building_id = b.id
  LEFT JOIN compounds c ON c.id = b.compound_id
  WHERE NOT b.covered
    AND p.street_code = $1
    AND COALESCE(b.category, c.category) = 'three_no'
    AND ($2::text IS NULL
         OR strpos(lower(concat_ws(' ', b.name, b.address, c.name, c.code, c.address)), lower($2::text)) > 0)
), page AS (
  SELECT id, name, address, households, floors, compound_id, compound_name, compound_code,
         community_code, geom
  FROM m
  ORDER BY compound_id NULLS LAST, id
  LIMIT $3 OFFSET $4
)
SELECT (SELECT count(*) FROM m)::integer AS total,
       (SELECT count(DISTINCT compound_id) FROM m)::integer AS compounds,
       COALESCE((
         SELECT json_agg(json_build_object(
                  'id', id::integer, 'name', name, 'address', address, 'households', households,
                  'floors', floors, 'compound_id', compound_id::integer, 'compound_name', compound_name,
                  'compound_code', compound_code, 'community_code', community_code,
                  'bbox', json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)))
                ORDER BY compound_id NULLS LAST, id)
         FROM page), '[]'::json)::text AS items
