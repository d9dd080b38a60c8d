-- One snapshot of the coverage counts of every node (city, 区县, 街道, 社区) and category, at now().
-- $1 = true: only when no snapshot was taken yet today (a 遂宁 day, Asia/Shanghai): the daily one.
WITH b AS (
  -- the tallies of migration 0024 (kept plus pending: the view of 0025), one row per 社区 and category
  SELECT NULLIF(district_code, '') AS district_code, NULLIF(street_code, '') AS street_code,
         NULLIF(community_code, '') AS community_code, NULLIF(category, '') AS category,
         sum(buildings) AS buildings, sum(households) AS households,
         sum(covered) AS covered, sum(straddling) AS straddling
  FROM coverage_place_figures
  GROUP BY 1, 2, 3, 4
  HAVING sum(buildings) > 0
), nodes AS (
  SELECT 'city' AS level, '' AS code, category, buildings, households, covered, straddling FROM b
  UNION ALL SELECT 'district', district_code, category, buildings, households, covered, straddling FROM b WHERE district_code IS NOT NULL
  UNION ALL SELECT 'street', street_code, category, buildings, households, covered, straddling FROM b WHERE street_code IS NOT NULL
  UNION ALL SELECT 'community', community_code, category, buildings, households, covered, straddling FROM b WHERE community_code IS NOT NULL
), counted AS (
  SELECT level, code, CASE WHEN GROUPING(category) = 1 THEN 'all' ELSE category END AS category,
         sum(buildings)::integer AS buildings, sum(households)::integer AS households,
         sum(covered)::integer AS covered, sum(straddling)::integer AS straddling
  FROM nodes
  GROUP BY GROUPING SETS ((level, code, category), (level, code))
)
INSERT INTO coverage_snapshots (taken_at, level, code, category, buildings, households, covered, straddling)
SELECT now(), level, code, category, buildings, households, covered, straddling
FROM counted
WHERE category IN ('all', 'professional', 'self_managed', 'three_no')
  AND NOT ($1::boolean AND EXISTS (
    SELECT 1 FROM coverage_snapshots s
    WHERE s.level = 'city' AND s.code = '' AND s.taken_at >= date_trunc('day', now(), 'Asia/Shanghai')))
