-- The features of a layer filed by 街道 (compounds, service areas) whose file names no street: the
-- street their point-on-surface lies in, as the editor files an area drawn there. Without it a street
-- editor's import was refused by row-level security, and an admin's areas were missing from their
-- street's lists and exports. Left empty outside every street. Run once the geometries are valid.
UPDATE import_staging s
SET street_code = (
  SELECT j.code FROM jurisdictions j
  WHERE j.level = 'street' AND j.geom && s.geom AND ST_Covers(j.geom, ST_PointOnSurface(s.geom))
  ORDER BY j.code
  LIMIT 1
)
WHERE s.street_code IS NULL
