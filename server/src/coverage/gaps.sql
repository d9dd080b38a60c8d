-- Gaps between service areas inside one street, under $3 m² and over $4 m² (floating-point crumbs):
--  * slivers: what a closing of the areas' union (grow by width/2, shrink back; EPSG:4544, metres)
--    fills, with hairlines opened away, outside the union's holes;
--  * holes: the holes of the union, exactly, in EPSG:4326.
-- Each piece is finally cut from the areas in EPSG:4326, so its edges coincide with theirs.
-- Every overlay runs on a grid (1e-9° ≈ 0.1 mm in EPSG:4326, 1 mm in EPSG:4544), so GEOS nodes by
-- snap-rounding at once. Without one GEOS first tries floating-point noding and retries on a topology
-- error; in PGlite (PostGIS 3.6, GEOS 3.14 in WebAssembly) that first error ends the statement with no
-- row and no error: no gap at all for most streets of the demo city, and again for a street whose areas
-- had vertices on their straight edges after a split and a merge (issue 9 #3b). GEOS buffers the same
-- way, so every buffer takes its input reduced to the 1 mm grid.
-- A gap that holds no building is left out under $5 m² or under $6 m mean width (twice its area over
-- its perimeter): the lanes and cracks between areas, where nobody is left out (issue 9 #4).
-- $1 street code, $2 width m, $3 max area m², $4 min area m², $5 and $6 the thresholds of empty gaps.
WITH street AS (
  SELECT geom FROM jurisdictions WHERE code = $1 AND level = 'street'
), areas AS (
  SELECT s.id, s.geom FROM service_areas s, street
  WHERE s.geom && street.geom AND ST_Intersects(s.geom, street.geom)
), u AS (
  SELECT ST_Union(geom, 1e-9) AS g FROM areas HAVING count(*) > 0
), um AS (
  SELECT ST_Transform(g, 4544) AS g FROM u
), enclosed AS (
  -- What the union's interior rings enclose (NULL when it has none): the holes, and any part of the
  -- union inside one. Outlines with their holes filled, unioned, are the same land plus the union
  -- itself, at the cost of a second union of every area (2.4 of 12.6 s at 200,000 buildings).
  SELECT ST_Union(ST_MakePolygon(ST_InteriorRingN(d.geom, i)), 1e-9) AS g
  FROM u, LATERAL ST_Dump(u.g) d, LATERAL generate_series(1, ST_NumInteriorRings(d.geom)) i
), holes AS (
  SELECT 'hole' AS kind, d.geom AS g
  FROM u, enclosed, street, LATERAL ST_Dump(ST_Intersection(ST_Difference(enclosed.g, u.g, 1e-9), street.geom, 1e-9)) d
), sliver_m AS (
  SELECT d.geom AS g
  FROM um, LATERAL ST_Dump(ST_Buffer(ST_ReducePrecision(ST_Buffer(
         ST_Difference(ST_Buffer(ST_ReducePrecision(ST_Buffer(ST_ReducePrecision(um.g, 0.001), $2::float8 / 2, 'join=mitre'), 0.001),
                                 -$2::float8 / 2, 'join=mitre'), um.g, 0.001),
         -0.01, 'join=mitre'), 0.001), 0.01, 'join=mitre')) d
), slivers AS (
  -- Each piece is cut from the union of the street's areas near it (found through the index), not
  -- from the whole union: the same difference, since no other area touches the piece, but one
  -- overlay with the whole street's union per piece made the cuts most of the query's time (20 of
  -- 42 s for 2,032 pieces among 5,450 areas at 200,000 buildings; issue 12).
  SELECT 'sliver' AS kind, part.geom AS g
  FROM sliver_m, street, enclosed,
       LATERAL (SELECT ST_Buffer(ST_Transform(sliver_m.g, 4326), 1e-6, 'join=mitre') AS g) grown,
       LATERAL (SELECT ST_Difference(ST_Intersection(grown.g, street.geom, 1e-9),
                  COALESCE((SELECT ST_Union(a.geom, 1e-9) FROM service_areas a
                            WHERE a.geom && grown.g AND ST_Intersects(a.geom, street.geom)),
                           ST_GeomFromText('POLYGON EMPTY', 4326)), 1e-9) AS g) cut,
       LATERAL (SELECT d.geom FROM ST_Dump(cut.g) d ORDER BY ST_Area(d.geom) DESC LIMIT 1) part
  WHERE NOT COALESCE(ST_Within(ST_PointOnSurface(part.geom), enclosed.g), false)
), sized AS (
  SELECT kind, g, ST_Area(g::geography) AS area_m2, ST_Perimeter(g::geography) AS perimeter_m
  FROM (SELECT * FROM holes UNION ALL SELECT * FROM slivers) x
  WHERE GeometryType(g) = 'POLYGON'
), counted AS (
  SELECT sized.*,
         (SELECT count(*) FROM buildings b WHERE b.geom && sized.g AND ST_Intersects(b.geom, sized.g))::integer AS buildings
  FROM sized
  WHERE sized.area_m2 >= $4 AND sized.area_m2 <= $3
    -- a strip a road runs through is the road, not a gap
    AND NOT EXISTS (SELECT 1 FROM basemap_roads r WHERE r.geom && sized.g AND ST_Intersects(r.geom, sized.g))
), kept AS (
  SELECT * FROM counted
  WHERE buildings > 0
     OR (area_m2 >= $5::float8 AND 2 * area_m2 >= $6::float8 * perimeter_m)
)
SELECT (row_number() OVER (ORDER BY kept.area_m2 DESC, ST_XMin(kept.g)) - 1)::integer AS index,
       kind,
       round(kept.area_m2::numeric, 2)::float8 AS area_m2,
       ARRAY(SELECT a.id::integer FROM service_areas a, street
             WHERE ST_DWithin(a.geom, kept.g, 1e-7) AND ST_Intersects(a.geom, street.geom)
             ORDER BY a.id) AS neighbours,
       buildings,
       ST_AsGeoJSON(kept.g, 9)::json AS geometry
FROM kept
ORDER BY index
