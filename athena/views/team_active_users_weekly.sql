-- Distinct users active on a day they were in the team, over each ISO week (Monday start):
-- never a sum of days. A team renamed within the week keeps the slug of its latest day.
-- The CAST keeps week_start a date on engines whose date_trunc returns a timestamp.
CREATE OR REPLACE VIEW team_active_users_weekly AS
SELECT
  m.enterprise,
  max_by(m.team_slug, m.day) AS team_slug,
  m.team_id,
  CAST(date_trunc('week', m.day) AS date) AS week_start,
  count(DISTINCT u.user_id) AS active_users
FROM user_team_daily AS m
LEFT JOIN user_daily AS u
  ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id
GROUP BY m.enterprise, m.team_id, CAST(date_trunc('week', m.day) AS date)
