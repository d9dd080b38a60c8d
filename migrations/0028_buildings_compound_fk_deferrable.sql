-- The command-line import of buildings loads a file straight into the table with COPY and checks every
-- new row's compound_id itself afterwards, so that a file with references to missing compounds is
-- refused with the feature index of each one instead of failing on the first (server/src/importer/
-- import.ts, direct load). For that the foreign key must be able to wait until the end of the
-- transaction: DEFERRABLE, still INITIALLY IMMEDIATE, so every other statement keeps checking it
-- row by row as before.
ALTER TABLE buildings ALTER CONSTRAINT buildings_compound_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
