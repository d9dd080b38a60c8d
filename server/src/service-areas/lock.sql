-- The write locks of a service-area save (migrations/0008): the grid cells the bbox of everything it
-- touches covers — the new polygons ($1, GeoJSON texts) and the stored areas it changes ($2, ids).
SELECT service_area_lock(ST_Envelope(ST_Collect(s.g)))
FROM (
  SELECT ST_SetSRID(ST_GeomFromGeoJSON(x), 4326) AS g FROM unnest($1::text[]) x
  UNION ALL
  SELECT geom FROM service_areas WHERE id = ANY($2::bigint[])
) s
