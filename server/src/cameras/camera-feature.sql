-- One camera as a GeoJSON Feature (text), with its version.
SELECT c.id, c.version, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
       json_build_object(
         'type', 'Feature', 'id', c.id,
         'geometry', ST_AsGeoJSON(c.geom, 15)::json,
         'properties', json_build_object(
           'id', c.id, 'code', c.code, 'name', c.name, 'system', c.system, 'type', c.type,
           'direction_deg', c.direction_deg, 'fov_deg', c.fov_deg, 'range_m', c.range_m,
           'height_m', c.height_m, 'indoor', c.indoor, 'status', c.status, 'compound_id', c.compound_id,
           'version', c.version, 'updated_by', c.updated_by, 'updated_at', c.updated_at)
       )::text AS feature
FROM cameras c
WHERE c.id = $1
