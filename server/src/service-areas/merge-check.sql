-- Two stored areas about to be merged: $1, $2 area ids. Their distance in metres, and their union
-- (type and GeoJSON): a Polygon when they share an edge, a MultiPolygon when they do not.
-- The overlays run on a 1e-9° grid (about 0.1 mm): GEOS then nodes by snap-rounding at once. Without a
-- grid a floating-point noding error ends the statement in PGlite with no row and no error (see
-- server/src/db/embedded.ts, GeometryEngineError); on a grid this cannot happen, on both databases.
WITH u AS (
  SELECT ST_Distance(a.geom::geography, b.geom::geography)::float8 AS distance_m,
         ST_Union(a.geom, b.geom, 1e-9) AS geom
  FROM service_areas a, service_areas b
  WHERE a.id = $1 AND b.id = $2
)
SELECT u.distance_m, GeometryType(u.geom) AS type, ST_AsGeoJSON(u.geom, 15) AS geometry
FROM u
