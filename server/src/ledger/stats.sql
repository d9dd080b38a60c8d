-- Open, closed and overdue counts per street and per plan phase; $1 street, $2 社区 and $3 district
-- code (each optional).
WITH l AS (
  SELECT c.street_code, l.phase, l.status, (l.status = 'open' AND l.deadline < current_date) AS overdue
  FROM ledger_items l JOIN compounds c ON c.id = l.compound_id
  WHERE ($1::text IS NULL OR c.street_code = $1)
    AND ($2::text IS NULL OR c.community_code = $2)
    AND ($3::text IS NULL OR c.street_code IN (
           SELECT code FROM jurisdictions WHERE level = 'street' AND parent_code = $3))
)
SELECT 'street' AS grp, l.street_code AS key, j.name,
       (count(*) FILTER (WHERE status = 'open'))::integer AS open,
       (count(*) FILTER (WHERE status = 'closed'))::integer AS closed,
       (count(*) FILTER (WHERE overdue))::integer AS overdue
FROM l LEFT JOIN jurisdictions j ON j.code = l.street_code
GROUP BY l.street_code, j.name
UNION ALL
SELECT 'phase', phase, NULL,
       (count(*) FILTER (WHERE status = 'open'))::integer,
       (count(*) FILTER (WHERE status = 'closed'))::integer,
       (count(*) FILTER (WHERE overdue))::integer
FROM l GROUP BY phase
ORDER BY 1, 2
