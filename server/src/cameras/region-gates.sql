-- The gates and unit doors of the area: on it or within $3 m of its edge (gates sit in the boundary),
-- or, for a compound, assigned to it ($4 its id, else null). $1 area GeoJSON, $2 box margin in degrees.
WITH r AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS geom)
SELECT g.id, g.kind, g.access_control, ST_X(g.geom) AS lon, ST_Y(g.geom) AS lat
FROM gates g, r
WHERE (g.geom && ST_Expand(r.geom, $2) AND ST_DWithin(g.geom::geography, r.geom::geography, $3))
   OR g.compound_id = $4
ORDER BY g.id
