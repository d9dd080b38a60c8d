-- One page of the ledger (台账) for an export, placed at a point inside its compound (NULL when the
-- compound has no outline). $1 street code or NULL, $2 last id or NULL, $3 page size.
SELECT l.id, l.compound_id, c.name AS compound_name, c.street_code, l.description, l.category,
       l.responsible_unit, to_char(l.deadline, 'YYYY-MM-DD') AS deadline, l.phase, l.status,
       (l.status = 'open' AND l.deadline < current_date) AS overdue,
       l.created_by, l.created_at, l.closed_by, l.closed_at, l.close_note,
       encode(ST_AsBinary(ST_PointOnSurface(c.geom)), 'hex') AS wkb
FROM ledger_items l
JOIN compounds c ON c.id = l.compound_id
WHERE ($1::text IS NULL OR c.street_code = $1)
  AND ($2::bigint IS NULL OR l.id > $2)
ORDER BY l.id
LIMIT $3
