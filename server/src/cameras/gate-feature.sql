-- One gate as a GeoJSON Feature (text), with its version.
SELECT g.id, g.version, ST_X(g.geom) AS lon, ST_Y(g.geom) AS lat,
       {{gate_json}}::text AS feature
FROM gates g
WHERE g.id = $1
