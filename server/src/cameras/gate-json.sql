-- A stored gate `g` as a GeoJSON Feature (json); spliced in where a statement writes {{gate_json}}.
json_build_object(
  'type', 'Feature', 'id', g.id,
  'geometry', ST_AsGeoJSON(g.geom, 15)::json,
  'properties', json_build_object(
    'id', g.id, 'name', g.name, 'kind', g.kind, 'access_control', g.access_control,
    'compound_id', g.compound_id, 'version', g.version, 'updated_by', g.updated_by,
    'updated_at', g.updated_at)
)
