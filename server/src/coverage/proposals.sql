-- Draft areas for the uncovered 三无 buildings of one street: buildings clustered within their city
-- block (ST_ClusterDBSCAN, $2 m apart at most), each cluster grown by $3 m around its buildings and
-- merged (buffer out, in), then cut by the street and the block, the roads (± $4 m), the river and the
-- existing areas, so the street's own editor can save a proposal unchanged (a block may reach into the
-- next street: issue 9 #4). The part with most of the cluster's buildings is kept. $1 street code.
-- Parts under $5 m² (the save's too_small) are no proposal. compounds: the names of the compounds of
-- its buildings, most buildings first (the editor names an adopted proposal after them). Every overlay in EPSG:4326 runs on a
-- 1e-9° grid (≈ 0.1 mm; see gaps.sql for why), and every buffer (EPSG:4544, metres) takes its input
-- reduced to a 1 mm grid: GEOS buffers by floating-point noding first too, and PGlite returned no
-- proposal at all for a street where that failed.
WITH street AS (
  SELECT geom FROM jurisdictions WHERE code = $1 AND level = 'street'
), ub AS (
  SELECT b.id, COALESCE(b.households, 0) AS households, b.geom, ST_Transform(b.geom, 4544) AS gm, blk.id AS block_id
  FROM buildings b
  JOIN building_places p ON p.building_id = b.id
  LEFT JOIN compounds c ON c.id = b.compound_id
  LEFT JOIN LATERAL (
    SELECT k.id FROM basemap_blocks k
    WHERE k.geom && b.geom AND ST_Intersects(k.geom, ST_PointOnSurface(b.geom))
    ORDER BY k.id LIMIT 1
  ) blk ON true
  WHERE p.street_code = $1 AND NOT b.covered AND COALESCE(b.category, c.category) = 'three_no'
), clustered AS (
  SELECT ub.*, ST_ClusterDBSCAN(gm, $2::float8, 1) OVER (PARTITION BY block_id) AS cid FROM ub
), grp AS (
  SELECT block_id, cid, array_agg(id::integer ORDER BY id) AS ids, sum(households)::integer AS households,
         ST_Collect(gm) AS gm
  FROM clustered GROUP BY block_id, cid
), shaped AS MATERIALIZED (
  SELECT grp.*,
         ST_Transform(ST_Buffer(ST_ReducePrecision(ST_Buffer(ST_ReducePrecision(grp.gm, 0.001),
                                                             $2::float8 / 2 + $3::float8, 'join=mitre'), 0.001),
                                -($2::float8 / 2), 'join=mitre'), 4326) AS raw
  FROM grp
), clipped AS (
  SELECT s.block_id, s.ids, s.households,
         ST_Difference(
           ST_Difference(
             ST_Intersection(
               CASE WHEN s.block_id IS NULL THEN s.raw
                    ELSE ST_Intersection(s.raw, (SELECT k.geom FROM basemap_blocks k WHERE k.id = s.block_id), 1e-9) END,
               street.geom, 1e-9),
             COALESCE((SELECT ST_Union(ST_Transform(ST_Buffer(ST_ReducePrecision(ST_Transform(r.geom, 4544), 0.001), $4::float8), 4326), 1e-9)
                       FROM basemap_roads r WHERE r.geom && s.raw AND ST_Intersects(r.geom, s.raw)),
                      ST_GeomFromText('GEOMETRYCOLLECTION EMPTY', 4326)), 1e-9),
           COALESCE((SELECT ST_Union(x.geom, 1e-9) FROM (
                       SELECT a.geom FROM service_areas a WHERE a.geom && s.raw
                       UNION ALL
                       SELECT w.geom FROM basemap_water w WHERE w.geom && s.raw AND ST_Intersects(w.geom, s.raw)) x),
                    ST_GeomFromText('GEOMETRYCOLLECTION EMPTY', 4326)), 1e-9) AS cut
  FROM shaped s, street
), best AS (
  SELECT c.*, part.geom AS poly
  FROM clipped c
  CROSS JOIN LATERAL (
    SELECT d.geom FROM ST_Dump(ST_SetSRID(c.cut, 4326)) d
    WHERE GeometryType(d.geom) = 'POLYGON'
    ORDER BY (SELECT count(*) FROM buildings bd WHERE bd.id = ANY(c.ids) AND ST_Intersects(d.geom, bd.geom)) DESC, ST_Area(d.geom) DESC
    LIMIT 1
  ) part
)
SELECT row_number() OVER (ORDER BY cardinality(ids) DESC, ids[1])::integer - 1 AS index,
       block_id, ids AS building_ids, households,
       (SELECT count(*) FROM buildings bd WHERE bd.id = ANY(best.ids) AND ST_Covers(best.poly, bd.geom))::integer AS covers,
       round(ST_Area(poly::geography)::numeric, 1)::float8 AS area_m2,
       (SELECT COALESCE(json_agg(x.name ORDER BY x.n DESC, x.name), '[]'::json)
        FROM (SELECT c.name, count(*) AS n FROM buildings bd JOIN compounds c ON c.id = bd.compound_id
              WHERE bd.id = ANY(best.ids) GROUP BY c.name) x) AS compounds,
       ST_AsGeoJSON(poly, 9)::json AS geometry
FROM best
WHERE ST_Area(poly::geography) >= $5::float8
ORDER BY index
