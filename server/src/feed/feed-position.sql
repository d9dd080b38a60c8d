-- Where the log stands: ids up to `through` were pruned, `last` is the newest event (NULL: none yet).
SELECT p.through, (SELECT max(id) FROM change_events) AS last FROM change_events_pruned p
