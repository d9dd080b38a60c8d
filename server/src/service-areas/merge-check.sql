-- Two stored areas about to be merged: $1, $2 area ids. Their distance in metres, and their union
-- (type and GeoJSON): a Polygon when they share an edge, a MultiPolygon when they do not.
WITH u AS (
  SELECT ST_Distance(a.geom::geography, b.geom::geography)::float8 AS distance_m,
         ST_Union(a.geom, b.geom) AS geom
  FROM service_areas a, service_areas b
  WHERE a.id = $1 AND b.id = $2
)
SELECT u.distance_m, GeometryType(u.geom) AS type, ST_AsGeoJSON(u.geom, 15) AS geometry
FROM u
