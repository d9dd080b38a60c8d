-- Offline basemaps (issue 11): MBTiles and PMTiles files an admin added, kept in BASEMAP_DIR. The
-- registry lives here, not in the folder, so every app process serves the same list.
CREATE TABLE basemaps (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- the file inside BASEMAP_DIR (a generated name; never a path)
  file_name   text NOT NULL UNIQUE CHECK (file_name ~ '^[A-Za-z0-9_-]+\.(mbtiles|pmtiles)$'),
  container   text NOT NULL CHECK (container IN ('mbtiles', 'pmtiles')),
  tile_type   text NOT NULL CHECK (tile_type IN ('png', 'jpg', 'webp', 'mvt')),
  bytes       bigint NOT NULL CHECK (bytes > 0),
  min_zoom    smallint NOT NULL CHECK (min_zoom BETWEEN 0 AND 30),
  max_zoom    smallint NOT NULL CHECK (max_zoom BETWEEN min_zoom AND 30),
  -- WGS84 [west, south, east, north]
  bounds      double precision[] NOT NULL CHECK (array_length(bounds, 1) = 4),
  attribution text NOT NULL DEFAULT '',
  -- the vector layers' names of an MVT basemap (the client styles each)
  vector_layers text[] NOT NULL DEFAULT '{}',
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER basemaps_audit AFTER INSERT OR UPDATE OR DELETE ON basemaps
  FOR EACH ROW EXECUTE FUNCTION audit_write();

-- Only a city admin adds or removes one (the command line runs as the owner, exempt).
ALTER TABLE basemaps ENABLE ROW LEVEL SECURITY;
CREATE POLICY basemaps_read ON basemaps FOR SELECT USING (true);
CREATE POLICY basemaps_write ON basemaps FOR ALL
  USING (current_setting('app.role', true) = 'city_admin')
  WITH CHECK (current_setting('app.role', true) = 'city_admin');
