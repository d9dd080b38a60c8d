-- The active cameras whose range reaches the area. $1 area GeoJSON, $2 box margin in degrees (1 km).
WITH r AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS geom)
SELECT c.id, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.direction_deg, c.fov_deg, c.range_m
FROM cameras c, r
WHERE c.status = 'active'
  AND c.geom && ST_Expand(r.geom, $2)
  AND ST_DWithin(c.geom::geography, r.geom::geography, c.range_m)
ORDER BY c.id
