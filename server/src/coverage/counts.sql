-- Buildings counted per child of one node and per category, from the tallies of migration 0024 (the
-- kept tallies plus the differences not folded in yet, one view each: 0025), read in one snapshot.
-- {{child}}, {{table}} and {{where}} come from the allow-list in repository.ts; $1 is the node's code
-- (unused for the city).
SELECT {{child}} AS child, NULLIF(category, '') AS category,
       sum(buildings)::integer AS buildings, sum(households)::integer AS households,
       sum(covered)::integer AS covered, sum(straddling)::integer AS straddling
FROM {{table}} WHERE {{where}}
GROUP BY 1, 2
HAVING sum(buildings) > 0
