-- Per feature (code_completion, chat and agent modes, ...), summed over users (totals_by_feature).
-- acceptance_rate = acceptances / generations, NULL when there were no generations.
CREATE OR REPLACE VIEW acceptance_by_feature AS
SELECT
  enterprise,
  day,
  feature,
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
    feature,
    sum(code_generation_activity_count) AS code_generation_activity_count,
    sum(code_acceptance_activity_count) AS code_acceptance_activity_count
  FROM user_feature_daily
  GROUP BY enterprise, day, feature
) AS totals
