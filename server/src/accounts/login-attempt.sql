-- Counts one sign-in attempt against a key ($1) unless the key is locked, and locks it once its recent
-- failures reach the threshold ($2): for $3 seconds, doubling with each further failure, at most $4.
-- Failures older than an hour are forgotten. The count is taken on the locked row, so concurrent
-- attempts each count. No row returned: the key was locked (429).
INSERT INTO login_attempts AS a (key, failures, last_failure_at, locked_until)
VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3::float8) END)
ON CONFLICT (key) DO UPDATE
  SET failures = CASE WHEN a.last_failure_at < now() - interval '1 hour' THEN 1 ELSE a.failures + 1 END,
      last_failure_at = now(),
      locked_until = CASE
        WHEN (CASE WHEN a.last_failure_at < now() - interval '1 hour' THEN 1 ELSE a.failures + 1 END) >= $2
        THEN now() + make_interval(secs => least($4::float8, $3::float8 * power(2,
               (CASE WHEN a.last_failure_at < now() - interval '1 hour' THEN 1 ELSE a.failures + 1 END) - $2)))
      END
  WHERE a.locked_until IS NULL OR a.locked_until <= now()
RETURNING a.failures
