-- Every recorded version of one camera ($2 = 'cameras') or gate ($2 = 'gates'), oldest first.
SELECT h.version, h.operation, h.attributes, ST_AsGeoJSON(h.geom, 15)::json AS geometry, h.changed_by, h.changed_at
FROM camera_history h
WHERE $2::text = 'cameras' AND h.camera_id = $1
UNION ALL
SELECT h.version, h.operation, h.attributes, ST_AsGeoJSON(h.geom, 15)::json AS geometry, h.changed_by, h.changed_at
FROM gate_history h
WHERE $2::text = 'gates' AND h.gate_id = $1
ORDER BY 1
