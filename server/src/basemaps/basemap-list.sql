-- The offline basemaps, newest first; $1 = one id, or NULL for all.
SELECT id, name, file_name, container, tile_type, bytes, min_zoom, max_zoom, bounds, attribution,
       vector_layers, created_by, created_at
  FROM basemaps
 WHERE $1::bigint IS NULL OR id = $1::bigint
 ORDER BY created_at DESC, id DESC
