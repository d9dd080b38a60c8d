-- How much of the area the viewsheds see. $1 area GeoJSON, $2 a JSON array of GeoJSON polygons.
WITH r AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS geom),
v AS (
  SELECT ST_Union(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(e::text), 4326)), 3)) AS geom
  FROM json_array_elements($2::json) e
)
SELECT COALESCE(ST_Area(ST_Intersection(r.geom, v.geom)::geography), 0) AS seen_m2
FROM r, v
