-- Coverage per compound, worst first. $1 street code, $2 community code, $3 category, $5 district code
-- (each optional), $4 how many. From the tallies of migration 0024: a compound's figures are its tally plus its
-- pending differences. The tally's index gives the worst by tally; every compound with a pending
-- difference is a candidate too, and N + (those) by tally are enough to hold the true first N.
-- Compounds with nothing uncovered follow in id order, as many as are still wanted.
WITH pending AS (
  SELECT compound_id, sum(buildings) AS buildings, sum(households) AS households,
         sum(covered) AS covered, sum(straddling) AS straddling
  FROM coverage_tally_deltas WHERE compound_id <> 0 GROUP BY 1
), top AS (
  SELECT t.compound_id AS id
  FROM coverage_tally_by_compound t JOIN compounds c ON c.id = t.compound_id
  WHERE t.buildings - t.covered > 0
    AND ($1::text IS NULL OR c.street_code = $1)
    AND ($2::text IS NULL OR c.community_code = $2)
    AND ($3::text IS NULL OR c.category = $3)
    AND ($5::text IS NULL OR c.street_code IN (
           SELECT code FROM jurisdictions WHERE level = 'street' AND parent_code = $5))
  ORDER BY t.buildings - t.covered DESC, t.compound_id
  LIMIT $4::integer + (SELECT count(*) FROM pending)
), candidates AS (
  SELECT id FROM top UNION SELECT compound_id FROM pending
), figures AS NOT MATERIALIZED (
  SELECT c.id, c.code, c.name, c.category, c.street_code, c.community_code,
         (COALESCE(t.buildings, 0) + COALESCE(p.buildings, 0))::integer AS buildings,
         (COALESCE(t.households, 0) + COALESCE(p.households, 0))::integer AS households,
         (COALESCE(t.covered, 0) + COALESCE(p.covered, 0))::integer AS covered,
         (COALESCE(t.buildings, 0) + COALESCE(p.buildings, 0) - COALESCE(t.covered, 0) - COALESCE(p.covered, 0))::integer AS uncovered,
         (COALESCE(t.straddling, 0) + COALESCE(p.straddling, 0))::integer AS straddling,
         CASE WHEN c.geom IS NULL THEN NULL
              ELSE ARRAY[ST_XMin(c.geom), ST_YMin(c.geom), ST_XMax(c.geom), ST_YMax(c.geom)] END AS bbox
  FROM compounds c
  LEFT JOIN coverage_tally_by_compound t ON t.compound_id = c.id
  LEFT JOIN pending p ON p.compound_id = c.id
  WHERE ($1::text IS NULL OR c.street_code = $1)
    AND ($2::text IS NULL OR c.community_code = $2)
    AND ($3::text IS NULL OR c.category = $3)
    AND ($5::text IS NULL OR c.street_code IN (
           SELECT code FROM jurisdictions WHERE level = 'street' AND parent_code = $5))
), worst AS (
  SELECT f.* FROM figures f
  WHERE f.id = ANY (ARRAY(SELECT id FROM candidates)) AND f.uncovered > 0
  ORDER BY f.uncovered DESC, f.id
  LIMIT $4
), rest AS (
  SELECT f.* FROM figures f
  WHERE f.uncovered = 0
  ORDER BY f.id
  LIMIT greatest(0, $4::integer - (SELECT count(*) FROM worst))
)
SELECT * FROM worst
UNION ALL
SELECT * FROM rest
ORDER BY uncovered DESC, id
