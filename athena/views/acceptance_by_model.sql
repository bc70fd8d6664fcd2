-- Per model, summed over every feature of every user (totals_by_model_feature: it has a row for
-- each feature a model served, code completion included, so its model totals are complete).
-- acceptance_rate = acceptances / generations, NULL when there were no generations.
CREATE OR REPLACE VIEW acceptance_by_model AS
SELECT
  enterprise,
  day,
  model,
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
    model,
    sum(code_generation_activity_count) AS code_generation_activity_count,
    sum(code_acceptance_activity_count) AS code_acceptance_activity_count
  FROM user_model_feature_daily
  GROUP BY enterprise, day, model
) AS totals
