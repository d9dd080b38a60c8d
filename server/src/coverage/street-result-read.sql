WITH v AS (SELECT count(*) AS v FROM coverage_street_changes WHERE street_code = ANY($4::text[]))
SELECT v.v::text AS version, r.result FROM v
LEFT JOIN coverage_street_results r ON r.street_code = $1 AND r.kind = $2 AND r.options = $3 AND r.version = v.v
