-- Do the parts of a split make up the stored area? $1 area id; $2 JSON array of GeoJSON polygons.
-- mismatch_m2: area of the symmetric difference between the stored area and the union of the parts;
-- overlap_m2: the largest overlap of two parts. Both on the spheroid (geography).
-- The overlays run on a 1e-9° grid (about 0.1 mm): GEOS then nodes by snap-rounding at once. Without a
-- grid a floating-point noding error ends the statement in PGlite with no row and no error (see
-- server/src/db/embedded.ts, GeometryEngineError); on a grid this cannot happen, on both databases.
WITH p AS (
  SELECT e.ord, ST_SetSRID(ST_GeomFromGeoJSON(e.g::text), 4326) AS geom
  FROM json_array_elements($2::json) WITH ORDINALITY AS e(g, ord)
), u AS (
  SELECT ST_Union(geom, 1e-9) AS geom FROM p
)
SELECT COALESCE(ST_Area(ST_SymDifference(s.geom, u.geom, 1e-9)::geography), 0)::float8 AS mismatch_m2,
       COALESCE((SELECT max(ST_Area(ST_Intersection(a.geom, b.geom, 1e-9)::geography))
                 FROM p a JOIN p b ON a.ord < b.ord AND ST_Intersects(a.geom, b.geom)), 0)::float8
         AS overlap_m2
FROM service_areas s, u
WHERE s.id = $1
