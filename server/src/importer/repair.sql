-- --make-valid: repair every invalid staged geometry with ST_MakeValid, keep only its polygonal parts,
-- and say per feature what changed (parts and area before / after).
WITH bad AS (
  SELECT idx, geom AS before, ST_IsValidReason(geom) AS reason
  FROM import_staging
  WHERE NOT ST_IsValid(geom)
), fixed AS (
  SELECT idx, reason, before, ST_CollectionExtract(ST_MakeValid(before), 3) AS after
  FROM bad
), written AS ( -- runs once whether or not it is read
  UPDATE import_staging s SET geom = f.after FROM fixed f WHERE s.idx = f.idx RETURNING s.idx
)
SELECT f.idx,
       f.reason,
       ST_NumGeometries(f.before) AS parts_before,
       ST_NumGeometries(f.after) AS parts_after,
       ST_Area(f.before::geography) AS area_before,
       ST_Area(f.after::geography) AS area_after,
       ST_IsEmpty(f.after) AS empty,
       ST_IsValid(f.after) AS valid
FROM fixed f
ORDER BY f.idx
