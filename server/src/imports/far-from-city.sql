-- How many of the given places ($1 lon, $2 lat: one a feature) lie far outside the city: outside
-- the box of all jurisdictions grown by 0.05° (about 5 km), as the import's outside-city.sql judges;
-- and that box. No row when no jurisdiction is stored.
SELECT count(*) FILTER (WHERE NOT (ST_SetSRID(ST_MakePoint(u.x, u.y), 4326) && city.box))::integer AS far,
       ST_XMin(city.box) AS xmin, ST_YMin(city.box) AS ymin, ST_XMax(city.box) AS xmax, ST_YMax(city.box) AS ymax
FROM unnest($1::float8[], $2::float8[]) AS u(x, y),
     (SELECT ST_Expand(ST_Extent(geom)::geometry, 0.05) AS box FROM jurisdictions) city
WHERE city.box IS NOT NULL
GROUP BY city.box
