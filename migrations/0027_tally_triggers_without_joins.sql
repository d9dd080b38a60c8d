-- The tally triggers of 0024 found the rows an UPDATE changed by joining its transition tables
-- (new_rows JOIN old_rows). PL/pgSQL plans each of its statements once per session and keeps the plan;
-- a statement without parameters keeps the plan made for the transition tables of the first
-- statement that fired the trigger. Planned for a one-row edit, the join is a nested loop, and a
-- later bulk UPDATE on that connection (refresh_all_building_coverage outside a bulk load, say) compares
-- every new row with every old one: 30,000 rows took 89 s on PostgreSQL 15 after a one-row UPDATE in the
-- same session, 0.28 s in a fresh one; the coverage bench's 200,000 did not finish in 8 minutes. A
-- long-lived pooled connection is exactly such a session.
--
-- EXCEPT finds the same rows (set operations treat NULLs as equal, as IS DISTINCT FROM does) by hashing
-- or sorting, never by a nested loop, whatever plan is kept.

CREATE OR REPLACE FUNCTION buildings_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM coverage_retally(ARRAY(SELECT id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM coverage_retally(ARRAY(SELECT id FROM old_rows));
  ELSE
    PERFORM coverage_retally(ARRAY(
      SELECT id FROM (
        SELECT id, compound_id, category, households, covered, straddling FROM new_rows
        EXCEPT
        SELECT id, compound_id, category, households, covered, straddling FROM old_rows) changed));
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION building_places_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM coverage_retally(ARRAY(SELECT building_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM coverage_retally(ARRAY(SELECT building_id FROM old_rows));
  ELSE
    -- Moved to another place, or (a changed building_id) gone from its old one.
    PERFORM coverage_retally(ARRAY(
      SELECT building_id FROM (
        SELECT building_id, district_code, street_code, community_code FROM new_rows
        EXCEPT
        SELECT building_id, district_code, street_code, community_code FROM old_rows) moved
      UNION
      SELECT building_id FROM (
        SELECT building_id FROM old_rows EXCEPT SELECT building_id FROM new_rows) gone));
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION compounds_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM coverage_retally(ARRAY(
    SELECT b.id FROM buildings b
    WHERE b.category IS NULL AND b.compound_id IN (
      SELECT id FROM (
        SELECT id, category FROM new_rows EXCEPT SELECT id, category FROM old_rows) changed)));
  RETURN NULL;
END $$;
