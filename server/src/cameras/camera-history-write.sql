-- Records the camera as it now is as one version in camera_history (same transaction as the change).
-- $1 id, $2 operation, $3 who, $4 version to record (the row's own, or the next one for a delete).
INSERT INTO camera_history (camera_id, version, operation, attributes, geom, changed_by)
SELECT c.id, $4::integer, $2::text,
       jsonb_build_object(
         'code', c.code, 'name', c.name, 'system', c.system, 'type', c.type,
         'direction_deg', c.direction_deg, 'fov_deg', c.fov_deg, 'range_m', c.range_m,
         'height_m', c.height_m, 'indoor', c.indoor, 'status', c.status, 'compound_id', c.compound_id),
       c.geom, $3::text
FROM cameras c
WHERE c.id = $1
