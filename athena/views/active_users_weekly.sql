-- Distinct users present in users-1-day over each ISO week (Monday start): never a sum of days.
-- The CAST keeps week_start a date on engines whose date_trunc returns a timestamp.
CREATE OR REPLACE VIEW active_users_weekly AS
SELECT
  enterprise,
  CAST(date_trunc('week', day) AS date) AS week_start,
  count(DISTINCT user_id) AS active_users
FROM user_daily
GROUP BY enterprise, CAST(date_trunc('week', day) AS date)
