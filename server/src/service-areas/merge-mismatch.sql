-- Is the polygon a client sent for a merge the union of the two areas? $1, $2 area ids; $3 GeoJSON
-- polygon. mismatch_m2: area of the symmetric difference between it and the union; perimeter_m: the
-- union's perimeter (a gap bridged along the shared edge is at most this long). Both on the spheroid.
-- bridged_type, bridged: the union of the two areas and the given polygon (what a merge across a
-- small gap stores: all the two areas covered, plus the bridge; never the client's polygon alone,
-- which may miss a hair-thin slit along their shared edge).
-- The overlays run on a 1e-9° grid (about 0.1 mm): GEOS then nodes by snap-rounding at once. Without a
-- grid a floating-point noding error ends the statement in PGlite with no row and no error (see
-- server/src/db/embedded.ts, GeometryEngineError); on a grid this cannot happen, on both databases.
WITH u AS (
  SELECT ST_Union(a.geom, b.geom, 1e-9) AS geom, ST_SetSRID(ST_GeomFromGeoJSON($3::text), 4326) AS given
  FROM service_areas a, service_areas b
  WHERE a.id = $1 AND b.id = $2
), m AS (
  SELECT u.*, ST_Union(u.geom, u.given, 1e-9) AS bridged FROM u
)
SELECT COALESCE(ST_Area(ST_SymDifference(m.geom, m.given, 1e-9)::geography), 0)::float8 AS mismatch_m2,
       ST_Perimeter(m.geom::geography)::float8 AS perimeter_m,
       GeometryType(m.bridged) AS bridged_type,
       ST_AsGeoJSON(m.bridged, 15) AS bridged
FROM m
