-- Which features have a vertex outside a street: $1 feature indexes, $2 lon, $3 lat (one row per
-- vertex), $4 the street's code. Points, not geometries, so a broken polygon cannot make GEOS throw;
-- its own problem is reported by the import.
SELECT DISTINCT u.i AS idx
FROM unnest($1::integer[], $2::float8[], $3::float8[]) AS u(i, x, y)
WHERE NOT EXISTS (
  SELECT 1 FROM jurisdictions j
  WHERE j.code = $4 AND ST_Covers(j.geom, ST_SetSRID(ST_MakePoint(u.x, u.y), 4326))
)
ORDER BY 1
