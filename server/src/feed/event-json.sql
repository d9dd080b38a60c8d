-- One change_events row (alias ce) as the ChangeEvent JSON of core/change-event.ts.
jsonb_build_object(
  'id', ce.id, 'at', ce.at, 'kind', ce.kind, 'layers', ce.layers, 'changes', ce.changes,
  'truncated', ce.truncated, 'bbox', to_jsonb(ce.bbox),
  'actor', jsonb_build_object('username', ce.username, 'userId', ce.user_id,
                              'streetCode', ce.street_code, 'streetName', ce.street_name)
)
