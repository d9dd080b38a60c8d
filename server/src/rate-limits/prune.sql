-- Forgets buckets untouched for $1 seconds (long enough to have filled again: the same as no row).
DELETE FROM rate_limits WHERE at < now() - make_interval(secs => $1::float8)
