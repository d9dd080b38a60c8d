-- Accounts that a city admin manages (issue 10 #6): a token version per user so that logout,
-- disable, demotion and a password reset revoke every token at once; a login limit whose state every
-- app process shares; and an audit log of every write, filled by triggers in the writing transaction.

ALTER TABLE users
  ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
  ADD COLUMN token_version        integer NOT NULL DEFAULT 1,
  ADD COLUMN disabled             boolean NOT NULL DEFAULT false,
  ADD COLUMN updated_at           timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT users_username_shape CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$');

-- Failed sign-ins per username ('user:<name>') and per address ('addr:<ip>'); a key is locked until
-- `locked_until` once its failures pass the threshold (the app's backoff doubles each time).
CREATE TABLE login_attempts (
  key             text PRIMARY KEY,
  failures        integer NOT NULL DEFAULT 0,
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz
);

-- Who wrote what, when, from where. `username` and `address` come from the settings the app sets in
-- each transaction (app.user, app.address); a write from the command line or psql has neither.
CREATE TABLE audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  username   text,
  address    text,
  action     text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
  table_name text NOT NULL,
  row_id     text,
  -- the columns an update changed (never their values: a password hash stays out of the log)
  changed    text[]
);

CREATE FUNCTION audit_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  o jsonb;
  n jsonb;
  cols text[];
BEGIN
  IF TG_OP <> 'INSERT' THEN o := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN n := to_jsonb(NEW); END IF;
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(k ORDER BY k) INTO cols
      FROM jsonb_object_keys(n) AS k
     WHERE n -> k IS DISTINCT FROM o -> k;
    IF cols IS NULL THEN RETURN NULL; END IF;
  END IF;
  INSERT INTO audit_log (username, address, action, table_name, row_id, changed)
  VALUES (NULLIF(current_setting('app.user', true), ''),
          NULLIF(current_setting('app.address', true), ''),
          lower(TG_OP), TG_TABLE_NAME, COALESCE(n, o) ->> 'id', cols);
  RETURN NULL;
END $$;

CREATE TRIGGER service_areas_audit AFTER INSERT OR UPDATE OR DELETE ON service_areas
  FOR EACH ROW EXECUTE FUNCTION audit_write();
CREATE TRIGGER cameras_audit AFTER INSERT OR UPDATE OR DELETE ON cameras
  FOR EACH ROW EXECUTE FUNCTION audit_write();
CREATE TRIGGER gates_audit AFTER INSERT OR UPDATE OR DELETE ON gates
  FOR EACH ROW EXECUTE FUNCTION audit_write();
CREATE TRIGGER compounds_audit AFTER UPDATE OR DELETE ON compounds
  FOR EACH ROW EXECUTE FUNCTION audit_write();
CREATE TRIGGER five_target_assessments_audit AFTER INSERT OR UPDATE OR DELETE ON five_target_assessments
  FOR EACH ROW EXECUTE FUNCTION audit_write();
CREATE TRIGGER ledger_items_audit AFTER INSERT OR UPDATE OR DELETE ON ledger_items
  FOR EACH ROW EXECUTE FUNCTION audit_write();
CREATE TRIGGER survey_imports_audit AFTER INSERT OR UPDATE OR DELETE ON survey_imports
  FOR EACH ROW EXECUTE FUNCTION audit_write();
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION audit_write();
