-- The attributes of a service area `s` as history keeps them (jsonb); spliced in as {{attributes_json}}.
jsonb_build_object(
  'name', s.name, 'street_code', s.street_code, 'community_code', s.community_code,
  'management_mode', s.management_mode, 'provider', s.provider, 'helper_unit', s.helper_unit,
  'grid_worker', s.grid_worker, 'status', s.status, 'notes', s.notes)
