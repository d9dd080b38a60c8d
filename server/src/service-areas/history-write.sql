-- Records the row as it now is as one version in service_area_history (same transaction as the change).
-- $1 area id, $2 operation, $3 who, $4 version to record (the row's own, or the next one for a delete).
INSERT INTO service_area_history (area_id, version, operation, attributes, geom, changed_by)
SELECT s.id, $4::integer, $2::text,
       jsonb_build_object(
         'name', s.name, 'street_code', s.street_code, 'community_code', s.community_code,
         'management_mode', s.management_mode, 'provider', s.provider, 'helper_unit', s.helper_unit,
         'grid_worker', s.grid_worker, 'status', s.status, 'notes', s.notes),
       s.geom, $3::text
FROM service_areas s
WHERE s.id = $1
