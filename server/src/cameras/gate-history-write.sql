-- Records the gate as it now is as one version in gate_history (same transaction as the change).
-- $1 id, $2 operation, $3 who, $4 version to record (the row's own, or the next one for a delete).
INSERT INTO gate_history (gate_id, version, operation, attributes, geom, changed_by)
SELECT g.id, $4::integer, $2::text,
       jsonb_build_object('name', g.name, 'kind', g.kind, 'access_control', g.access_control,
                          'compound_id', g.compound_id),
       g.geom, $3::text
FROM gates g
WHERE g.id = $1
