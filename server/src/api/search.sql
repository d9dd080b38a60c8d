-- Jurisdictions (街道 / 社区 / 区) by name, English name or code, compounds (小区) by name, code or
-- address, and service areas by name, with their extent. $1 is a LIKE pattern "contains q" (escaped by the caller), $2 the plain
-- query (exact and prefix matches first), $3 the most rows per kind. A compound without an outline
-- takes its buildings' extent. `matched` says which field matched, for the list to show it.
(
  SELECT 'jurisdiction' AS kind, j.code AS id, j.name, j.level AS detail, p.name AS parent,
         p.name_en AS parent_en, j.name_en,
         CASE WHEN j.name ILIKE $1 ESCAPE '\' OR j.name_en ILIKE $1 ESCAPE '\' THEN 'name' ELSE 'code' END
           AS matched,
         j.code, NULL::text AS address,
         ST_XMin(e.box) AS w, ST_YMin(e.box) AS s, ST_XMax(e.box) AS e, ST_YMax(e.box) AS n,
         0 AS kind_rank,
         (j.name = $2 OR lower(j.name_en) = lower($2) OR j.code = $2) AS exact,
         (starts_with(j.name, $2) OR starts_with(lower(j.name_en), lower($2)) OR starts_with(j.code, $2))
           AS prefix,
         length(j.name) AS name_length,
         length(j.code) AS id_length
  FROM jurisdictions j
  LEFT JOIN jurisdictions p ON p.code = j.parent_code
  CROSS JOIN LATERAL (SELECT ST_Envelope(j.geom) AS box) e
  WHERE j.name ILIKE $1 ESCAPE '\' OR j.name_en ILIKE $1 ESCAPE '\' OR starts_with(j.code, $2)
  ORDER BY exact DESC, prefix DESC, name_length, id
  LIMIT $3
)
UNION ALL
(
  SELECT 'compound', c.id::text, c.name, c.category, st.name, st.name_en, NULL::text,
         CASE
           WHEN c.name ILIKE $1 ESCAPE '\' THEN 'name'
           WHEN lower(c.code) = lower($2) OR c.id::text = $2 OR c.code ILIKE $1 ESCAPE '\' THEN 'code'
           ELSE 'address'
         END,
         c.code, c.address,
         ST_XMin(e.box), ST_YMin(e.box), ST_XMax(e.box), ST_YMax(e.box),
         1,
         -- Never NULL (a compound without a code): DESC puts NULLs first, above the exact name.
         COALESCE(c.name = $2 OR lower(c.code) = lower($2) OR c.id::text = $2, false),
         COALESCE(starts_with(c.name, $2) OR starts_with(lower(c.code), lower($2)), false),
         length(c.name), length(c.id::text)
  FROM compounds c
  LEFT JOIN jurisdictions st ON st.code = c.street_code
  CROSS JOIN LATERAL (
    SELECT COALESCE(c.geom::box2d, (SELECT ST_Extent(b.geom) FROM buildings b WHERE b.compound_id = c.id)) AS box
  ) e
  WHERE c.name ILIKE $1 ESCAPE '\' OR c.code ILIKE $1 ESCAPE '\' OR c.address ILIKE $1 ESCAPE '\'
     OR c.id::text = $2
  ORDER BY 16 DESC, 17 DESC, 18, c.id
  LIMIT $3
)
UNION ALL
(
  -- Service areas (物业服务区域) by name, after the places and compounds.
  SELECT 'service-area', a.id::text, a.name, a.management_mode, st.name, st.name_en, NULL::text,
         'name', NULL::text, NULL::text,
         ST_XMin(a.geom), ST_YMin(a.geom), ST_XMax(a.geom), ST_YMax(a.geom),
         2,
         a.name = $2,
         starts_with(a.name, $2),
         length(a.name), length(a.id::text)
  FROM service_areas a
  LEFT JOIN jurisdictions st ON st.code = a.street_code
  WHERE a.name ILIKE $1 ESCAPE '\'
  ORDER BY 16 DESC, 17 DESC, 18, a.id
  LIMIT $3
)
-- ids are text here: shorter first, so compound 9 comes before compound 10
ORDER BY kind_rank, exact DESC, prefix DESC, name_length, id_length, id
