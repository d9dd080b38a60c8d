-- Registers a basemap file already copied into BASEMAP_DIR.
INSERT INTO basemaps (name, file_name, container, tile_type, bytes, min_zoom, max_zoom, bounds,
                      attribution, vector_layers, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::double precision[], $9, $10::text[], $11)
RETURNING id, name, file_name, container, tile_type, bytes, min_zoom, max_zoom, bounds, attribution,
          vector_layers, created_by, created_at
