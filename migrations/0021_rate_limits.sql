-- Rate limits of heavy requests shared by every app process (issue 10 #5; the ground rule: no state
-- in a process that two processes could disagree on). Before, each process kept its own token buckets
-- in memory, so N processes allowed N × the rate.
--
-- One token bucket per (scope, key): `tokens` as of `at`, refilled at the caller's rate, at most its
-- capacity. server/src/rate-limits/take.sql refills and takes a token in one INSERT … ON CONFLICT DO
-- UPDATE, on the locked row, so concurrent requests through any process each see the others' takes.
-- `granted` says whether that last take got a token (the statement's RETURNING cannot see the row
-- before the update).
--
-- UNLOGGED: not written to the WAL (a take is one small write per heavy request) and not copied to
-- replicas; after a crash of the server the table starts empty, which forgives the last minute's
-- callers and nothing more. A bucket untouched for longer than it takes to fill again is the same as
-- no row: server/src/rate-limits/prune.sql deletes those.
CREATE UNLOGGED TABLE rate_limits (
  scope   text NOT NULL,
  key     text NOT NULL,
  tokens  double precision NOT NULL,
  at      timestamptz NOT NULL,
  granted boolean NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX rate_limits_at ON rate_limits (at);

-- Not a street's data: the app role reads and writes every row (no row-level security), like
-- login_attempts.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wuyou_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO wuyou_app;
  END IF;
END $$;
