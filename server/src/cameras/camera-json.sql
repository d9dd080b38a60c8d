-- A stored camera `c` as a GeoJSON Feature (json); spliced in where a statement writes {{camera_json}}.
json_build_object(
  'type', 'Feature', 'id', c.id,
  'geometry', ST_AsGeoJSON(c.geom, 15)::json,
  'properties', json_build_object(
    'id', c.id, 'code', c.code, 'name', c.name, 'system', c.system, 'type', c.type,
    'direction_deg', c.direction_deg, 'fov_deg', c.fov_deg, 'range_m', c.range_m,
    'height_m', c.height_m, 'indoor', c.indoor, 'status', c.status, 'compound_id', c.compound_id,
    'version', c.version, 'updated_by', c.updated_by, 'updated_at', c.updated_at)
)
