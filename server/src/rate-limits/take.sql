-- Takes a token from the bucket ($1 scope, $2 key) holding at most $3 tokens and refilled at $4 tokens a
-- second, if it has one. A new bucket starts full. The refill ({{refilled}}) is reckoned on the locked
-- row, so concurrent takes through any app process each see the others'; the elapsed time never counts
-- backwards (a transaction that started earlier may update after a later one). Returns the tokens left
-- and whether this take was granted; a refused take changes nothing but `granted`.
INSERT INTO rate_limits AS b (scope, key, tokens, at, granted)
VALUES ($1, $2, $3::float8 - 1, now(), true)
ON CONFLICT (scope, key) DO UPDATE SET
  tokens = {{refilled}} - CASE WHEN {{refilled}} >= 1 THEN 1 ELSE 0 END,
  at = greatest(b.at, now()),
  granted = {{refilled}} >= 1
RETURNING b.tokens, b.granted
