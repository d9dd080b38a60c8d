-- The footprints meeting a box, as GeoJSON text. $1..$4 minLon, minLat, maxLon, maxLat.
SELECT ST_AsGeoJSON(b.geom, 15) AS geometry
FROM buildings b
WHERE b.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
