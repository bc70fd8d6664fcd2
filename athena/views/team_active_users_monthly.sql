-- Distinct users active on a day they were in the team, over each calendar month: never a sum
-- of days. A team renamed within the month keeps the slug of its latest day.
CREATE OR REPLACE VIEW team_active_users_monthly AS
SELECT
  m.enterprise,
  max_by(m.team_slug, m.day) AS team_slug,
  m.team_id,
  CAST(date_trunc('month', m.day) AS date) AS month_start,
  count(DISTINCT u.user_id) AS active_users
FROM user_team_daily AS m
LEFT JOIN user_daily AS u
  ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id
GROUP BY m.enterprise, m.team_id, CAST(date_trunc('month', m.day) AS date)
