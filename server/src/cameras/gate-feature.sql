-- One gate as a GeoJSON Feature (text), with its version.
SELECT g.id, g.version, ST_X(g.geom) AS lon, ST_Y(g.geom) AS lat,
       json_build_object(
         'type', 'Feature', 'id', g.id,
         'geometry', ST_AsGeoJSON(g.geom, 15)::json,
         'properties', json_build_object(
           'id', g.id, 'name', g.name, 'kind', g.kind, 'access_control', g.access_control,
           'compound_id', g.compound_id, 'version', g.version, 'updated_by', g.updated_by,
           'updated_at', g.updated_at)
       )::text AS feature
FROM gates g
WHERE g.id = $1
