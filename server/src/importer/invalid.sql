-- Every staged geometry PostGIS finds invalid, with its reason, in one pass.
SELECT idx, ST_IsValidReason(geom) AS reason
FROM import_staging
WHERE NOT ST_IsValid(geom)
ORDER BY idx
