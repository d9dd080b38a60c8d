-- One camera as a GeoJSON Feature (text), with its version.
SELECT c.id, c.version, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
       {{camera_json}}::text AS feature
FROM cameras c
WHERE c.id = $1
