-- Empties every data table the demo city fills (and, by CASCADE, anything that references them),
-- so the loader starts from nothing. Users go too: their street code points at jurisdictions; the
-- CLI and bootstrap recreate the demo accounts afterwards.
TRUNCATE jurisdictions, compounds, buildings, service_areas, service_area_history, cameras, gates, users,
  camera_history, gate_history,
  basemap_roads, basemap_water, basemap_blocks
  RESTART IDENTITY CASCADE;
