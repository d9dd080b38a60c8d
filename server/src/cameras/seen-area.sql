-- How much of the area the viewsheds see. $1 area GeoJSON, $2 a JSON array of GeoJSON polygons.
-- The union and the intersection run on a 1e-9° grid (about 0.1 mm): GEOS then nodes by snap-rounding
-- at once. Without a grid, GEOS tries floating-point noding first and retries on a topology error; in
-- PGlite (PostGIS 3.6, GEOS 3.14 in WebAssembly) that first error ends the statement with no row and
-- no error, which failed about one area in twelve of the demo city (issue 9 #3a).
WITH r AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS geom),
v AS (
  SELECT ST_Union(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(e::text), 4326)), 3), 1e-9) AS geom
  FROM json_array_elements($2::json) e
)
SELECT COALESCE(ST_Area(ST_Intersection(r.geom, v.geom, 1e-9)::geography), 0) AS seen_m2
FROM r, v
