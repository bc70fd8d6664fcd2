-- Per language, summed over every feature of every user (totals_by_language_feature).
-- acceptance_rate = acceptances / generations, NULL when there were no generations.
-- The reports do not normalise language names: `language` is the one canonical name
-- (language_names, from core/languages.py: `ts` and `typescript` are both `typescript`),
-- `raw_language` the name as the report gave it (a row per raw name), and `is_language` false for
-- a name that is not a language (`prompt`, `vscode`): sum by `language`, filter on `is_language`.
CREATE OR REPLACE VIEW acceptance_by_language AS
SELECT
  enterprise,
  day,
  language,
  code_generation_activity_count,
  code_acceptance_activity_count,
  CASE
    WHEN code_generation_activity_count = 0 THEN NULL
    ELSE CAST(code_acceptance_activity_count AS double) / code_generation_activity_count
  END AS acceptance_rate,
  raw_language,
  is_language
FROM (
  SELECT
    t.enterprise,
    t.day,
    coalesce(n.language, lower(t.language)) AS language,
    t.language AS raw_language,
    coalesce(n.is_language, true) AS is_language,
    sum(t.code_generation_activity_count) AS code_generation_activity_count,
    sum(t.code_acceptance_activity_count) AS code_acceptance_activity_count
  FROM user_language_feature_daily AS t
  LEFT JOIN language_names AS n
    ON n.raw_language = lower(t.language)
  GROUP BY t.enterprise, t.day, coalesce(n.language, lower(t.language)), t.language, coalesce(n.is_language, true)
) AS totals
