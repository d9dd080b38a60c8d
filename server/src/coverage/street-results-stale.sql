-- Kept street answers an edit made stale, oldest first. $1 limit; $2 {kind: [global change keys]}, the
-- keys each kind depends on besides its street's own (GLOBAL_KEYS in street-results.ts, the one list).
-- SKIP LOCKED: an answer another app process is recomputing right now (its row locked by this same
-- statement in that process's transaction) is left to it, so two processes never do the same work.
SELECT r.street_code, r.kind, r.options FROM coverage_street_results r
WHERE r.version <> (SELECT count(*) FROM coverage_street_changes c
                    WHERE c.street_code = ANY(ARRAY[r.street_code] ||
                                              ARRAY(SELECT jsonb_array_elements_text($2::jsonb -> r.kind))))
ORDER BY r.computed_at LIMIT $1
FOR UPDATE OF r SKIP LOCKED
