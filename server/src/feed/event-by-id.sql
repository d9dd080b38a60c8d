-- A change event too long for its NOTIFY, read by the id the notification carried.
SELECT {{event_json}} AS e FROM change_events ce WHERE ce.id = $1
