-- Buildings counted per child of one node and per category, from the tallies of migration 0024: the
-- kept tallies plus the differences not folded in yet, read in one snapshot. {{child}}, {{table}} and
-- {{where}} come from the allow-list in repository.ts; $1 is the node's code (unused for the city).
SELECT child, NULLIF(category, '') AS category,
       sum(buildings)::integer AS buildings, sum(households)::integer AS households,
       sum(covered)::integer AS covered, sum(straddling)::integer AS straddling
FROM (
  SELECT {{child}} AS child, category, buildings, households, covered, straddling
  FROM {{table}} WHERE {{where}}
  UNION ALL
  SELECT {{child}} AS child, category, buildings, households, covered, straddling
  FROM coverage_tally_deltas WHERE {{where}}
) t
GROUP BY child, category
HAVING sum(buildings) > 0
