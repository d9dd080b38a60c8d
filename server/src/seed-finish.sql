-- After the bulk load, in the same transaction: history, identity sequences, coverage flags.

-- Every seeded area starts its history: version 1, operation 'create'.
INSERT INTO service_area_history (area_id, version, operation, attributes, geom, changed_by, changed_at)
SELECT id, version, 'create', to_jsonb(s) - 'geom', geom, created_by, created_at
FROM service_areas s
ON CONFLICT (area_id, version) DO NOTHING;

-- Every seeded camera and gate starts its history too: version 1, operation 'import' (the attributes
-- as the cameras/gates API records them: server/src/cameras/*-history-write.sql).
INSERT INTO camera_history (camera_id, version, operation, attributes, geom, changed_by, changed_at)
SELECT id, version, 'import',
       jsonb_build_object(
         'code', code, 'name', name, 'system', system, 'type', type,
         'direction_deg', direction_deg, 'fov_deg', fov_deg, 'range_m', range_m,
         'height_m', height_m, 'indoor', indoor, 'status', status, 'compound_id', compound_id),
       geom, updated_by, updated_at
FROM cameras
ON CONFLICT (camera_id, version) DO NOTHING;
INSERT INTO gate_history (gate_id, version, operation, attributes, geom, changed_by, changed_at)
SELECT id, version, 'import',
       jsonb_build_object('name', name, 'kind', kind, 'access_control', access_control,
                          'compound_id', compound_id),
       geom, updated_by, updated_at
FROM gates
ON CONFLICT (gate_id, version) DO NOTHING;

-- Rows were loaded with explicit ids; new rows continue after them.
SELECT setval(pg_get_serial_sequence('compounds', 'id'), GREATEST(COALESCE(max(id), 0), 1), max(id) IS NOT NULL) FROM compounds;
SELECT setval(pg_get_serial_sequence('buildings', 'id'), GREATEST(COALESCE(max(id), 0), 1), max(id) IS NOT NULL) FROM buildings;
SELECT setval(pg_get_serial_sequence('service_areas', 'id'), GREATEST(COALESCE(max(id), 0), 1), max(id) IS NOT NULL) FROM service_areas;
SELECT setval(pg_get_serial_sequence('cameras', 'id'), GREATEST(COALESCE(max(id), 0), 1), max(id) IS NOT NULL) FROM cameras;
SELECT setval(pg_get_serial_sequence('gates', 'id'), GREATEST(COALESCE(max(id), 0), 1), max(id) IS NOT NULL) FROM gates;

-- The coverage triggers skipped their per-row work during the load (wuyou.bulk_load): one pass now.
SELECT refresh_all_building_coverage();
