-- One page of uncovered buildings (未覆盖楼栋) for an export. $1 street code, $4 社区 code, $5 district
-- code, $6 category (each NULL for any), $2 last id or NULL, $3 page size.
SELECT b.id, COALESCE(b.category, c.category) AS category, b.compound_id, c.name AS compound_name,
       b.name, b.households, b.floors, p.street_code, p.community_code,
       encode(ST_AsBinary(b.geom), 'hex') AS wkb
FROM buildings b
LEFT JOIN compounds c ON c.id = b.compound_id
LEFT JOIN building_places p ON p.building_id = b.id
WHERE NOT b.covered
  AND ($1::text IS NULL OR p.street_code = $1)
  AND ($4::text IS NULL OR p.community_code = $4)
  AND ($5::text IS NULL OR p.street_code IN (
         SELECT code FROM jurisdictions WHERE level = 'street' AND parent_code = $5))
  AND ($6::text IS NULL OR COALESCE(b.category, c.category) = $6)
  AND ($2::bigint IS NULL OR b.id > $2)
ORDER BY b.id
LIMIT $3
