-- Which active cameras could see which of the given gates: the camera's range reaches the gate.
-- $1 gate ids. The box around each gate is as wide as the longest active range (in degrees at the
-- gate's latitude), so the GiST index on cameras answers first; ST_DWithin on geography then
-- applies each camera's own range.
WITH reach AS (
  SELECT COALESCE(max(range_m), 0) * 1.01 AS m FROM cameras WHERE status = 'active'
)
SELECT g.id AS gate_id, ST_X(g.geom) AS gate_lon, ST_Y(g.geom) AS gate_lat,
       c.id AS camera_id, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
       c.direction_deg, c.fov_deg, c.range_m
FROM reach
CROSS JOIN gates g
JOIN cameras c ON c.geom && ST_Expand(g.geom, reach.m / (111320 * cos(radians(ST_Y(g.geom)))))
              AND ST_DWithin(c.geom::geography, g.geom::geography, c.range_m)
WHERE g.id = ANY($1::bigint[]) AND c.status = 'active'
ORDER BY c.id, g.id
