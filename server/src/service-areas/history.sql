-- Every recorded version of one area, oldest first.
SELECT h.version, h.operation, h.attributes, ST_AsGeoJSON(h.geom, 15)::json AS geometry,
       h.changed_by, h.changed_at
FROM service_area_history h
WHERE h.area_id = $1
ORDER BY h.version
