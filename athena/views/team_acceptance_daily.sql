-- Code generations and acceptances per team and day, summed over the team's members who have a
-- users-1-day row that day (joined on user_id and day; a member listed twice counts once).
-- acceptance_rate = acceptances / generations, NULL when there were no generations.
CREATE OR REPLACE VIEW team_acceptance_daily AS
SELECT
  enterprise,
  team_slug,
  team_id,
  day,
  code_generation_activity_count,
  code_acceptance_activity_count,
  CASE
    WHEN code_generation_activity_count = 0 THEN NULL
    ELSE CAST(code_acceptance_activity_count AS double) / code_generation_activity_count
  END AS acceptance_rate
FROM (
  SELECT
    m.enterprise,
    m.team_slug,
    m.team_id,
    m.day,
    coalesce(sum(u.code_generation_activity_count), 0) AS code_generation_activity_count,
    coalesce(sum(u.code_acceptance_activity_count), 0) AS code_acceptance_activity_count
  FROM (
    SELECT DISTINCT enterprise, day, team_id, team_slug, user_id FROM user_team_daily
  ) AS m
  LEFT JOIN user_daily AS u
    ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id
  GROUP BY m.enterprise, m.team_slug, m.team_id, m.day
) AS totals
