-- Coverage per compound, worst first. $1 street code, $2 community code, $3 category (each optional).
SELECT c.id, c.code, c.name, c.category, c.street_code, c.community_code,
       count(b.id)::integer AS buildings,
       COALESCE(sum(b.households), 0)::integer AS households,
       (count(b.id) FILTER (WHERE b.covered))::integer AS covered,
       (count(b.id) FILTER (WHERE NOT b.covered))::integer AS uncovered,
       (count(b.id) FILTER (WHERE b.straddling))::integer AS straddling,
       CASE WHEN c.geom IS NULL THEN NULL
            ELSE ARRAY[ST_XMin(c.geom), ST_YMin(c.geom), ST_XMax(c.geom), ST_YMax(c.geom)] END AS bbox
FROM compounds c
LEFT JOIN buildings b ON b.compound_id = c.id
WHERE ($1::text IS NULL OR c.street_code = $1)
  AND ($2::text IS NULL OR c.community_code = $2)
  AND ($3::text IS NULL OR c.category = $3)
GROUP BY c.id
ORDER BY uncovered DESC, c.id
LIMIT $4
