-- Is the polygon a client sent for a merge the union of the two areas? $1, $2 area ids; $3 GeoJSON
-- polygon. mismatch_m2: area of the symmetric difference between it and the union; perimeter_m: the
-- union's perimeter (a gap bridged along the shared edge is at most this long). Both on the spheroid.
WITH u AS (
  SELECT ST_Union(a.geom, b.geom) AS geom
  FROM service_areas a, service_areas b
  WHERE a.id = $1 AND b.id = $2
)
SELECT COALESCE(ST_Area(ST_SymDifference(u.geom, ST_SetSRID(ST_GeomFromGeoJSON($3::text), 4326))::geography), 0)::float8
         AS mismatch_m2,
       ST_Perimeter(u.geom::geography)::float8 AS perimeter_m
FROM u
