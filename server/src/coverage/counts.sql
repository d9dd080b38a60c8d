-- The counts of one node and of a page of its children, from the tallies of migration 0024 (the kept
-- tallies plus the differences not folded in yet, one view each: 0025), read in one snapshot.
-- {{key}}, {{none}}, {{table}}, {{where}}, {{kids}} and {{order}} come from the allow-list in
-- repository.ts; $1 is the page's limit (NULL: every child), $2 its offset, $3 the node's code (none
-- for the city). A child counts per (child, category) group with buildings (sum(buildings) > 0);
-- the tallies' columns are NOT NULL, so {{key}} as is groups as NULLIF({{key}}, {{none}}) did.
WITH f AS (
  SELECT {{key}} AS key, category, buildings, households, covered, straddling
  FROM {{table}} WHERE {{where}}
), kids AS (
  {{kids}}
), low AS (
  -- the groups without buildings, which the children leave out: each has a row without
  SELECT key, category, sum(buildings) AS buildings, sum(households) AS households,
         sum(covered) AS covered, sum(straddling) AS straddling
  FROM f WHERE (key, category) IN (SELECT key, category FROM f WHERE buildings <= 0)
  GROUP BY 1, 2
  HAVING sum(buildings) <= 0
), named AS (
  -- every child: those that exist (also with no buildings yet), and any the counts name besides them
  SELECT key, false AS extra FROM kids
  UNION ALL
  SELECT DISTINCT key, true FROM (
    SELECT key FROM f WHERE key NOT IN (SELECT key FROM kids)
    GROUP BY key, category HAVING sum(buildings) > 0) x
), page AS (
  -- ordered by {{order}}, "未划入" last
  SELECT key, extra FROM named ORDER BY key = {{none}}, {{order}} LIMIT $1 OFFSET $2
)
SELECT (SELECT count(*) FROM named)::integer AS children_total,
       (SELECT COALESCE(json_agg(NULLIF(key, {{none}})::text ORDER BY key = {{none}}, {{order}}), '[]')
        FROM page)::text AS keys,
       -- the node's own counts per category: all its rows but the groups without buildings
       (SELECT COALESCE(json_agg(t), '[]') FROM (
          SELECT NULLIF(category, '') AS category, sum(buildings) AS buildings,
                 sum(households) AS households, sum(covered) AS covered, sum(straddling) AS straddling
          FROM (SELECT category, buildings, households, covered, straddling FROM f
                UNION ALL
                SELECT category, -buildings, -households, -covered, -straddling FROM low) r
          GROUP BY 1) t)::text AS totals,
       -- the page's children, per category
       (SELECT COALESCE(json_agg(c), '[]') FROM (
          SELECT NULLIF(key, {{none}})::text AS child, NULLIF(category, '') AS category,
                 sum(buildings)::integer AS buildings, sum(households)::integer AS households,
                 sum(covered)::integer AS covered, sum(straddling)::integer AS straddling
          FROM f WHERE key IN (SELECT key FROM page)
          GROUP BY key, category
          HAVING sum(buildings) > 0) c)::text AS rows
