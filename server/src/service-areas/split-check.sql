-- Do the parts of a split make up the stored area? $1 area id; $2 JSON array of GeoJSON polygons.
-- mismatch_m2: area of the symmetric difference between the stored area and the union of the parts;
-- overlap_m2: the largest overlap of two parts. Both on the spheroid (geography).
WITH p AS (
  SELECT e.ord, ST_SetSRID(ST_GeomFromGeoJSON(e.g::text), 4326) AS geom
  FROM json_array_elements($2::json) WITH ORDINALITY AS e(g, ord)
), u AS (
  SELECT ST_Union(geom) AS geom FROM p
)
SELECT COALESCE(ST_Area(ST_SymDifference(s.geom, u.geom)::geography), 0)::float8 AS mismatch_m2,
       COALESCE((SELECT max(ST_Area(ST_Intersection(a.geom, b.geom)::geography))
                 FROM p a JOIN p b ON a.ord < b.ord AND ST_Intersects(a.geom, b.geom)), 0)::float8
         AS overlap_m2
FROM service_areas s, u
WHERE s.id = $1
