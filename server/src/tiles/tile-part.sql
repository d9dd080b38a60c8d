-- One MVT layer of one tile, read from one registry table (server/src/layers.ts). The placeholders
-- {{name}}, {{table}}, {{columns}} are filled from the registry only, never from a request.
-- $1, $2, $3 = z, x, y; $4 = the buffer as a fraction of the tile side. {{limit}} is empty, or keeps
-- the $5 largest features when a tile must shrink.
-- The buffered tile envelope is transformed to the column's SRID (4326) so the GiST index answers
-- `&&`; the geometry goes to Web Mercator for ST_AsMVTGeom (extent 4096, buffer 64, clipped).
SELECT COALESCE(ST_AsMVT(q, '{{name}}', 4096, 'geom', '__fid'), ''::bytea)
FROM (
  SELECT {{columns}}
         ST_AsMVTGeom(ST_Transform(t.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
  FROM {{table}} t
  WHERE t.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => $4::float8), 4326)
  {{limit}}
) q
WHERE q.geom IS NOT NULL
