-- The bucket's tokens now, before this take: what it held, plus the refill since, at most its capacity.
least($3::float8, b.tokens + greatest(0, extract(epoch FROM now() - b.at)::float8) * $4::float8)
