-- The place an export is narrowed to: its name, or no row when $1 is no jurisdiction of level $2.
SELECT code, name FROM jurisdictions WHERE code = $1 AND level = $2
