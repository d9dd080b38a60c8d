-- The checks of a service-area save, decided by PostGIS on one candidate polygon; nothing is written.
-- $1 polygon as GeoJSON text, $2 id of the area being edited (not its own neighbour) or NULL,
-- $3 code of the 街道 it must lie in or NULL, $4 jurisdiction tolerance (m), $5 overlap tolerance (m²).
-- Overlap is on interiors (ST_Relate 'T********'), never on boxes; buildings count when covered
-- (ST_Covers) and are cut when the boundary runs through their interior.
-- The overlap is measured on a 1e-9° grid (about 0.1 mm, far below the 0.01 m² tolerance): without one a
-- floating-point noding error of GEOS ends the statement in PGlite with no row and no error (see
-- server/src/db/embedded.ts, GeometryEngineError). ST_Covers and ST_Relate are predicates, not overlays,
-- and stay exact.
WITH g AS (
  SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS geom
), v AS (
  SELECT g.geom, d.valid, d.reason, d.location
  FROM g CROSS JOIN LATERAL ST_IsValidDetail(g.geom) d
), ov AS (
  SELECT s.id, s.name, i.geom, ST_Area(i.geom::geography) AS area_m2
  FROM v
  JOIN service_areas s ON s.geom && v.geom
  CROSS JOIN LATERAL (SELECT ST_CollectionExtract(ST_Intersection(s.geom, v.geom, 1e-9), 3) AS geom) i
  WHERE v.valid
    AND s.id IS DISTINCT FROM $2::bigint
    AND ST_Intersects(s.geom, v.geom)
    AND ST_Relate(s.geom, v.geom, 'T********')
), bl AS (
  SELECT b.id, b.category, b.households, ST_Covers(v.geom, b.geom) AS covered
  FROM v
  JOIN buildings b ON b.geom && v.geom
  WHERE v.valid AND ST_Relate(b.geom, v.geom, 'T********')
), jr AS (
  SELECT CASE WHEN ST_Covers(j.geom, v.geom) THEN true
              ELSE ST_Covers(ST_Buffer(j.geom::geography, $4::float8)::geometry, v.geom) END AS inside
  FROM v JOIN jurisdictions j ON j.code = $3::text
  WHERE v.valid
)
SELECT v.valid,
       v.reason,
       ST_AsGeoJSON(v.location)::json AS location,
       ST_Area(v.geom::geography) AS area_m2,
       (SELECT COALESCE(json_agg(json_build_object('id', ov.id, 'name', ov.name, 'area_m2', ov.area_m2,
                                                   'geometry', ST_AsGeoJSON(ov.geom, 9)::json) ORDER BY ov.id), '[]'::json)
          FROM ov WHERE ov.area_m2 > $5::float8) AS overlaps,
       (SELECT COALESCE(json_agg(bl.id ORDER BY bl.id), '[]'::json) FROM bl WHERE NOT bl.covered) AS cut,
       (SELECT count(*) FROM bl WHERE bl.covered)::integer AS buildings,
       (SELECT count(*) FROM bl WHERE bl.covered AND bl.category = 'three_no')::integer AS three_no_buildings,
       (SELECT COALESCE(sum(bl.households), 0) FROM bl WHERE bl.covered)::integer AS households,
       ($3::text IS NULL OR COALESCE((SELECT bool_and(jr.inside) FROM jr), false)) AS in_jurisdiction
FROM v
