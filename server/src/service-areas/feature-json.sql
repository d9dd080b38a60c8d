-- A stored service area `s` as a GeoJSON Feature (json), full coordinate precision so that a client
-- that snaps to it and sends it back meets the stored vertices exactly. Spliced into the statements
-- of this folder where they write {{feature_json}}.
json_build_object(
  'type', 'Feature',
  'id', s.id,
  'geometry', ST_AsGeoJSON(s.geom, 15)::json,
  'properties', json_build_object(
    'id', s.id, 'name', s.name, 'street_code', s.street_code, 'community_code', s.community_code,
    'management_mode', s.management_mode, 'provider', s.provider, 'helper_unit', s.helper_unit,
    'grid_worker', s.grid_worker, 'status', s.status, 'notes', s.notes, 'version', s.version,
    'created_by', s.created_by, 'created_at', s.created_at,
    'updated_by', s.updated_by, 'updated_at', s.updated_at)
)
