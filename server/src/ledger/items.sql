-- Ledger items with their compound, filtered. $1 id, $2 street code, $3 status, $4 compound id,
-- $5 overdue only, $7 社区 code, $8 district code (each optional), $6 limit.
SELECT l.id, l.compound_id, c.name AS compound_name, c.street_code,
       l.description, l.category, l.responsible_unit, to_char(l.deadline, 'YYYY-MM-DD') AS deadline,
       l.phase, l.status, (l.status = 'open' AND l.deadline < current_date) AS overdue,
       l.version, l.created_by, l.created_at, l.updated_by, l.updated_at,
       l.closed_by, l.closed_at, l.close_note, l.reopened_by, l.reopened_at, l.reopen_note
FROM ledger_items l
JOIN compounds c ON c.id = l.compound_id
WHERE ($1::bigint IS NULL OR l.id = $1)
  AND ($2::text IS NULL OR c.street_code = $2)
  AND ($3::text IS NULL OR l.status = $3)
  AND ($4::bigint IS NULL OR l.compound_id = $4)
  AND (NOT $5::boolean OR (l.status = 'open' AND l.deadline < current_date))
  AND ($7::text IS NULL OR c.community_code = $7)
  AND ($8::text IS NULL OR c.street_code IN (
         SELECT code FROM jurisdictions WHERE level = 'street' AND parent_code = $8))
ORDER BY l.status DESC, l.deadline NULLS LAST, l.id
LIMIT $6
