-- Least privilege (issue 10 #7). Migrations run as the owner of the tables; the app runs as a login
-- role that is a member of `wuyou_app`: no superuser, owns nothing, may read and write rows but not
-- change the schema, may only read the audit log (its triggers write it as the owner), and writes the
-- tables a street editor writes only where row-level security lets it: keyed to the settings the app
-- sets in each transaction (app.role, app.street_code; see server/src/accounts/session.ts).
-- The owner is exempt from these policies (no FORCE): migrations, seeding and the command line run
-- as the owner.

-- Roles belong to the cluster: another database of it (or a migration running beside this one) may
-- have made it already.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wuyou_app') THEN
    CREATE ROLE wuyou_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;

GRANT USAGE ON SCHEMA public TO wuyou_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO wuyou_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO wuyou_app;
-- Tables of later migrations (created by the owner) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO wuyou_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO wuyou_app;
-- The audit log and the migration record are not the app's to change.
REVOKE INSERT, UPDATE, DELETE ON audit_log, schema_migrations FROM wuyou_app;

-- May the session's user write rows of this 街道? city_admin: all; street_editor: its own; anyone
-- else, and a session without settings: none.
CREATE FUNCTION app_writes_street(street text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE current_setting('app.role', true)
    WHEN 'city_admin' THEN true
    WHEN 'street_editor' THEN street IS NOT NULL AND street = current_setting('app.street_code', true)
    ELSE false
  END
$$;

-- ... a point (camera, gate): a street editor's lies inside (or on the edge of) its 街道.
CREATE FUNCTION app_writes_point(p geometry) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE current_setting('app.role', true)
    WHEN 'city_admin' THEN true
    WHEN 'street_editor' THEN EXISTS (
      SELECT 1 FROM jurisdictions j
       WHERE j.code = current_setting('app.street_code', true) AND ST_Covers(j.geom, p))
    ELSE false
  END
$$;

-- ... a row of a compound (ledger, assessments): the compound's 街道.
CREATE FUNCTION app_writes_compound(compound bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT app_writes_street((SELECT c.street_code FROM compounds c WHERE c.id = compound))
$$;

ALTER TABLE service_areas ENABLE ROW LEVEL SECURITY;
CREATE POLICY service_areas_read ON service_areas FOR SELECT USING (true);
CREATE POLICY service_areas_insert ON service_areas FOR INSERT WITH CHECK (app_writes_street(street_code));
CREATE POLICY service_areas_update ON service_areas FOR UPDATE
  USING (app_writes_street(street_code)) WITH CHECK (app_writes_street(street_code));
CREATE POLICY service_areas_delete ON service_areas FOR DELETE USING (app_writes_street(street_code));

ALTER TABLE cameras ENABLE ROW LEVEL SECURITY;
CREATE POLICY cameras_read ON cameras FOR SELECT USING (true);
CREATE POLICY cameras_insert ON cameras FOR INSERT WITH CHECK (app_writes_point(geom));
CREATE POLICY cameras_update ON cameras FOR UPDATE
  USING (app_writes_point(geom)) WITH CHECK (app_writes_point(geom));
CREATE POLICY cameras_delete ON cameras FOR DELETE USING (app_writes_point(geom));

ALTER TABLE gates ENABLE ROW LEVEL SECURITY;
CREATE POLICY gates_read ON gates FOR SELECT USING (true);
CREATE POLICY gates_insert ON gates FOR INSERT WITH CHECK (app_writes_point(geom));
CREATE POLICY gates_update ON gates FOR UPDATE
  USING (app_writes_point(geom)) WITH CHECK (app_writes_point(geom));
CREATE POLICY gates_delete ON gates FOR DELETE USING (app_writes_point(geom));

ALTER TABLE ledger_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY ledger_items_read ON ledger_items FOR SELECT USING (true);
CREATE POLICY ledger_items_insert ON ledger_items FOR INSERT WITH CHECK (app_writes_compound(compound_id));
CREATE POLICY ledger_items_update ON ledger_items FOR UPDATE
  USING (app_writes_compound(compound_id)) WITH CHECK (app_writes_compound(compound_id));
CREATE POLICY ledger_items_delete ON ledger_items FOR DELETE USING (app_writes_compound(compound_id));

ALTER TABLE five_target_assessments ENABLE ROW LEVEL SECURITY;
CREATE POLICY five_target_assessments_read ON five_target_assessments FOR SELECT USING (true);
CREATE POLICY five_target_assessments_insert ON five_target_assessments FOR INSERT
  WITH CHECK (app_writes_compound(compound_id));
CREATE POLICY five_target_assessments_update ON five_target_assessments FOR UPDATE
  USING (app_writes_compound(compound_id)) WITH CHECK (app_writes_compound(compound_id));
CREATE POLICY five_target_assessments_delete ON five_target_assessments FOR DELETE
  USING (app_writes_compound(compound_id));
