-- Buildings counted per child of one node and per category. {{child}} and {{where}} come from the
-- allow-list in repository.ts; $1 is the node's code (unused for the city).
SELECT {{child}}::text AS child,
       COALESCE(b.category, c.category) AS category,
       count(*)::integer AS buildings,
       COALESCE(sum(b.households), 0)::integer AS households,
       (count(*) FILTER (WHERE b.covered))::integer AS covered,
       (count(*) FILTER (WHERE b.straddling))::integer AS straddling
FROM buildings b
LEFT JOIN building_places p ON p.building_id = b.id
LEFT JOIN compounds c ON c.id = b.compound_id
WHERE {{where}}
GROUP BY 1, 2
