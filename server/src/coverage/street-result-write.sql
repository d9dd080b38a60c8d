INSERT INTO coverage_street_results (street_code, kind, options, version, result)
VALUES ($1, $2, $3, $4::bigint, $5)
ON CONFLICT (street_code, kind, options) DO UPDATE
  SET version = excluded.version, result = excluded.result, computed_at = now()
  WHERE coverage_street_results.version <= excluded.version
