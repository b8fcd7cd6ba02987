-- Views over the loaded tables. "Labelled" is derived from the results, never kept as a separate list.
-- The build stores some of them as tables of the same name (MATERIALISED in tnl/build.py): their definition stays here.

-- Every distinction of every territory, one row per edition, with its scheme (levels of two schemes do not compare).
CREATE VIEW territory_history AS
SELECT
  r.territory_id,
  t.name,
  t.kind,
  r.edition,
  e.distinction_scheme AS scheme,
  r.distinction,
  d.label AS distinction_label,
  d.rank AS distinction_rank,
  r.name_as_published,
  (SELECT group_concat(m.mention, ' ; ') FROM mentions m
    WHERE m.edition = r.edition AND m.territory_id = r.territory_id) AS mentions,
  r.confidence,
  r.source_urls
FROM results r
JOIN territories t ON t.id = r.territory_id
JOIN editions e ON e.edition = r.edition
LEFT JOIN distinctions d ON d.id = r.distinction
ORDER BY r.territory_id, r.edition;

-- One row per territory ever labelled, with its latest distinction: the data of the map. Materialised by the build.
CREATE VIEW labelled_territories AS
SELECT
  t.id,
  t.name,
  t.kind,
  t.departement_code,
  t.region_code,
  t.population,
  r.edition AS latest_edition,
  r.distinction AS latest_distinction,
  coalesce(d.label, 'Labellisé, niveau non publié') AS latest_distinction_label,
  (SELECT min(edition) FROM results f WHERE f.territory_id = t.id) AS first_edition,
  (SELECT count(*) FROM results c WHERE c.territory_id = t.id) AS editions_count,
  t.latitude,
  t.longitude
FROM territories t
JOIN results r ON r.territory_id = t.id
  AND r.edition = (SELECT max(edition) FROM results l WHERE l.territory_id = t.id)
LEFT JOIN distinctions d ON d.id = r.distinction;

-- Per edition: laureates announced against rows published, so that nobody mistakes a partial list for the whole one.
CREATE VIEW coverage AS
SELECT
  e.edition,
  e.distinction_scheme,
  e.labelled_count AS announced_count,
  e.labelled_count_source AS announced_source,
  (SELECT count(*) FROM results r WHERE r.edition = e.edition) AS published_count,
  (SELECT count(*) FROM results r WHERE r.edition = e.edition AND r.distinction IS NULL) AS unknown_level_count,
  CASE WHEN e.labelled_count > 0
    THEN round(100.0 * (SELECT count(*) FROM results r WHERE r.edition = e.edition) / e.labelled_count)
  END AS published_percent
FROM editions e
ORDER BY e.edition;

-- Per edition and distinction of its scheme: announced count (when a source gives one) against rows published,
-- plus one row per edition for the laureates published without their distinction.
CREATE VIEW coverage_by_distinction AS
WITH counts AS (
  SELECT
    e.edition,
    d.id AS distinction,
    d.label AS distinction_label,
    d.rank AS distinction_rank,
    a.announced_count,
    a.source_url AS announced_source,
    a.note AS announced_note,
    (SELECT count(*) FROM results r WHERE r.edition = e.edition AND r.distinction = d.id) AS published_count
  FROM editions e
  JOIN distinctions d ON d.scheme = e.distinction_scheme
  LEFT JOIN announced_counts a ON a.edition = e.edition AND a.distinction = d.id
  UNION ALL
  SELECT e.edition, NULL, 'Labellisé, niveau non publié', NULL, NULL, NULL,
    'Lauréats publiés sans leur distinction : aucune source accessible ne la donne.',
    (SELECT count(*) FROM results r WHERE r.edition = e.edition AND r.distinction IS NULL)
  FROM editions e
)
SELECT
  *,
  CASE WHEN announced_count IS NOT NULL THEN max(announced_count - published_count, 0) END AS missing_count,
  CASE
    WHEN distinction IS NULL THEN 'distinction non publiée'
    WHEN announced_count IS NULL THEN 'effectif inconnu'
    WHEN announced_count = 0 AND published_count = 0 THEN 'non décernée'
    WHEN published_count >= announced_count THEN 'complète'
    ELSE 'partielle'
  END AS status
FROM counts
ORDER BY edition, distinction_rank IS NULL, distinction_rank DESC;

-- Results with their territory, for tables, facets and the map that follow the same filters. Materialised by the build.
CREATE VIEW results_map AS
SELECT
  r.edition,
  r.territory_id,
  t.name,
  t.kind,
  t.departement_code,
  dep.name AS departement_name,
  t.region_code,
  reg.name AS region_name,
  r.distinction,
  coalesce(d.label, 'Labellisé, niveau non publié') AS distinction_label,
  r.name_as_published,
  r.confidence,
  t.latitude,
  t.longitude
FROM results r
JOIN territories t ON t.id = r.territory_id
LEFT JOIN departements dep ON dep.code = t.departement_code
LEFT JOIN regions reg ON reg.code = t.region_code
LEFT JOIN distinctions d ON d.id = r.distinction;

-- Territories recensed as publishing open data (ODATER 2022, au 31/12/2022), with their point and the label's latest
-- distinction (from the results: labelled_territories is replaced by a table after this file runs): the map of publishers across France (datasette-cluster-map, filterable by kind).
CREATE VIEW open_data_publishers AS
SELECT
  t.id,
  t.name,
  t.kind,
  t.departement_code,
  t.region_code,
  t.population,
  CASE WHEN r.territory_id IS NULL THEN 'Jamais labellisé'
    ELSE coalesce(d.label, 'Labellisé, niveau non publié') END AS latest_distinction_label,
  (SELECT p.value FROM public_indicator_values p
    WHERE p.territory_id = t.id AND p.indicator = 'open_data_platform_free_software_2022') AS free_software_platform,
  (SELECT c.value FROM odater_2020_dataset_counts c WHERE c.territory_id = t.id) AS datasets_2020,
  t.latitude,
  t.longitude
FROM public_indicator_values v
JOIN territories t ON t.id = v.territory_id
LEFT JOIN results r ON r.territory_id = t.id
  AND r.edition = (SELECT max(edition) FROM results m WHERE m.territory_id = t.id)
LEFT JOIN distinctions d ON d.id = r.distinction
WHERE v.indicator = 'open_data_published_2022'
ORDER BY t.name, t.id;
