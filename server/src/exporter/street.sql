-- The street an export is limited to: its name, or no row when $1 is no 街道 code.
SELECT code, name FROM jurisdictions WHERE code = $1 AND level = 'street'
