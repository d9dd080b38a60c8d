-- Features far outside the city (a wrong file, or a wrong CRS that still lands in China): every
-- feature whose box misses the box of all jurisdictions grown by 0.05° (about 5 km). Nothing when no
-- jurisdiction is stored yet. The place told is the south-west corner of the feature's box; the
-- city's box comes with it, to tell a Gauss-Krüger zone mistake (whole 3° steps of longitude off).
SELECT s.idx, ST_XMin(s.geom) AS lon, ST_YMin(s.geom) AS lat,
       ST_XMin(city.box) AS xmin, ST_YMin(city.box) AS ymin, ST_XMax(city.box) AS xmax, ST_YMax(city.box) AS ymax
FROM import_staging s,
     (SELECT ST_Expand(ST_Extent(geom)::geometry, 0.05) AS box FROM jurisdictions) city
WHERE city.box IS NOT NULL AND NOT (s.geom && city.box)
ORDER BY s.idx
