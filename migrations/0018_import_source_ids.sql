-- Issue 11: idempotent imports. The id a feature has in the file it came from (`--key COLUMN`), so
-- that importing the same file again updates or skips it instead of adding it twice. Unique per
-- table where present; rows drawn in the app or imported without --key have none.
ALTER TABLE buildings ADD COLUMN source_id text;
ALTER TABLE compounds ADD COLUMN source_id text;
ALTER TABLE service_areas ADD COLUMN source_id text;
ALTER TABLE jurisdictions ADD COLUMN source_id text;
ALTER TABLE cameras ADD COLUMN source_id text;
ALTER TABLE gates ADD COLUMN source_id text;

CREATE UNIQUE INDEX buildings_source_id ON buildings (source_id) WHERE source_id IS NOT NULL;
CREATE UNIQUE INDEX compounds_source_id ON compounds (source_id) WHERE source_id IS NOT NULL;
CREATE UNIQUE INDEX service_areas_source_id ON service_areas (source_id) WHERE source_id IS NOT NULL;
CREATE UNIQUE INDEX jurisdictions_source_id ON jurisdictions (source_id) WHERE source_id IS NOT NULL;
CREATE UNIQUE INDEX cameras_source_id ON cameras (source_id) WHERE source_id IS NOT NULL;
CREATE UNIQUE INDEX gates_source_id ON gates (source_id) WHERE source_id IS NOT NULL;
