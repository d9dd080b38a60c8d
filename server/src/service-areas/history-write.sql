-- Records the row as it now is as one version in service_area_history (same transaction as the change).
-- $1 area id, $2 operation, $3 who, $4 version to record (the row's own, or the next one for a delete).
INSERT INTO service_area_history (area_id, version, operation, attributes, geom, changed_by)
SELECT s.id, $4::integer, $2::text,
       {{attributes_json}},
       s.geom, $3::text
FROM service_areas s
WHERE s.id = $1
