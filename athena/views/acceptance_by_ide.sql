-- Code generations and acceptances per IDE, summed over the users of users-1-day.
-- acceptance_rate = acceptances / generations, NULL when there were no generations.
CREATE OR REPLACE VIEW acceptance_by_ide AS
SELECT
  enterprise,
  day,
  ide,
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
    ide,
    sum(code_generation_activity_count) AS code_generation_activity_count,
    sum(code_acceptance_activity_count) AS code_acceptance_activity_count
  FROM user_ide_daily
  GROUP BY enterprise, day, ide
) AS totals
