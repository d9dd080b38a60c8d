-- Unregisters one basemap; returns its file so the caller can delete it.
DELETE FROM basemaps WHERE id = $1 RETURNING file_name
