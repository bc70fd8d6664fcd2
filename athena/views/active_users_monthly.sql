-- Distinct users present in users-1-day over each calendar month: never a sum of days.
CREATE OR REPLACE VIEW active_users_monthly AS
SELECT
  enterprise,
  CAST(date_trunc('month', day) AS date) AS month_start,
  count(DISTINCT user_id) AS active_users
FROM user_daily
GROUP BY enterprise, CAST(date_trunc('month', day) AS date)
