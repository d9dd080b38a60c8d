-- The area a coverage is asked for: a service area ($1 = 'service_area') or a compound ($1 = 'compound').
-- Its geometry, its area, the open ground left by the buildings on it, and a box margin in degrees that
-- holds 1 km (the longest camera range) at its latitude. The overlay runs on a 1e-9° grid (see seen-area.sql).
WITH r AS (
  SELECT geom FROM service_areas WHERE $1::text = 'service_area' AND id = $2
  UNION ALL
  SELECT geom FROM compounds WHERE $1::text = 'compound' AND id = $2 AND geom IS NOT NULL
)
SELECT ST_AsGeoJSON(r.geom, 15) AS geometry,
       ST_Area(r.geom::geography) AS area_m2,
       COALESCE(ST_Area(ST_Difference(r.geom, (
         SELECT ST_Union(b.geom, 1e-9) FROM buildings b WHERE b.geom && r.geom AND ST_Intersects(b.geom, r.geom)
       ), 1e-9)::geography), ST_Area(r.geom::geography)) AS open_m2,
       1000 / (111320 * cos(radians(GREATEST(abs(ST_YMin(r.geom)), abs(ST_YMax(r.geom)))))) AS margin_deg
FROM r
