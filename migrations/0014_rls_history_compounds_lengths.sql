-- Least privilege, completed (issue 10, after 0013).
--
-- 1. Row-level security on the rest of the tables a street editor writes: the histories of service
--    areas, cameras, gates and ledger items, compounds (the survey and the 五有 assessments update
--    them) and survey imports. Same settings as 0013 (app.role, app.street_code, app.user); the
--    owner (migrations, seeding, the command line) is exempt.
-- 2. Field lengths as CHECK constraints matching the app's input limits (core/checks/input.ts,
--    core/cameras/input.ts, server/src/ledger/input.ts, server/src/coverage/survey.ts), so SQL that
--    bypasses the app cannot store a 1 MiB name either. NOT VALID: enforced on every insert and
--    update from now on, while a persisted database that already holds a longer value still migrates.

-- History is written, never changed: the app role may only add to it, and only for rows it may write.
REVOKE UPDATE, DELETE ON service_area_history, camera_history, gate_history, ledger_history FROM wuyou_app;

ALTER TABLE service_area_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY service_area_history_read ON service_area_history FOR SELECT USING (true);
CREATE POLICY service_area_history_insert ON service_area_history FOR INSERT
  WITH CHECK (app_writes_street(attributes ->> 'street_code'));

ALTER TABLE camera_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY camera_history_read ON camera_history FOR SELECT USING (true);
CREATE POLICY camera_history_insert ON camera_history FOR INSERT WITH CHECK (app_writes_point(geom));

ALTER TABLE gate_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY gate_history_read ON gate_history FOR SELECT USING (true);
CREATE POLICY gate_history_insert ON gate_history FOR INSERT WITH CHECK (app_writes_point(geom));

ALTER TABLE ledger_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY ledger_history_read ON ledger_history FOR SELECT USING (true);
CREATE POLICY ledger_history_insert ON ledger_history FOR INSERT
  WITH CHECK (app_writes_compound((SELECT i.compound_id FROM ledger_items i WHERE i.id = item_id)));

-- Compounds: a street editor updates those of its street (and cannot move one out of it); only the
-- city admin adds or removes one through the app (the importer and the seed run as the owner).
ALTER TABLE compounds ENABLE ROW LEVEL SECURITY;
CREATE POLICY compounds_read ON compounds FOR SELECT USING (true);
CREATE POLICY compounds_insert ON compounds FOR INSERT
  WITH CHECK (current_setting('app.role', true) = 'city_admin');
CREATE POLICY compounds_update ON compounds FOR UPDATE
  USING (app_writes_street(street_code)) WITH CHECK (app_writes_street(street_code));
CREATE POLICY compounds_delete ON compounds FOR DELETE
  USING (current_setting('app.role', true) = 'city_admin');

-- Survey imports belong to no street (their rows name compounds, whose street is checked when a row
-- is applied, and the compounds' own policy binds that write): a session that may write adds one as
-- itself and may mark one applied; nobody else changes them.
ALTER TABLE survey_imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY survey_imports_read ON survey_imports FOR SELECT USING (true);
CREATE POLICY survey_imports_insert ON survey_imports FOR INSERT
  WITH CHECK (current_setting('app.role', true) IN ('city_admin', 'street_editor')
              AND created_by IS NOT DISTINCT FROM current_setting('app.user', true));
CREATE POLICY survey_imports_update ON survey_imports FOR UPDATE
  USING (current_setting('app.role', true) IN ('city_admin', 'street_editor'))
  WITH CHECK (current_setting('app.role', true) IN ('city_admin', 'street_editor'));
CREATE POLICY survey_imports_delete ON survey_imports FOR DELETE
  USING (current_setting('app.role', true) = 'city_admin');

-- Field lengths (characters; the app counts UTF-16 units, which are never fewer).
ALTER TABLE service_areas
  ADD CONSTRAINT service_areas_text_lengths CHECK (
    char_length(name) <= 200 AND char_length(street_code) <= 32 AND char_length(community_code) <= 32
    AND char_length(provider) <= 200 AND char_length(helper_unit) <= 200
    AND char_length(grid_worker) <= 200 AND char_length(notes) <= 4000) NOT VALID;
ALTER TABLE cameras
  ADD CONSTRAINT cameras_text_lengths CHECK (char_length(code) <= 64 AND char_length(name) <= 200) NOT VALID;
ALTER TABLE gates
  ADD CONSTRAINT gates_text_lengths CHECK (char_length(name) <= 200) NOT VALID;
ALTER TABLE compounds
  ADD CONSTRAINT compounds_text_lengths CHECK (
    char_length(code) <= 500 AND char_length(name) <= 500 AND char_length(address) <= 500
    AND char_length(helper_unit) <= 500 AND char_length(grid_worker) <= 500) NOT VALID;
ALTER TABLE ledger_items
  ADD CONSTRAINT ledger_items_text_lengths CHECK (
    char_length(description) <= 2000 AND char_length(responsible_unit) <= 200
    AND char_length(close_note) <= 2000 AND char_length(reopen_note) <= 2000) NOT VALID;
ALTER TABLE ledger_history
  ADD CONSTRAINT ledger_history_text_lengths CHECK (char_length(note) <= 2000) NOT VALID;
ALTER TABLE five_target_assessments
  ADD CONSTRAINT five_target_assessments_text_lengths CHECK (char_length(note) <= 2000) NOT VALID;
ALTER TABLE survey_imports
  ADD CONSTRAINT survey_imports_text_lengths CHECK (char_length(file_name) <= 2000) NOT VALID;
ALTER TABLE users
  ADD CONSTRAINT users_text_lengths CHECK (char_length(username) <= 64) NOT VALID;
