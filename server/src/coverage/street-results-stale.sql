SELECT r.street_code, r.kind, r.options FROM coverage_street_results r
WHERE r.version <> (SELECT count(*) FROM coverage_street_changes c
                    WHERE c.street_code = ANY(ARRAY[r.street_code, '*'] ||
                                              CASE WHEN r.kind = 'scorecards' THEN ARRAY['*cam'] ELSE '{}'::text[] END))
ORDER BY r.computed_at LIMIT $1
