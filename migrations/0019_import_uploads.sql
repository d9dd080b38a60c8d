-- Files uploaded to the import page (issue 11), kept in the database between upload, preview, check
-- and commit so any server process can answer each step. Nothing here is layer data: a commit reads
-- the file and imports it in one transaction; uploads older than a day are dropped on the next upload.
CREATE TABLE import_uploads (
  id         text PRIMARY KEY,
  username   text NOT NULL,
  name       text NOT NULL,
  size       integer NOT NULL,
  bytes      bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_uploads_created_idx ON import_uploads (created_at);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wuyou_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON import_uploads TO wuyou_app;
  END IF;
END $$;
