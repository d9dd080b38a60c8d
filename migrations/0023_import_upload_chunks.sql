-- An import upload in pieces (issue 11, scale and memory): the file is written as it arrives, a few
-- megabytes a row, and read back the same way into a temporary file for preview, check and commit,
-- so no step holds the whole file in memory. import_uploads keeps one row per upload (who, name,
-- size); its pieces go with it (ON DELETE CASCADE) when it is committed, refused or a day old.
CREATE TABLE import_upload_chunks (
  upload_id text NOT NULL REFERENCES import_uploads (id) ON DELETE CASCADE,
  seq       integer NOT NULL,
  bytes     bytea NOT NULL,
  PRIMARY KEY (upload_id, seq)
);

-- Uploads staged before this migration become one piece each.
INSERT INTO import_upload_chunks (upload_id, seq, bytes) SELECT id, 0, bytes FROM import_uploads;
ALTER TABLE import_uploads DROP COLUMN bytes;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wuyou_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON import_upload_chunks TO wuyou_app;
  END IF;
END $$;
