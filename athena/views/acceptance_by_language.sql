-- Per language, summed over every feature of every user (totals_by_language_feature).
-- acceptance_rate = acceptances / generations, NULL when there were no generations.
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
  END AS acceptance_rate
FROM (
  SELECT
    enterprise,
    day,
    language,
    sum(code_generation_activity_count) AS code_generation_activity_count,
    sum(code_acceptance_activity_count) AS code_acceptance_activity_count
  FROM user_language_feature_daily
  GROUP BY enterprise, day, language
) AS totals
