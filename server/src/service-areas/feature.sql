-- One service area as a GeoJSON Feature (text), full coordinate precision so that a client that snaps
-- to it and sends it back meets the stored vertices exactly.
SELECT s.id, s.version, s.street_code,
       {{feature_json}}::text AS feature
FROM service_areas s
WHERE s.id = $1
