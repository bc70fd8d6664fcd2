-- AI credits of each team per calendar month: users-1-day's `ai_credits_used` of its members on
-- the days they were in the team (user-teams-1-day), so a user in two teams counts in both. A
-- metrics signal, not a bill. NULL for a team none of whose members reported credits that month;
-- a team renamed within the month keeps the slug of its latest day.
CREATE OR REPLACE VIEW team_ai_credits_monthly AS
SELECT
  m.enterprise,
  CAST(date_trunc('month', m.day) AS date) AS month,
  max_by(m.team_slug, m.day) AS team_slug,
  m.team_id,
  sum(u.ai_credits_used) AS ai_credits
FROM user_team_daily AS m
LEFT JOIN user_daily AS u
  ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id
GROUP BY m.enterprise, CAST(date_trunc('month', m.day) AS date), m.team_id
