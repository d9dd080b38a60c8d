-- The view the map opens on: the extent of the district(s) (区县), NULLs when none is loaded.
SELECT ST_XMin(e) AS w, ST_YMin(e) AS s, ST_XMax(e) AS e, ST_YMax(e) AS n
  FROM (SELECT ST_Extent(geom) AS e FROM jurisdictions WHERE level = 'district') d
