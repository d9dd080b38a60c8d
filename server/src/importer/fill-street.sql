-- The features of a layer filed by 街道 and 社区 (compounds, service areas) whose file names neither:
-- the street, and the community of that street, their point-on-surface lies in, as a user would file
-- an area drawn there. Without the street a street editor's import was refused by row-level security,
-- and an admin's areas were missing from their street's lists and exports; without the community
-- they were missing from its tallies. Left empty outside every street or community. Run once the
-- geometries are valid.
WITH placed AS (
  SELECT s.idx,
         COALESCE(s.street_code, (
           SELECT j.code FROM jurisdictions j
           WHERE j.level = 'street' AND j.geom && s.geom AND ST_Covers(j.geom, ST_PointOnSurface(s.geom))
           ORDER BY j.code LIMIT 1)) AS street_code,
         s.community_code,
         s.geom
  FROM import_staging s
  WHERE s.street_code IS NULL OR s.community_code IS NULL
)
UPDATE import_staging s
SET street_code = p.street_code,
    community_code = COALESCE(p.community_code, (
      SELECT j.code FROM jurisdictions j
      WHERE j.level = 'community' AND j.parent_code = p.street_code
        AND j.geom && p.geom AND ST_Covers(j.geom, ST_PointOnSurface(p.geom))
      ORDER BY j.code LIMIT 1))
FROM placed p
WHERE s.idx = p.idx
