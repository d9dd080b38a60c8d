-- The events a reader missed after the id it last saw, oldest first (bounded: the log keeps minutes).
SELECT {{event_json}} AS e FROM change_events ce WHERE ce.id > $1 ORDER BY ce.id LIMIT 5000
