-- One snapshot of the coverage counts of every node (city, 区县, 街道, 社区) and category, at now().
-- $1 = true: only when no snapshot was taken yet today (a 遂宁 day, Asia/Shanghai): the daily one.
WITH b AS (
  SELECT p.district_code, p.street_code, p.community_code,
         COALESCE(b.category, c.category) AS category,
         COALESCE(b.households, 0) AS households, b.covered, b.straddling
  FROM buildings b
  LEFT JOIN building_places p ON p.building_id = b.id
  LEFT JOIN compounds c ON c.id = b.compound_id
), nodes AS (
  SELECT 'city' AS level, '' AS code, category, households, covered, straddling FROM b
  UNION ALL SELECT 'district', district_code, category, households, covered, straddling FROM b WHERE district_code IS NOT NULL
  UNION ALL SELECT 'street', street_code, category, households, covered, straddling FROM b WHERE street_code IS NOT NULL
  UNION ALL SELECT 'community', community_code, category, households, covered, straddling FROM b WHERE community_code IS NOT NULL
), counted AS (
  SELECT level, code, CASE WHEN GROUPING(category) = 1 THEN 'all' ELSE category END AS category,
         count(*)::integer AS buildings, sum(households)::integer AS households,
         (count(*) FILTER (WHERE covered))::integer AS covered,
         (count(*) FILTER (WHERE straddling))::integer AS straddling
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
