-- The buildings whose footprint holds a point in its interior, farther than $3 metres from any wall
-- (a camera on a wall, digitised a little inside, is on the wall). $1 lon, $2 lat.
SELECT b.id
FROM buildings b
WHERE b.geom && ST_SetSRID(ST_MakePoint($1, $2), 4326)
  AND ST_Contains(b.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
  AND NOT ST_DWithin(ST_Boundary(b.geom)::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $3)
ORDER BY b.id
