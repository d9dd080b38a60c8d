-- The file's service areas that would overlap another one: a stored area (as the table's trigger
-- measures it: interiors meet, shared area over 0.01 m² on a 1e-9° grid), or an earlier feature of the
-- file. Run after the import's mode has deleted, updated or skipped what it does, before the insert,
-- so each is a problem by feature instead of the trigger's one error for the whole file.
SELECT s.idx, t.id AS with_id, t.name AS with_name, NULL::integer AS with_idx, o.area_m2
FROM import_staging s
JOIN service_areas t
  ON t.geom && s.geom AND ST_Intersects(t.geom, s.geom) AND ST_Relate(t.geom, s.geom, 'T********')
CROSS JOIN LATERAL (
  SELECT ST_Area(ST_CollectionExtract(ST_Intersection(t.geom, s.geom, 1e-9), 3)::geography) AS area_m2
) o
WHERE o.area_m2 > 0.01
UNION ALL
SELECT s.idx, NULL, NULL, e.idx, o.area_m2
FROM import_staging s
JOIN import_staging e
  ON e.idx < s.idx AND e.geom && s.geom AND ST_Intersects(e.geom, s.geom)
  AND ST_Relate(e.geom, s.geom, 'T********')
CROSS JOIN LATERAL (
  SELECT ST_Area(ST_CollectionExtract(ST_Intersection(e.geom, s.geom, 1e-9), 3)::geography) AS area_m2
) o
WHERE o.area_m2 > 0.01
ORDER BY 1, 2, 4
