-- Distinct users per ISO week (Monday start) who used chat, agent mode or the CLI on any day of it
-- (users-1-day's used_chat, used_agent, used_cli): never a sum of days.
-- About a quarter of user lines arrive in a reduced shape, every used_* flag null (user_daily's
-- reduced_shape): such a line cannot be judged by feature, so the counts above are a floor.
-- unjudged_users: users with at least one such line in the week; unjudged_lines: those lines.
-- The CAST keeps week_start a date on engines whose date_trunc returns a timestamp.
CREATE OR REPLACE VIEW feature_users_weekly AS
SELECT
  enterprise,
  CAST(date_trunc('week', day) AS date) AS week_start,
  count(DISTINCT CASE WHEN used_chat THEN user_id END) AS chat_users,
  count(DISTINCT CASE WHEN used_agent THEN user_id END) AS agent_users,
  count(DISTINCT CASE WHEN used_cli THEN user_id END) AS cli_users,
  count(DISTINCT CASE WHEN reduced_shape THEN user_id END) AS unjudged_users,
  sum(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS unjudged_lines
FROM user_daily
GROUP BY enterprise, CAST(date_trunc('week', day) AS date)
