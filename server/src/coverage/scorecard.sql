-- The facts behind the 五有 scorecard of a set of compounds. $1 compound id, $2 street code,
-- $3 category (each optional).
--  * basic service: buildings covered by approved service areas that name a provider (物业服务人);
--    a compound without buildings is judged by its own outline;
--  * security: entrance gates (vehicle, pedestrian) with access control (which of them cameras see is
--    worked out in scorecard.ts, from the viewsheds); active cameras for the record;
--  * the latest manual assessment per target.
WITH c AS (
  SELECT * FROM compounds
  WHERE ($1::bigint IS NULL OR id = $1)
    AND ($2::text IS NULL OR street_code = $2)
    AND ($3::text IS NULL OR category = $3)
), bld AS (
  -- service_areas is read directly (a CTE of it would lose the GiST index); the union is built only
  -- for straddling buildings, the only ones two areas can serve and no single one
  SELECT c.id AS compound_id, b.id, b.covered,
         COALESCE((SELECT bool_or(ST_Covers(s.geom, b.geom)) FROM service_areas s
                   WHERE s.geom && b.geom AND s.status = 'approved' AND btrim(COALESCE(s.provider, '')) <> ''), false)
         OR (b.straddling AND COALESCE((SELECT ST_Covers(ST_Union(s.geom), b.geom) FROM service_areas s
                   WHERE s.geom && b.geom AND s.status = 'approved' AND btrim(COALESCE(s.provider, '')) <> ''), false))
           AS served
  FROM c JOIN buildings b ON b.compound_id = c.id
), basic AS (
  SELECT compound_id, count(*)::integer AS buildings,
         (count(*) FILTER (WHERE served))::integer AS served,
         (count(*) FILTER (WHERE covered AND NOT served))::integer AS covered_unserved
  FROM bld GROUP BY compound_id
), outline AS (
  SELECT c.id AS compound_id,
         COALESCE((SELECT ST_Covers(ST_Union(s.geom), c.geom) FROM service_areas s
                   WHERE s.geom && c.geom AND s.status = 'approved' AND btrim(COALESCE(s.provider, '')) <> ''), false) AS served
  FROM c WHERE c.geom IS NOT NULL AND NOT EXISTS (SELECT 1 FROM buildings b WHERE b.compound_id = c.id)
), providers AS (
  SELECT c.id AS compound_id,
         array_agg(DISTINCT s.name || '（' || s.provider || '）' ORDER BY s.name || '（' || s.provider || '）') AS names
  FROM c JOIN service_areas s ON c.geom IS NOT NULL AND s.geom && c.geom AND ST_Intersects(s.geom, c.geom)
       AND s.status = 'approved' AND btrim(COALESCE(s.provider, '')) <> ''
  GROUP BY c.id
), gate AS (
  SELECT compound_id, count(*)::integer AS gates, (count(*) FILTER (WHERE access_control))::integer AS with_access,
         array_agg(id ORDER BY id) AS gate_ids
  FROM gates WHERE kind IN ('vehicle', 'pedestrian') AND compound_id IN (SELECT id FROM c)
  GROUP BY compound_id
), cam AS (
  SELECT compound_id, count(*)::integer AS cameras
  FROM cameras WHERE status = 'active' AND compound_id IN (SELECT id FROM c)
  GROUP BY compound_id
), assessed AS (
  SELECT compound_id, jsonb_object_agg(target, jsonb_build_object(
           'state', state, 'assessed_on', to_char(assessed_on, 'YYYY-MM-DD'), 'note', note, 'assessed_by', assessed_by)) AS latest
  FROM (
    SELECT DISTINCT ON (compound_id, target) *
    FROM five_target_assessments WHERE compound_id IN (SELECT id FROM c)
    ORDER BY compound_id, target, assessed_on DESC, id DESC
  ) a
  GROUP BY compound_id
)
SELECT c.id, c.code, c.name, c.category, c.street_code,
       c.wy_self_governance, c.wy_security, c.wy_basic_service, c.wy_clean_environment, c.wy_long_term_mechanism,
       COALESCE(basic.buildings, 0) AS buildings, COALESCE(basic.served, 0) AS served,
       COALESCE(basic.covered_unserved, 0) AS covered_unserved,
       outline.served AS outline_served,
       COALESCE(providers.names, '{}') AS providers,
       COALESCE(gate.gates, 0) AS gates, COALESCE(gate.with_access, 0) AS gates_with_access,
       COALESCE(gate.gate_ids, '{}') AS gate_ids,
       COALESCE(cam.cameras, 0) AS cameras,
       COALESCE(assessed.latest, '{}'::jsonb) AS assessments
FROM c
LEFT JOIN basic ON basic.compound_id = c.id
LEFT JOIN outline ON outline.compound_id = c.id
LEFT JOIN providers ON providers.compound_id = c.id
LEFT JOIN gate ON gate.compound_id = c.id
LEFT JOIN cam ON cam.compound_id = c.id
LEFT JOIN assessed ON assessed.compound_id = c.id
ORDER BY c.id
